"""Files chosen in a form that came back with errors, kept on the server and offered again.

A browser forgets the files of a file input when the page is drawn again, so a photo taken
on a phone would be lost to a missing field. The portal and the phone desk keep every upload
of such a form that passed the attachment checks (``services.check_upload``): the file goes
to the attachments' storage (outside any web root) under ``workorders/kept/``, and the form
carries a signed token naming it, bound to the uploader and valid for a day. The page shows
the kept files as ticked boxes (untick to leave one out); when the order is finally filed the
files are attached through the service (checked again) and the kept copies deleted. Kept
files older than a day are swept whenever another is kept.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from netdept.workorders.services.attachments import check_upload

SALT = "netdept.workorders.kept-upload"
MAX_AGE = 24 * 3600  # seconds: a token and its file live a day
PREFIX = "workorders/kept/"
SWEEP_LIMIT = 200  # files looked at per sweep (the folder stays small: files live a day)


@dataclass(frozen=True)
class KeptFile:
    """A file kept from an earlier attempt: ``token`` goes back into the form."""

    token: str
    name: str
    size: int
    path: str
    content_type: str

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def _user_key(user: Any) -> int | None:
    return getattr(user, "pk", None)


def keep(user: Any, uploads: Iterable[Any], *, limit: int | None = None) -> list[KeptFile]:
    """Store the acceptable ones of ``uploads`` (at most ``limit``) for ``user``; files the
    attachment checks refuse are not kept (their error is shown on the form)."""
    if _user_key(user) is None:
        return []
    sweep()
    kept: list[KeptFile] = []
    for upload in uploads:
        if limit is not None and len(kept) >= limit:
            break
        try:
            name, ctype = check_upload(upload, "attachments")
        except ValidationError:
            continue
        upload.seek(0)
        path = default_storage.save(PREFIX + secrets.token_urlsafe(18), upload)
        size = int(upload.size or 0)
        token = signing.dumps(
            {"u": _user_key(user), "p": path, "n": name, "s": size, "t": ctype}, salt=SALT
        )
        kept.append(KeptFile(token, name, size, path, ctype))
    return kept


def from_tokens(user: Any, tokens: Sequence[str]) -> list[KeptFile]:
    """The kept files the tokens name, for ``user`` only: a token that is forged, expired,
    someone else's or whose file is gone is ignored."""
    result: list[KeptFile] = []
    seen: set[str] = set()
    for token in tokens[:50]:
        try:
            data = signing.loads(str(token), salt=SALT, max_age=MAX_AGE)
        except signing.BadSignature:  # also SignatureExpired
            continue
        if not isinstance(data, dict) or data.get("u") != _user_key(user):
            continue
        path = str(data.get("p", ""))
        if not path.startswith(PREFIX) or path in seen or not default_storage.exists(path):
            continue
        seen.add(path)
        result.append(
            KeptFile(
                str(token),
                str(data.get("n", "")),
                int(data.get("s", 0)),
                path,
                str(data.get("t", "")),
            )
        )
    return result


def from_request(request: Any) -> list[KeptFile]:
    """The kept files the form sends back ticked (``kept``); those it offered (``kept_offered``)
    and the user unticked are deleted at once."""
    ticked = from_tokens(request.user, request.POST.getlist("kept"))
    paths = {k.path for k in ticked}
    offered = from_tokens(request.user, request.POST.getlist("kept_offered"))
    discard(k for k in offered if k.path not in paths)
    return ticked


@contextlib.contextmanager
def opened(kept: Sequence[KeptFile]) -> Iterator[list[UploadedFile]]:
    """The kept files as uploads the services accept (checked again there; closed on
    leaving)."""
    with contextlib.ExitStack() as stack:
        files: list[UploadedFile] = []
        for k in kept:
            handle = stack.enter_context(default_storage.open(k.path, "rb"))
            files.append(
                UploadedFile(handle, name=k.name, content_type=k.content_type, size=handle.size)
            )
        yield files


def discard(kept: Iterable[KeptFile]) -> None:
    """Delete kept files (once attached, or left out)."""
    for k in kept:
        with contextlib.suppress(OSError):
            default_storage.delete(k.path)


def sweep(now: Any = None) -> int:
    """Delete kept files older than ``MAX_AGE``; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(seconds=MAX_AGE)
    try:
        _dirs, names = default_storage.listdir(PREFIX.rstrip("/"))
    except (FileNotFoundError, NotImplementedError, OSError):
        return 0
    removed = 0
    for name in names[:SWEEP_LIMIT]:
        path = PREFIX + name
        with contextlib.suppress(OSError, NotImplementedError):
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
    return removed
