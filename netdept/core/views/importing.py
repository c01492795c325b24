"""Excel / CSV import with preview for any importable page: upload → preview → confirm.

The file is read once, on upload (``Importer.read``). What it holds — the recognised columns
and the rows — is kept between the preview and the confirmation under
``MEDIA_ROOT/imports/<random token>.json`` (outside any web root) with the id of the user who
uploaded it; the token is kept in that user's session. The preview and the confirmation
validate those rows against the database as it is then, without reading the file again; the
preview also runs the writes and rolls them back (the services' rules); confirming imports
every row or none. Another user's token is refused like a missing one.

``import_urls(page)`` gives a page its import URLs (``<slug>_import``, ``<slug>_import_template``,
``<slug>_import_preview``, ``<slug>_import_confirm``, ``<slug>_import_cancel``); an app with an
import page of its own (org) binds the same views to its URLs through an ``ImportSite``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from netdept.core import importing
from netdept.core.export import XLSX_TYPE
from netdept.core.import_files import EXTENSIONS, MAX_BYTES, MAX_ROWS, ImportFileError
from netdept.core.importing import Importer, ImportRejected, ImportResult

VIEWS = ("upload", "template", "preview", "confirm", "cancel")


@dataclass
class ImportSite:
    """Where one importer is reached: the URL names of its steps (``VIEWS``), their
    arguments, the list a finished import returns to and the breadcrumbs above it."""

    importer: Importer
    names: dict[str, str]
    args: list[Any] = field(default_factory=list)
    done: str = ""
    crumbs: list[tuple[str, str]] = field(default_factory=list)

    def url(self, view: str) -> str:
        return reverse(self.names[view], args=self.args)

    @property
    def session_key(self) -> str:
        return f"import:{self.importer.kind}"

    def urls(self) -> dict[str, str]:
        return {v: self.url(v) for v in VIEWS} | {"done": self.done}


def page_site(page: Any) -> ImportSite:
    names = {v: page.url_name("import" if v == "upload" else f"import_{v}") for v in VIEWS}
    done = reverse(page.url_name("list"))
    return ImportSite(
        importing.importer_for(page),
        names,
        done=done,
        crumbs=[(str(page.verbose_name_plural), done)],
    )


# --- the pending import in the session -------------------------------------------------------
def _pending(request: HttpRequest, site: ImportSite) -> dict[str, str] | None:
    info = request.session.get(site.session_key)
    return info if isinstance(info, dict) and info.get("token") else None


def _forget(request: HttpRequest, site: ImportSite) -> None:
    info = request.session.pop(site.session_key, None)
    if isinstance(info, dict):
        importing.forget(str(info.get("token", "")))


def _drop(request: HttpRequest, site: ImportSite) -> None:
    """Forget the pending import of this session, leaving its file (it may be another
    user's: a planted token must not delete it; stale files are removed later)."""
    request.session.pop(site.session_key, None)


def _ctx(site: ImportSite) -> dict[str, Any]:
    return {
        "site": site,
        "title": site.importer.title,
        "urls": site.urls(),
        "import_crumbs": site.crumbs,
        "columns": site.importer.get_columns(),
        "limits": {"rows": MAX_ROWS, "mb": MAX_BYTES // 1024 // 1024},
    }


# --- views -----------------------------------------------------------------------------------
@require_safe
def template_view(request: HttpRequest, site: ImportSite) -> HttpResponse:
    imp = site.importer
    imp.require(request.user)
    # openpyxl is imported when a template is made, not with every page (it is slow to load)
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    headers, examples = imp.template()
    wb = Workbook()
    ws = wb.active
    ws.title = str(getattr(imp, "sheet_title", "") or imp.model._meta.verbose_name_plural)[:31]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.number_format = "@"
    for row in examples:
        ws.append(row)
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(14, len(header) * 3)
    help_ws = wb.create_sheet(_("Instructions")[:31])
    for line in imp.instructions():
        help_ws.append([line])
    help_ws.column_dimensions["A"].width = 100
    buf = io.BytesIO()
    wb.save(buf)
    name = f"{imp.kind.replace('.', '-')}-template"
    resp = HttpResponse(buf.getvalue(), content_type=XLSX_TYPE)
    resp["Content-Disposition"] = (
        f"attachment; filename=\"{name}.xlsx\"; filename*=UTF-8''{quote(imp.title)}.xlsx"
    )
    return resp


@require_http_methods(["GET", "HEAD", "POST"])
def upload_view(request: HttpRequest, site: ImportSite) -> HttpResponse:
    imp = site.importer
    imp.require(request.user)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose an Excel (.xlsx) or CSV file to upload.")
        elif not str(upload.name).lower().endswith(EXTENSIONS):
            error = _("Only Excel (.xlsx) and CSV (.csv) files can be imported; save it as .xlsx.")
        else:
            name = Path(str(upload.name)).name[:200]
            try:
                sheet = imp.read(upload, size=upload.size, name=name)
            except ImportFileError as exc:
                error = exc.message
            else:
                _forget(request, site)
                token = importing.store(sheet, request.user, name)
                request.session[site.session_key] = {"token": token, "name": name}
                return HttpResponseRedirect(site.url("preview"))
    ctx = _ctx(site) | {"error": error}
    return render(request, "core/import_upload.html", ctx, status=400 if error else 200)


def _render_preview(
    request: HttpRequest,
    site: ImportSite,
    result: ImportResult,
    info: dict[str, str],
    status: int = 200,
) -> HttpResponse:
    only_errors = request.GET.get("only") == "errors"
    rows = [
        (r, [r.values.get(key, "") for key, _h in result.columns])
        for r in result.rows
        if r.errors or not only_errors
    ]
    ctx = _ctx(site) | {
        "result": result,
        "rows": rows,
        "counts": result.counts,
        "file_name": info.get("name", ""),
        "token": info.get("token", ""),
        "only_errors": only_errors,
    }
    return render(request, "core/import_preview.html", ctx, status=status)


@require_safe
def preview_view(request: HttpRequest, site: ImportSite) -> HttpResponse:
    imp = site.importer
    imp.require(request.user)
    info = _pending(request, site)
    if info is None:
        messages.info(request, _("Upload a file first."))
        return HttpResponseRedirect(site.url("upload"))
    try:
        sheet, _name = importing.load(info["token"], request.user, imp.kind)
        result = imp.validate(sheet, user=request.user, trial=True)
    except ImportFileError as exc:
        _drop(request, site)
        messages.error(request, exc.message)
        return HttpResponseRedirect(site.url("upload"))
    return _render_preview(request, site, result, info)


@require_POST
def confirm_view(request: HttpRequest, site: ImportSite) -> HttpResponse:
    imp = site.importer
    imp.require(request.user)
    info = _pending(request, site)
    if info is None or request.POST.get("token") != info.get("token"):
        messages.error(request, _("This import is no longer pending; upload the file again."))
        return HttpResponseRedirect(site.url("upload"))
    try:
        sheet, name = importing.load(info["token"], request.user, imp.kind)
        result = imp.validate(sheet, user=request.user)
        counts = imp.apply(result, request.user, name)
    except ImportFileError as exc:
        _drop(request, site)
        messages.error(request, exc.message)
        return HttpResponseRedirect(site.url("upload"))
    except ImportRejected as exc:
        messages.error(
            request,
            _(
                "The data changed since the preview and %(count)s rows now have problems; "
                "nothing was imported."
            )
            % {"count": len(exc.result.bad_rows)},
        )
        return _render_preview(request, site, exc.result, info, status=400)
    _forget(request, site)
    messages.success(
        request,
        _("Import finished: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
        % {
            "created": counts[importing.CREATE],
            "updated": counts[importing.UPDATE],
            "unchanged": counts[importing.UNCHANGED],
        },
    )
    return HttpResponseRedirect(site.done or "/")


@require_POST
def cancel_view(request: HttpRequest, site: ImportSite) -> HttpResponse:
    site.importer.require(request.user)
    _forget(request, site)
    messages.info(request, _("The import was cancelled; nothing was imported."))
    return HttpResponseRedirect(site.done or site.url("upload"))


STEP_VIEWS: dict[str, Callable[[HttpRequest, ImportSite], HttpResponse]] = {
    "upload": upload_view,
    "template": template_view,
    "preview": preview_view,
    "confirm": confirm_view,
    "cancel": cancel_view,
}


def import_urls(page: Any) -> list[URLPattern]:
    """The import URLs of ``page`` (none when it is not importable)."""
    if not importing.importable(page):
        return []

    def bind(step: str) -> Any:
        view = STEP_VIEWS[step]

        def wrapped(request: HttpRequest) -> HttpResponse:
            return view(request, page_site(page))

        return login_required(wrapped)

    s = page.slug
    return [
        path(f"{s}/import/", bind("upload"), name=f"{s}_import"),
        path(f"{s}/import/template/", bind("template"), name=f"{s}_import_template"),
        path(f"{s}/import/preview/", bind("preview"), name=f"{s}_import_preview"),
        path(f"{s}/import/confirm/", bind("confirm"), name=f"{s}_import_confirm"),
        path(f"{s}/import/cancel/", bind("cancel"), name=f"{s}_import_cancel"),
    ]


__all__ = ["ImportSite", "import_urls", "page_site"]
