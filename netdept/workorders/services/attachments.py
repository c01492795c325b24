"""Attachments: size and type checks (extension and content), storage, nothing half-saved."""

from __future__ import annotations

import contextlib
import secrets
import zipfile
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from netdept.core import audit
from netdept.core.models.audit import AuditAction
from netdept.workorders.models import Attachment, Status, WorkOrder
from netdept.workorders.services.common import _refuse, max_attachment_bytes
from netdept.workorders.services.visibility import _require_requester

IMAGE_EXT = {"jpg", "jpeg", "png", "gif", "webp", "heic", "heif"}
OFFICE_ZIP_EXT = {"docx", "xlsx", "pptx", "odt", "ods", "odp"}
OLE_EXT = {"doc", "xls", "ppt"}
TEXT_EXT = {"txt", "csv", "log"}
ALLOWED_EXT = IMAGE_EXT | OFFICE_ZIP_EXT | OLE_EXT | TEXT_EXT | {"pdf", "zip"}
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "heic": "image/heic",
    "heif": "image/heif",
    "pdf": "application/pdf",
    "txt": "text/plain",
    "log": "text/plain",
    "csv": "text/csv",
    "zip": "application/zip",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if encoding == "utf-8" and exc.start >= len(head) - 3:
                return True  # a character cut at the end of the sample
    return False


def _sniff(ext: str, head: bytes, upload: UploadedFile) -> bool:
    """Does the content really look like a ``.ext`` file (magic bytes)?"""
    if ext in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext == "gif":
        return head[:6] in (b"GIF87a", b"GIF89a")
    if ext == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if ext in ("heic", "heif"):
        return head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if ext in OLE_EXT:
        return head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    if ext in TEXT_EXT:
        return _is_text(head)
    if ext == "zip" or ext in OFFICE_ZIP_EXT:
        if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            return False
        if ext == "zip":
            return True
        try:
            upload.seek(0)
            names = set(zipfile.ZipFile(upload).namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        return "[Content_Types].xml" in names or "mimetype" in names
    return False


def check_upload(upload: UploadedFile, field: str = "file") -> tuple[str, str]:
    """Refuse an upload that is too big or not of an allowed type (by its extension AND its
    content); returns (clean name, content type)."""
    name = PurePath(str(upload.name or "").replace("\\", "/")).name.strip()[:255]
    size = upload.size or 0
    limit = max_attachment_bytes()
    if not name:
        raise ValidationError({field: [_("The file has no name.")]})
    if size <= 0:
        raise ValidationError({field: [_("%(name)s is empty.") % {"name": name}]})
    if size > limit:
        raise ValidationError(
            {
                field: [
                    _("%(name)s is %(size)s; files may be at most %(limit)s.")
                    % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)}
                ]
            }
        )
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED_EXT:
        raise ValidationError(
            {
                field: [
                    _("%(name)s: files of this type are not allowed. Allowed: %(types)s.")
                    % {"name": name, "types": ", ".join(sorted(ALLOWED_EXT))}
                ]
            }
        )
    upload.seek(0)
    head = upload.read(8192)
    ok = _sniff(ext, head, upload)
    upload.seek(0)
    if not ok:
        raise ValidationError(
            {
                field: [
                    _("%(name)s is not really a .%(ext)s file; it was refused.")
                    % {"name": name, "ext": ext}
                ]
            }
        )
    return name, CONTENT_TYPES[ext]


def _store_attachment(
    actor: Any, order: WorkOrder, upload: UploadedFile, name: str, ctype: str, stored: list[str]
) -> Attachment:
    att = Attachment(
        order=order,
        token=secrets.token_urlsafe(24),
        name=name,
        content_type=ctype,
        size=upload.size or 0,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    upload.seek(0)
    att.file.save(att.token, upload, save=False)
    if att.file.name:  # set by save() above
        stored.append(att.file.name)
    att.save()
    audit.record(
        AuditAction.CREATE,
        att,
        actor=actor,
        changes={k: [None, v] for k, v in audit.snapshot(att).items()},
    )
    return att


@contextlib.contextmanager
def _files_removed_on_failure() -> Iterator[list[str]]:
    """Files stored inside the block are deleted again if the block (and so its transaction)
    fails: nothing half-saved."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            with contextlib.suppress(OSError):
                default_storage.delete(name)
        raise


def add_attachment(actor: Any, order: WorkOrder, upload: UploadedFile) -> Attachment:
    """A photo or file, checked for size and type (extension and content)."""
    name, ctype = check_upload(upload)
    with _files_removed_on_failure() as stored, transaction.atomic():
        fresh = WorkOrder.objects.select_related("requester").get(pk=order.pk)
        _require_requester(actor, fresh, or_staff=True)
        if fresh.status == Status.CLOSED:
            raise _refuse(fresh, _("Files cannot be added to an order that is %(status)s."))
        return _store_attachment(actor, fresh, upload, name, ctype, stored)


def attach(actor: Any, order: WorkOrder, *, file: UploadedFile) -> Attachment:
    """The ``attach`` transition: one file (see ``add_attachment``)."""
    return add_attachment(actor, order, file)
