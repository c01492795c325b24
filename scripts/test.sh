#!/usr/bin/env bash
# Install everything the tests need and run the whole suite:
#   lint and type checks, then the tests on SQLite, then on PostgreSQL when one is reachable
#   (127.0.0.1:5432 or NETDEPT_TEST_DATABASE_URL). With CI=true, PostgreSQL and Redis are
#   required instead of optional.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
ARTIFACTS=${NETDEPT_TEST_ARTIFACTS:-$PWD/test-artifacts}
export NETDEPT_TEST_ARTIFACTS=$ARTIFACTS
mkdir -p "$ARTIFACTS"

# 1. Debian packages for the browser tests (Chromium and CJK fonts), when we may install them.
need=()
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if command -v dpkg-query >/dev/null 2>&1; then
  installed fonts-noto-cjk || need+=(fonts-noto-cjk)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing ${need[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "!! ${need[*]} missing and not root: browser tests will be skipped"
  fi
fi

# 2. Python packages.
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e ".[test]"

# 3. Static checks.
echo "== ruff, mypy, import layers, migrations"
.venv/bin/ruff check .
.venv/bin/ruff format --check . >/dev/null
.venv/bin/mypy netdept >/dev/null || { .venv/bin/mypy netdept | tail -30; exit 1; }
.venv/bin/lint-imports --no-cache >/dev/null || { .venv/bin/lint-imports --no-cache | tail -40; exit 1; }
NETDEPT_DATA_DIR=$(mktemp -d) .venv/bin/python manage.py makemigrations --check --dry-run >/dev/null

reachable() { .venv/bin/python - "$1" "$2" <<'PYEOF'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()
except OSError:
    sys.exit(1)
PYEOF
}

if [ "${CI:-}" = "true" ]; then export NETDEPT_REQUIRE_SERVICES=1; fi
if reachable 127.0.0.1 6379; then export NETDEPT_TEST_REDIS_URL=${NETDEPT_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}; fi

PYTEST=(.venv/bin/pytest -q -n 2 --dist loadfile -p no:randomly)

# 4. The suite on SQLite (the default database), with coverage: the total and the ten
#    least-covered modules are printed; below the floor ([tool.coverage.report] fail_under in
#    pyproject.toml) the run fails.
echo "== tests on SQLite (with coverage)"
start=$SECONDS
rm -f .coverage .coverage.*
"${PYTEST[@]}" --cov=netdept --cov-report= --durations=20 --junitxml="$ARTIFACTS/junit-sqlite.xml"
echo "   SQLite run: $((SECONDS - start)) s"
.venv/bin/python -m netdept.testing.coverage_summary

# 5. The suite on PostgreSQL.
PG_URL=${NETDEPT_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
if reachable 127.0.0.1 5432 || [ -n "${NETDEPT_TEST_DATABASE_URL:-}" ]; then
  # Tests marked `once` run real processes on a SQLite file of their own whatever the test
  # database is, or test what the database cannot change (a method refused before any query,
  # the words of a page, the API schema): the SQLite run has run them.
  echo "== tests on PostgreSQL"
  start=$SECONDS
  NETDEPT_DATABASE_URL=$PG_URL "${PYTEST[@]}" -m "not browser and not once" \
    --junitxml="$ARTIFACTS/junit-postgres.xml"
  echo "   PostgreSQL run: $((SECONDS - start)) s"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required in CI but not reachable" >&2
  exit 1
else
  echo "== PostgreSQL not reachable: skipped the PostgreSQL run"
fi
