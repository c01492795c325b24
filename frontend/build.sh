#!/usr/bin/env bash
# Vendor the front-end packages pinned in frontend/package.json into
# netdept/core/static/vendor/ so that every asset is served locally
# (NetDept runs on intranets without internet: no CDN, no external fonts).
#
# Usage (from anywhere):  bash frontend/build.sh
# Then commit the changed files under netdept/core/static/vendor/.
set -euo pipefail

FRONTEND_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$FRONTEND_DIR/.." && pwd)"
NM="$FRONTEND_DIR/node_modules"
DEST="$REPO_ROOT/netdept/core/static/vendor"

cd "$FRONTEND_DIR"
# Exact install from package-lock.json; none of the packages needs install scripts.
npm ci --ignore-scripts --no-audit --no-fund

# The vendor folder is owned by this script: rebuild it from scratch so that
# files dropped by an upgrade do not linger.
rm -rf -- "$DEST"
mkdir -p "$DEST"

# copy SRC DEST_RELATIVE_PATH
copy() {
    local src="$NM/$1" dst="$DEST/$2"
    if [[ ! -f "$src" ]]; then
        echo "build.sh: missing $src (package layout changed?)" >&2
        exit 1
    fi
    mkdir -p "$(dirname "$dst")"
    cp -- "$src" "$dst"
}

# Bootstrap (bundle includes Popper, whose licence is copied too)
copy bootstrap/dist/css/bootstrap.min.css        bootstrap/bootstrap.min.css
copy bootstrap/dist/js/bootstrap.bundle.min.js   bootstrap/bootstrap.bundle.min.js
copy bootstrap/LICENSE                           bootstrap/LICENSE
copy @popperjs/core/LICENSE.md                   bootstrap/LICENSE-popper.md

# Bootstrap Icons: the CSS loads fonts/bootstrap-icons.woff2 / .woff relative to itself
copy bootstrap-icons/font/bootstrap-icons.min.css     bootstrap-icons/bootstrap-icons.min.css
copy bootstrap-icons/font/fonts/bootstrap-icons.woff2 bootstrap-icons/fonts/bootstrap-icons.woff2
copy bootstrap-icons/font/fonts/bootstrap-icons.woff  bootstrap-icons/fonts/bootstrap-icons.woff
copy bootstrap-icons/LICENSE                          bootstrap-icons/LICENSE

# htmx
copy htmx.org/dist/htmx.min.js  htmx/htmx.min.js
copy htmx.org/LICENSE           htmx/LICENSE

# Apache ECharts (Apache-2.0: LICENSE and NOTICE; bundles zrender, BSD-3-Clause)
copy echarts/dist/echarts.min.js      echarts/echarts.min.js
copy echarts/LICENSE                  echarts/LICENSE
copy echarts/NOTICE                   echarts/NOTICE
copy echarts/licenses/LICENSE-d3      echarts/licenses/LICENSE-d3
copy zrender/LICENSE                  echarts/licenses/LICENSE-zrender

# No .map files are vendored: strip sourceMappingURL comments so that
# ManifestStaticFilesStorage / whitenoise do not fail on missing maps.
while IFS= read -r -d '' f; do
    sed -i -E \
        -e '/^[[:space:]]*\/\*[#@][[:space:]]*sourceMappingURL=[^*]*\*\/[[:space:]]*$/d' \
        -e '/^[[:space:]]*\/\/[#@][[:space:]]*sourceMappingURL=.*$/d' \
        "$f"
done < <(find "$DEST" -type f \( -name '*.js' -o -name '*.css' \) -print0)

# Checks -------------------------------------------------------------------
fail=0
if grep -rlE 'sourceMappingURL=' "$DEST" --include='*.js' --include='*.css'; then
    echo "build.sh: sourceMappingURL references remain in the files above" >&2
    fail=1
fi
# No stylesheet may fetch anything from another host (fonts, images, @import).
# (data: URIs such as Bootstrap's inline SVGs with xmlns='http://www.w3.org/...' are fine.)
if grep -noE "(url\([[:space:]]*['\"]?|@import[[:space:]]+['\"]?)(https?:)?//" \
        -r "$DEST" --include='*.css'; then
    echo "build.sh: external URL in vendored CSS (see above)" >&2
    fail=1
fi
if [[ $fail -ne 0 ]]; then
    exit 1
fi

echo "Vendored into ${DEST#"$REPO_ROOT"/}:"
for pkg in bootstrap bootstrap-icons htmx.org echarts; do
    printf '  %-16s %s\n' "$pkg" "$(node -p "require('$NM/$pkg/package.json').version")"
done
(cd "$DEST" && find . -type f | sort | sed 's#^\./#    #')
du -sh "$DEST" | cut -f1 | sed 's/^/  total: /'
