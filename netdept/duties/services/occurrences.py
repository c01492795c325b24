"""Doing duties: a person submits an occurrence with its evidence, a reviewer accepts it or
returns it with a reason, a lead excuses it. Every change here: one transaction on the locked
row, the evidence checked against the duty's ``evidence_kind`` (the wrong kind is refused with a
message naming the field), an audit record with before → after, the engine told when the
occurrence must be looked at next (``engine.schedule_next``), and the people concerned notified
once the transaction commits.

Status flow (``machines.OCCURRENCE_MACHINE`` routes the buttons and API actions here):

    pending / overdue / returned --submit--> submitted (a reviewer) | done / done_late (none)
    submitted --accept--> done (submitted by due_at) | done_late (after)
    submitted --return--> returned (the person submits again)
    pending / overdue / returned / submitted --excuse--> excused

The sweep (``services.engine``) moves pending → overdue at due_at and → missed at missed_at.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any, Final

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.core import audit, context, permissions
from netdept.core.models.audit import AuditAction
from netdept.duties import notifications_work  # noqa: F401  (declares the event kinds)
from netdept.duties.models import (
    Duty,
    Evidence,
    EvidenceKind,
    Occurrence,
    OccurrenceStatus,
    ReviewerKind,
)
from netdept.duties.models.duties import MAX_EVIDENCE_TEXT
from netdept.notify import notify
from netdept.org.models import Person
from netdept.org.people import person_of as person_of  # one answer for every module
from netdept.org.people import person_or_refuse

S = OccurrenceStatus
#: a person may submit from these statuses
SUBMITTABLE: Final = (S.PENDING, S.OVERDUE, S.RETURNED)
#: a lead may excuse from these statuses
EXCUSABLE: Final = (S.PENDING, S.OVERDUE, S.RETURNED, S.SUBMITTED)
#: files one submission may carry
MAX_FILES: Final = 10
MAX_RECORDS: Final = 50
MAX_COMMENT: Final = 1000
#: permission of whoever may review or excuse any occurrence (held at scope "all": the director)
SUPERVISE: Final = "duties.change_occurrence"

IMAGE_EXT: Final = frozenset({"jpg", "jpeg", "png", "gif", "webp", "heic", "heif"})
DOCUMENT_EXT: Final = frozenset(
    {"pdf", "txt", "csv", "log", "doc", "xls", "ppt", "docx", "xlsx", "pptx", "zip"}
)
_HEIF_BRANDS: Final = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


class Conflict(ValidationError):
    """Someone changed the occurrence since the page was drawn: reload and try again."""


# --- who ---------------------------------------------------------------------------------------
def resolve_reviewer(occ: Occurrence) -> Person | None:
    """Who reviews ``occ``: the one set at materialisation, else by the duty's rule (the
    person's team lead, their superior, a named person). Never the person themselves: a lead
    reviewing their own duty goes one level up. None: done when submitted."""
    from netdept.approvals.resolve import superior

    duty: Duty = occ.duty
    person: Person = occ.person
    if duty.reviewer_kind == ReviewerKind.NONE:
        return None
    candidate: Person | None = None
    if occ.reviewer_id and occ.reviewer is not None:
        candidate = occ.reviewer
    elif duty.reviewer_kind == ReviewerKind.PERSON:
        candidate = duty.reviewer
    elif duty.reviewer_kind == ReviewerKind.TEAM_LEAD:
        team = occ.team or person.team
        candidate = team.lead if team is not None else None
    if candidate is None or candidate.pk == person.pk or not candidate.is_active:
        candidate = superior(person)
    return candidate


def is_reviewer(person: Person | None, occ: Occurrence) -> bool:
    return person is not None and occ.reviewer_id == person.pk and occ.person_id != person.pk


def is_above(me: Person | None, occ: Occurrence) -> bool:
    """``me`` leads the person's team or stands above them on the org chart (their manager,
    the department's head, the director: up to five levels)."""
    from netdept.approvals.resolve import superiors

    if me is None or me.pk == occ.person_id:
        return False
    person: Person = occ.person
    if person.team_id and person.team is not None and person.team.lead_id == me.pk:
        return True
    return any(p.pk == me.pk for p in superiors(person, 5))


def supervises_all(user: Any) -> bool:
    """Holds the change permission on every occurrence (the director): a scoped holder (an
    engineer, for the rows of their team) does not review their colleagues."""
    return user is not None and permissions.scope_of(user, SUPERVISE) == "all"


def may_review(user: Any, occ: Occurrence) -> bool:
    """The occurrence's reviewer, whoever stands above its person, or the director — never
    the person whose occurrence it is."""
    me = person_of(user)
    if me is not None and me.pk == occ.person_id:
        return False
    return is_reviewer(me, occ) or is_above(me, occ) or supervises_all(user)


def may_excuse(user: Any, occ: Occurrence) -> bool:
    """As for reviewing: the reviewer, whoever stands above the person, the director."""
    return may_review(user, occ)


def may_submit(user: Any, occ: Occurrence) -> bool:
    me = person_of(user)
    return me is not None and me.pk == occ.person_id


# --- evidence checks ---------------------------------------------------------------------------
def max_file_bytes() -> int:
    return int(settings.NETDEPT.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def _sniff(ext: str, head: bytes, upload: UploadedFile) -> bool:
    """Does the content look like a ``.ext`` file (its first bytes)?"""
    if ext in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext == "gif":
        return head[:6] in (b"GIF87a", b"GIF89a")
    if ext == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if ext in ("heic", "heif"):
        return head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if ext in ("doc", "xls", "ppt"):
        return head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    if ext in ("txt", "csv", "log"):
        if b"\x00" in head:
            return False
        for encoding in ("utf-8", "gb18030"):
            with contextlib.suppress(UnicodeDecodeError):
                head.decode(encoding)
                return True
        return False
    if ext in ("zip", "docx", "xlsx", "pptx"):
        if not head.startswith(b"PK\x03\x04"):
            return False
        if ext == "zip":
            return True
        try:
            upload.seek(0)
            return "[Content_Types].xml" in zipfile.ZipFile(upload).namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
    return False


def check_file(upload: UploadedFile, *, photo: bool, field: str = "files") -> tuple[str, str]:
    """Refuse a file that is empty, too big, or not of an allowed type by its extension AND
    its content (a photo: an image); returns (clean name, extension)."""
    name = PurePath(str(upload.name or "").replace("\\", "/")).name.strip()[:200]
    size = upload.size or 0
    limit = max_file_bytes()
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
    allowed = IMAGE_EXT if photo else IMAGE_EXT | DOCUMENT_EXT
    if ext not in allowed:
        text = (
            _("%(name)s is not a photo. Allowed: %(types)s.")
            if photo
            else _("%(name)s: files of this type are not allowed. Allowed: %(types)s.")
        )
        raise ValidationError({field: [text % {"name": name, "types": ", ".join(sorted(allowed))}]})
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
    return name, ext


def _number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = str(value)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"number": [_("Enter a number.")]}) from exc
    if not number.is_finite() or abs(number) >= Decimal("1e10"):
        raise ValidationError({"number": [_("Enter a number.")]})
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError({"number": [_("Enter a number with at most two decimal places.")]})
    return number.quantize(Decimal("0.01"))


def _wrong(field: str, duty: Duty) -> ValidationError:
    return ValidationError(
        {
            field: [
                _("This duty asks for evidence of the kind “%(kind)s”, not this.")
                % {"kind": duty.get_evidence_kind_display()}
            ]
        },
        code="wrong_kind",
    )


def check_evidence(
    occ: Occurrence,
    *,
    text: str,
    number: Any,
    checklist: Sequence[str] | None,
    files: Sequence[UploadedFile],
    records: Sequence[models.Model],
    user: Any,
) -> tuple[Decimal | None, list[str], list[tuple[UploadedFile, str, str]]]:
    """Check the evidence against the duty; returns (number, items ticked, checked files).
    Raises ValidationError naming every wrong field at once."""
    duty: Duty = occ.duty
    kind = duty.evidence_kind
    errors: dict[str, list[str]] = {}

    def add(exc: ValidationError) -> None:
        for name, errs in exc.message_dict.items():
            errors.setdefault(name, []).extend(errs)

    if len(text) > MAX_EVIDENCE_TEXT:
        errors["text"] = [
            _("Write at most %(limit)s characters (now %(count)s).")
            % {"limit": MAX_EVIDENCE_TEXT, "count": len(text)}
        ]
    if kind == EvidenceKind.TEXT and not text.strip():
        errors["text"] = [_("Write what was done: this duty asks for it as text.")]
    # a number
    value: Decimal | None = None
    if kind == EvidenceKind.NUMBER:
        try:
            value = _number(number)
        except ValidationError as exc:
            add(exc)
        else:
            if value is None:
                errors["number"] = [_("Enter the number this duty asks for.")]
            elif duty.evidence_min is not None and value < duty.evidence_min:
                errors["number"] = [
                    _("At least %(min)s %(unit)s are required; you entered %(value)s.")
                    % {
                        "min": plain_number(duty.evidence_min),
                        "unit": duty.evidence_unit,
                        "value": plain_number(value),
                    }
                ]
    elif number not in (None, ""):
        add(_wrong("number", duty))
    # a checklist: every item ticked, nothing else
    ticked: list[str] = []
    items = [str(i) for i in (duty.checklist or [])]
    if kind == EvidenceKind.CHECKLIST:
        given = [str(i) for i in (checklist or [])]
        unknown = [i for i in given if i not in items]
        missing = [i for i in items if i not in given]
        if unknown:
            errors["checklist"] = [
                _("Not an item of this checklist: %(items)s.") % {"items": "、".join(unknown)}
            ]
        elif missing:
            errors["checklist"] = [
                _("Tick every item of the checklist; still open: %(items)s.")
                % {"items": "、".join(missing)}
            ]
        ticked = [i for i in items if i in given]
    elif checklist:
        add(_wrong("checklist", duty))
    # files and photos
    checked: list[tuple[UploadedFile, str, str]] = []
    if kind in (EvidenceKind.FILE, EvidenceKind.PHOTO):
        if len(files) > MAX_FILES:
            errors["files"] = [_("At most %(count)s files at once.") % {"count": MAX_FILES}]
        else:
            for upload in files:
                try:
                    name, ext = check_file(upload, photo=kind == EvidenceKind.PHOTO)
                except ValidationError as exc:
                    add(exc)
                else:
                    checked.append((upload, name, ext))
        has_before = occ.evidence.filter(kind=kind).exists() if occ.pk else False
        if not files and not has_before:
            errors["files"] = [
                _("Add a photo: this duty asks for one.")
                if kind == EvidenceKind.PHOTO
                else _("Add a file: this duty asks for one.")
            ]
    elif files:
        add(_wrong("files", duty))
    # records of another module
    if kind == EvidenceKind.RECORD:
        if len(records) > MAX_RECORDS:
            errors["records"] = [_("At most %(count)s records.") % {"count": MAX_RECORDS}]
        elif not records and not occ.evidence.filter(kind=kind).exists():
            errors["records"] = [
                _("Link the record that shows it was done (%(type)s).")
                % {"type": _record_type_name(duty)}
            ]
        else:
            for rec in records:
                problem = _record_problem(duty, rec, user)
                if problem:
                    errors.setdefault("records", []).append(problem)
    elif records:
        add(_wrong("records", duty))
    if errors:
        raise ValidationError(errors)
    return value, ticked, checked


def plain_number(d: Decimal) -> str:
    """2.00 → 2, 2.50 → 2.5 (as people write a count)."""
    return format(d.normalize(), "f")


def _record_type_name(duty: Duty) -> str:
    ct = duty.record_type
    if ct is None:
        return "—"
    model = ct.model_class()
    return str(model._meta.verbose_name) if model is not None else ct.model


def _record_problem(duty: Duty, rec: models.Model, user: Any) -> str:
    ct = duty.record_type
    if ct is None or ContentType.objects.get_for_model(rec) != ct:
        return _("%(record)s is not a %(type)s.") % {
            "record": str(rec),
            "type": _record_type_name(duty),
        }
    if user is not None:
        visible = permissions.restrict(type(rec)._default_manager.filter(pk=rec.pk), user, "view")
        if not visible.exists():
            return _("Record %(id)s does not exist or is not yours to see.") % {"id": rec.pk}
    return ""


def records_by_id(duty: Duty, ids: Iterable[Any], user: Any) -> list[models.Model]:
    """The records of the duty's kind with these ids that ``user`` may see; an id that is not
    one of them is refused (naming it), like one that does not exist."""
    ct = duty.record_type
    wanted = [str(i).strip() for i in ids if str(i).strip()]
    if not wanted:
        return []
    if ct is None or ct.model_class() is None:
        raise _wrong("records", duty)
    model = ct.model_class()
    assert model is not None
    qs = model._default_manager.all()
    if user is not None:
        qs = permissions.restrict(qs, user, "view")
    found: dict[str, models.Model] = {}
    clean = [w for w in wanted if w.isdigit() and len(w) < 19]
    for rec in qs.filter(pk__in=clean)[:MAX_RECORDS]:
        found[str(rec.pk)] = rec
    missing = [w for w in wanted if w not in found]
    if missing:
        raise ValidationError(
            {
                "records": [
                    _("Record %(id)s does not exist or is not yours to see.")
                    % {"id": "、".join(missing[:5])}
                ]
            }
        )
    return [found[w] for w in wanted]


# --- the row, locked ---------------------------------------------------------------------------
def _locked(occ: Occurrence, expected_version: int | None) -> Occurrence:
    fresh = (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("duty", "duty__record_type", "person", "person__team", "reviewer", "team")
        .get(pk=occ.pk)
    )
    if expected_version is not None and expected_version != fresh.version:
        raise Conflict(
            _("Someone changed this duty in the meantime; reload the page and try again."),
            code="conflict",
        )
    return fresh


def _deny(occ: Occurrence, user: Any, what: str) -> None:
    """A refused attempt, in the audit trail (outside the refused transaction)."""
    audit.record(AuditAction.DENIED, occ, actor=user, extra={"permission": what})


def _refuse(occ: Occurrence, text: Any) -> ValidationError:
    return ValidationError(
        {"status": [str(text) % {"status": occ.get_status_display()}]}, code="state"
    )


def _finish(occ: Occurrence, before: dict[str, Any], actor: Any, now: dt.datetime) -> None:
    """Tell the engine when to look next, save, and audit (inside the transaction)."""
    from netdept.duties.services import engine

    occ.version += 1
    engine.schedule_next(occ, now)
    occ.full_clean(exclude=["duty", "person", "team", "reviewer"])
    occ.save()
    changes = audit.diff(before, audit.snapshot(occ))
    audit.record(AuditAction.UPDATE, occ, actor=actor, changes=changes)


@contextlib.contextmanager
def _files_removed_on_failure() -> Iterator[list[str]]:
    """Files stored inside the block are deleted again if it fails: nothing half-saved."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            with contextlib.suppress(OSError):
                default_storage.delete(name)
        raise


def occurrence_url(occ: Occurrence) -> str:
    return reverse("duties:occurrence", args=[occ.pk])


def _user_of(person: Person | None) -> Any:
    return person.user if person is not None and person.user_id else None


@contextlib.contextmanager
def _acting(by: Person, ip: str | None) -> Iterator[Any]:
    """The audit trail's actor: ``by``'s account, from ``ip`` when given (else the request's)."""
    user = _user_of(by)
    ctx = context.current()
    if ip is None or ip == ctx.ip:
        yield user
        return
    with context.acting(user or ctx.user, ip=ip, via=ctx.via if ctx.via != "system" else "api"):
        yield user


# --- submit ------------------------------------------------------------------------------------
def submit(
    occ: Occurrence,
    *,
    by: Person,
    text: str = "",
    number: Any = None,
    checklist: Sequence[str] | None = None,
    files: Sequence[UploadedFile] = (),
    records: Sequence[models.Model] = (),
    ip: str | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Occurrence:
    """``by`` (the occurrence's person) hands in the evidence. With a reviewer it waits for
    review (submitted); without one it is done — on time when by ``due_at``, else late."""
    now = now or timezone.now()
    text = (text or "").strip()
    files = list(files)
    records = list(records)
    with _acting(by, ip) as user, _files_removed_on_failure() as stored:
        if by is None or by.pk != occ.person_id:
            _deny(occ, user, "duties.submit")
            raise PermissionDenied(_("Only %(name)s can submit this duty.") % {"name": occ.person})
        return _submit_locked(occ, by, user, stored, text, number, checklist, files, records,
                              expected_version, now)  # fmt: skip


def _submit_locked(
    occ: Occurrence,
    by: Person,
    user: Any,
    stored: list[str],
    text: str,
    number: Any,
    checklist: Sequence[str] | None,
    files: list[UploadedFile],
    records: list[models.Model],
    expected_version: int | None,
    now: dt.datetime,
) -> Occurrence:
    with transaction.atomic():
        occ_ = _locked(occ, expected_version)
        if occ_.status not in SUBMITTABLE:
            raise _refuse(occ_, _("This duty is %(status)s: there is nothing to submit."))
        number_value, ticked, checked = check_evidence(
            occ_, text=text, number=number, checklist=checklist, files=files, records=records,
            user=user,
        )  # fmt: skip
        before = audit.snapshot(occ_)
        kind = occ_.duty.evidence_kind
        for upload, name, ext in checked:
            ev = Evidence(occurrence=occ_, kind=kind, file_name=name, added_by=by)
            upload.seek(0)
            ev.file.save(f"{secrets.token_urlsafe(18)}.{ext}", upload, save=False)
            if ev.file.name:
                stored.append(ev.file.name)
            ev.save()
            _audit_created(ev, user)
        for rec in records:
            ev = Evidence(
                occurrence=occ_,
                kind=EvidenceKind.RECORD,
                record_type=ContentType.objects.get_for_model(rec),
                record_id=str(rec.pk),
                record_label=str(rec)[:200],
                added_by=by,
            )
            ev.save()
            _audit_created(ev, user)
        occ_.text = text
        occ_.number = number_value
        occ_.checklist_done = ticked
        occ_.submitted_at = now
        occ_.review_comment = ""
        reviewer = resolve_reviewer(occ_)
        occ_.reviewer = reviewer
        if reviewer is None:
            occ_.status = S.DONE if now <= occ_.due_at else S.DONE_LATE
            occ_.done_at = now
        else:
            occ_.status = S.SUBMITTED
        _finish(occ_, before, user, now)
        if reviewer is not None:
            _notify_on_commit(
                "duties.review_pending", occ_, [reviewer], outcome="", comment="", by=""
            )
    return occ_


# --- review ------------------------------------------------------------------------------------
def review(
    occ: Occurrence,
    *,
    by: Person,
    accept: bool,
    comment: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Occurrence:
    """Accept (done; late when it was submitted after ``due_at``) or return for changes (a
    reason is required; the person submits again)."""
    now = now or timezone.now()
    comment = (comment or "").strip()
    user = _user_of(by)
    if len(comment) > MAX_COMMENT:
        raise ValidationError(
            {"comment": [_("Write at most %(limit)s characters.") % {"limit": MAX_COMMENT}]}
        )
    if not accept and not comment:
        raise ValidationError({"comment": [_("Say what to change: a reason is required.")]})
    if by is None or user is None or not may_review(user, occ):
        _deny(occ, user, "duties.review")
        raise PermissionDenied(_("You are not the reviewer of this duty."))
    with transaction.atomic():
        occ_ = _locked(occ, expected_version)
        if occ_.status != S.SUBMITTED:
            raise _refuse(occ_, _("This duty is %(status)s: it awaits no review."))
        before = audit.snapshot(occ_)
        occ_.reviewed_at = now
        occ_.review_comment = comment
        if occ_.reviewer_id != by.pk:
            occ_.reviewer = by  # the director reviewed in the reviewer's place
        if accept:
            submitted = occ_.submitted_at or now
            occ_.status = S.DONE if submitted <= occ_.due_at else S.DONE_LATE
            occ_.done_at = submitted
        else:
            occ_.status = S.RETURNED
        _finish(occ_, before, user, now)
        _notify_on_commit(
            "duties.reviewed",
            occ_,
            [occ_.person],
            outcome=gettext_lazy("accepted as done")
            if accept
            else gettext_lazy("returned for changes"),
            comment=comment,
            by=by.name,
        )
    return occ_


# --- excuse ------------------------------------------------------------------------------------
def excuse(
    occ: Occurrence,
    *,
    by: Person,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Occurrence:
    """The reviewer, the team lead or the director excuses an occurrence (on leave, the
    device retired…): it is closed and counts neither as done nor as missed."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    user = _user_of(by)
    if not reason:
        raise ValidationError({"reason": [_("Say why it is excused: a reason is required.")]})
    if len(reason) > MAX_COMMENT:
        raise ValidationError(
            {"reason": [_("Write at most %(limit)s characters.") % {"limit": MAX_COMMENT}]}
        )
    if by is None or user is None or not may_excuse(user, occ):
        _deny(occ, user, "duties.excuse")
        raise PermissionDenied(_("You may not excuse this duty."))
    with transaction.atomic():
        occ_ = _locked(occ, expected_version)
        if occ_.status not in EXCUSABLE:
            raise _refuse(occ_, _("This duty is %(status)s: it can no longer be excused."))
        before = audit.snapshot(occ_)
        occ_.status = S.EXCUSED
        occ_.review_comment = reason
        occ_.reviewed_at = now
        _finish(occ_, before, user, now)
        _notify_on_commit(
            "duties.reviewed",
            occ_,
            [occ_.person],
            outcome=gettext_lazy("excused"),
            comment=reason,
            by=by.name,
        )
    return occ_


def _audit_created(ev: Evidence, user: Any) -> None:
    """The evidence's creation in the audit trail. Its fields are listed here rather than
    read by ``audit.snapshot``, which cannot read an empty file field (a record link)."""
    after = {
        "occurrence": ev.occurrence_id,
        "kind": ev.kind,
        "file": ev.file.name or "",
        "file_name": ev.file_name,
        "record_type": ev.record_type_id,
        "record_id": ev.record_id,
        "record_label": ev.record_label,
        "note": ev.note,
        "added_by": ev.added_by_id,
    }
    audit.record(
        AuditAction.CREATE, ev, actor=user, changes={k: [None, v] for k, v in after.items()}
    )


def _notify_on_commit(kind: str, occ: Occurrence, recipients: list[Person], **data: Any) -> None:
    payload = {
        "duty": occ.duty.name,
        "person": occ.person.name,
        "due": occ.due_at,
        "occurrence_id": occ.pk,
        "status": occ.status,
        **data,
    }
    link = occurrence_url(occ)

    def send() -> None:
        notify(kind, obj=occ, recipients=recipients, data=payload, link=link)

    transaction.on_commit(send)


# --- the machine's handlers: handler(user, occ, **cleaned) -------------------------------------


def submit_action(
    user: Any,
    occ: Occurrence,
    *,
    text: str = "",
    number: Any = None,
    checklist: Sequence[str] | None = None,
    files: Sequence[UploadedFile] = (),
    file: UploadedFile | None = None,
    records: Sequence[models.Model] = (),
    expected_version: int | None = None,
) -> Occurrence:
    uploads = [*files, *([file] if file is not None else [])]
    return submit(
        occ,
        by=person_or_refuse(user),
        text=text,
        number=number,
        checklist=checklist,
        files=uploads,
        records=records,
        expected_version=expected_version,
    )


def accept_action(
    user: Any, occ: Occurrence, *, comment: str = "", expected_version: int | None = None
) -> Occurrence:
    return review(
        occ, by=person_or_refuse(user), accept=True, comment=comment,
        expected_version=expected_version,
    )  # fmt: skip


def return_action(
    user: Any, occ: Occurrence, *, comment: str = "", expected_version: int | None = None
) -> Occurrence:
    return review(
        occ, by=person_or_refuse(user), accept=False, comment=comment,
        expected_version=expected_version,
    )  # fmt: skip


def excuse_action(
    user: Any, occ: Occurrence, *, reason: str = "", expected_version: int | None = None
) -> Occurrence:
    return excuse(occ, by=person_or_refuse(user), reason=reason, expected_version=expected_version)


# --- lists -------------------------------------------------------------------------------------
def to_review(person: Person | None) -> models.QuerySet[Occurrence]:
    """待我复核: the occurrences submitted to ``person``, the oldest due first."""
    if person is None:
        return Occurrence.objects.none()
    return (
        Occurrence.objects.filter(reviewer=person, status=S.SUBMITTED)
        .exclude(person=person)
        .select_related("duty", "person", "person__team")
        .order_by("due_at", "pk")
    )
