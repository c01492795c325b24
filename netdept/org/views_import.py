"""Import departments and people from Excel: upload → preview → confirm.

The workbook is read once, on upload (``importer.read``: the only place it is unpacked, after
its parts' sizes were checked). What it holds — the recognised columns and the rows — is kept
between the preview and the confirmation under ``MEDIA_ROOT/imports/<random token>.json``
(outside any web root); only the token is kept in the user's session. The preview and the
confirmation validate those rows against the database as it is then (the data may have changed
since the preview) without reading the workbook again; confirming imports every row or none.
"""

from __future__ import annotations

import io
import re
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from netdept.core import permissions
from netdept.core.export import XLSX_TYPE
from netdept.core.services import require
from netdept.org import importer
from netdept.org.models import Person

SESSION_KEY = "org_import"
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
STALE_SECONDS = 24 * 3600


def _titles() -> dict[str, str]:
    return {importer.DEPARTMENTS: _("Import departments"), importer.PEOPLE: _("Import people")}


LIST_URLS = {importer.DEPARTMENTS: "org:department_list", importer.PEOPLE: "org:person_list"}


def _kind(kind: str) -> str:
    if kind not in importer.KINDS:
        raise Http404
    return kind


def _may_import(user: Any, kind: str) -> bool:
    model = importer.MODELS[kind]
    return all(
        permissions.has_perm(user, permissions.perm_name(model, a)) for a in ("add", "change")
    )


# --- the stored file -------------------------------------------------------------------------
def _import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _remove_stale() -> None:
    limit = time.time() - STALE_SECONDS
    for old in [*_import_dir().glob("*.json"), *_import_dir().glob("*.xlsx")]:
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            pass


def _stored(request: HttpRequest, kind: str) -> tuple[Path, dict[str, str]] | None:
    info = request.session.get(SESSION_KEY)
    if not isinstance(info, dict) or info.get("kind") != kind:
        return None
    token = str(info.get("token", ""))
    if not TOKEN_RE.match(token):
        return None
    path = _import_dir() / f"{token}.json"
    return (path, info) if path.is_file() else None


def _forget(request: HttpRequest) -> None:
    info = request.session.pop(SESSION_KEY, None)
    if isinstance(info, dict) and TOKEN_RE.match(str(info.get("token", ""))):
        (_import_dir() / f"{info['token']}.json").unlink(missing_ok=True)


def _validate_stored(path: Path, kind: str, user: Any) -> importer.ImportResult:
    """The rows read on upload, validated against the database as it is now."""
    try:
        sheet = importer.Sheet.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise importer.ImportFileError(
            _("The pending import could not be read; upload the file again.")
        ) from exc
    if sheet.kind != kind:
        raise importer.ImportFileError(
            _("This import is no longer pending; upload the file again.")
        )
    return importer.validate(sheet, user=user)


# --- views -----------------------------------------------------------------------------------
@login_required
@require_GET
def index_view(request: HttpRequest) -> HttpResponse:
    kinds = [k for k in importer.KINDS if _may_import(request.user, k)]
    if not kinds:
        require(request.user, "add", Person)  # records the denial and raises
    titles = _titles()
    choices = [
        {
            "kind": k,
            "title": titles[k],
            "upload_url": reverse("org_import:upload", args=[k]),
            "template_url": reverse("org_import:template", args=[k]),
        }
        for k in kinds
    ]
    return render(request, "org/import/index.html", {"choices": choices})


@login_required
@require_GET
def template_view(request: HttpRequest, kind: str) -> HttpResponse:
    importer.require_import(request.user, _kind(kind))
    from openpyxl import Workbook
    from openpyxl.styles import Font

    headers, examples = importer.template_rows(kind)
    wb = Workbook()
    ws = wb.active
    ws.title = "科室" if kind == importer.DEPARTMENTS else "人员"
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in examples:
        ws.append(row)
    for i, header in enumerate(headers):
        ws.column_dimensions[chr(ord("A") + i)].width = max(14, len(header) * 3)
    help_ws = wb.create_sheet(_("Instructions"))
    for line in _instructions(kind):
        help_ws.append([line])
    help_ws.column_dimensions["A"].width = 100
    buf = io.BytesIO()
    wb.save(buf)
    name = "departments-template" if kind == importer.DEPARTMENTS else "people-template"
    title = _titles()[kind]
    resp = HttpResponse(buf.getvalue(), content_type=XLSX_TYPE)
    resp["Content-Disposition"] = (
        f"attachment; filename=\"{name}.xlsx\"; filename*=UTF-8''{quote(title)}.xlsx"
    )
    return resp


def _instructions(kind: str) -> list[str]:
    lines = [
        _("Fill in one row per record below the header row; keep the header row."),
        _("Columns may be in any order; unknown columns are ignored."),
        _("A row whose code already exists updates that record; blank cells keep stored values."),
        _("If any row has a problem, nothing is imported and every problem is listed."),
        _("At most %(rows)s rows and %(mb)s MB per file.")
        % {"rows": importer.MAX_ROWS, "mb": importer.MAX_BYTES // 1024 // 1024},
    ]
    if kind == importer.DEPARTMENTS:
        lines += [
            _("%(column)s: %(network)s (network department) or %(served)s (served department).")
            % {"column": "类型", "network": "网络部", "served": "服务科室"},
            _("%(column)s may name a department defined further down in the same file.")
            % {"column": "上级编码"},
        ]
    else:
        lines += [
            _("%(column)s must name an existing department.") % {"column": "科室编码"},
            _(
                "%(team)s and %(position)s are looked up by name in the department "
                "and created there when missing."
            )
            % {"team": "组", "position": "岗位"},
            _("%(column)s may name a person defined elsewhere in the same file.")
            % {"column": "直属上级工号"},
            _("%(column)s (optional) links an existing login to the person.")
            % {"column": "登录名"},
        ]
    return lines


@login_required
@require_http_methods(["GET", "POST"])
def upload_view(request: HttpRequest, kind: str) -> HttpResponse:
    importer.require_import(request.user, _kind(kind))
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose an Excel file (.xlsx) to upload.")
        elif not str(upload.name).lower().endswith(".xlsx"):
            error = _("Only Excel files (.xlsx) can be imported; save the file as .xlsx.")
        else:
            try:
                sheet = importer.read(kind, upload, size=upload.size)
            except importer.ImportFileError as exc:
                error = exc.message
            else:
                _forget(request)
                _remove_stale()
                token = secrets.token_hex(16)
                (_import_dir() / f"{token}.json").write_text(sheet.to_json(), encoding="utf-8")
                request.session[SESSION_KEY] = {
                    "kind": kind,
                    "token": token,
                    "name": Path(str(upload.name)).name[:200],
                }
                return HttpResponseRedirect(reverse("org_import:preview", args=[kind]))
    ctx = _base_ctx(kind) | {"error": error}
    return render(request, "org/import/upload.html", ctx, status=400 if error else 200)


def _base_ctx(kind: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": _titles()[kind],
        "columns": importer.COLUMNS[kind],
        "limits": {"rows": importer.MAX_ROWS, "mb": importer.MAX_BYTES // 1024 // 1024},
    }


def _render_preview(
    request: HttpRequest,
    kind: str,
    result: importer.ImportResult,
    info: dict[str, str],
    status: int = 200,
) -> HttpResponse:
    only_errors = request.GET.get("only") == "errors"
    rows = [
        (r, [r.values.get(key, "") for key, _h in result.columns])
        for r in result.rows
        if r.errors or not only_errors
    ]
    ctx = _base_ctx(kind) | {
        "result": result,
        "rows": rows,
        "counts": result.counts,
        "file_name": info.get("name", ""),
        "token": info.get("token", ""),
        "only_errors": only_errors,
    }
    return render(request, "org/import/preview.html", ctx, status=status)


@login_required
@require_GET
def preview_view(request: HttpRequest, kind: str) -> HttpResponse:
    importer.require_import(request.user, _kind(kind))
    stored = _stored(request, kind)
    if stored is None:
        messages.info(request, _("Upload a file first."))
        return HttpResponseRedirect(reverse("org_import:upload", args=[kind]))
    path, info = stored
    try:
        result = _validate_stored(path, kind, request.user)
    except importer.ImportFileError as exc:
        _forget(request)
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("org_import:upload", args=[kind]))
    return _render_preview(request, kind, result, info)


@login_required
@require_POST
def confirm_view(request: HttpRequest, kind: str) -> HttpResponse:
    importer.require_import(request.user, _kind(kind))
    stored = _stored(request, kind)
    if stored is None or request.POST.get("token") != stored[1].get("token"):
        messages.error(request, _("This import is no longer pending; upload the file again."))
        return HttpResponseRedirect(reverse("org_import:upload", args=[kind]))
    path, info = stored
    try:
        with transaction.atomic():
            result = _validate_stored(path, kind, request.user)
            if result.ok:
                counts = importer.apply(result, request.user, info.get("name", ""))
    except importer.ImportFileError as exc:
        _forget(request)
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("org_import:upload", args=[kind]))
    except ValidationError as exc:
        messages.error(
            request,
            _("Nothing was imported: %(error)s") % {"error": " ".join(exc.messages)},
        )
        return _render_preview(request, kind, result, info, status=400)
    if not result.ok:
        messages.error(
            request,
            _(
                "The data changed since the preview and %(count)s rows now have problems; "
                "nothing was imported."
            )
            % {"count": len(result.bad_rows)},
        )
        return _render_preview(request, kind, result, info, status=400)
    _forget(request)
    messages.success(
        request,
        _("Import finished: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
        % {
            "created": counts[importer.CREATE],
            "updated": counts[importer.UPDATE],
            "unchanged": counts[importer.UNCHANGED],
        },
    )
    return HttpResponseRedirect(reverse(LIST_URLS[kind]))


@login_required
@require_POST
def cancel_view(request: HttpRequest, kind: str) -> HttpResponse:
    importer.require_import(request.user, _kind(kind))
    if _stored(request, kind) is not None:
        _forget(request)
    messages.info(request, _("The import was cancelled; nothing was imported."))
    return HttpResponseRedirect(reverse("org_import:index"))
