"""Every state change of a work order: open, accept, assign, wait, resolve, close, reopen…

Each function runs in one transaction, checks the permission (staff actions need
``workorders.change_workorder`` on the order, within the actor's scope; requester actions are
allowed to the order's requester and to people of the requester's department who can see the
order), refuses a transition the current state does not allow (``ValidationError`` naming the
state), calls the SLA engine (``netdept.workorders.sla``), writes one audit record and queues
the notifications (sent after the commit).

Lost updates are impossible: a transition writes the order with one conditional UPDATE
(``WHERE id = … AND version = … AND status = …``) and raises ``Conflict`` naming who changed
the order when another transaction got there first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import F, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.notifications import notify
from netdept.core.services import require
from netdept.core.workcalendar import WorkSchedule, default_calendar
from netdept.org.models import Person, Team
from netdept.workorders import sla
from netdept.workorders.models import (
    OPEN_STATUSES,
    Attachment,
    Category,
    Comment,
    EscalationRule,
    Kind,
    Level,
    Priority,
    PriorityRule,
    SlaPolicy,
    Source,
    Status,
    WaitingOn,
    WorkOrder,
    WorkRecord,
)
from netdept.workorders.models import (
    Sequence as NumberSequence,
)

ACTIONS = (
    "accept",
    "assign",
    "transfer",
    "start",
    "wait",
    "resume",
    "resolve",
    "confirm",
    "rate",
    "close",
    "reopen",
    "merge",
    "comment",
    "note",
    "record",
    "attach",
    "priority",
    "major",
)
ORDER_FIELDS = (
    "kind",
    "category",
    "title",
    "description",
    "location",
    "device",
    "contact",
    "impact",
    "urgency",
    "source",
    "registration_no",
)
VIEW_INTERNAL = "workorders.view_internal_comment"


class Conflict(ValidationError):
    """Another user changed the order in the meantime (a lost race): reload and try again."""


# --- settings and small helpers -----------------------------------------------------------
def setting(name: str, default: int) -> int:
    return int(settings.NETDEPT.get(name, default))


def reopen_days() -> int:
    return setting("WORKORDER_REOPEN_DAYS", 5)


def autoclose_days() -> int:
    return setting("WORKORDER_AUTOCLOSE_DAYS", 3)


def max_attachment_bytes() -> int:
    return setting("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


def person_of(user: Any) -> Person | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def _status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def _who_changed(order: WorkOrder) -> str:
    """The name of whoever last changed ``order`` (from the audit trail)."""
    rec = (
        AuditRecord.objects.filter(object_type=audit.object_type(order), object_id=str(order.pk))
        .order_by("-seq")
        .values_list("actor_id", "actor_name")
        .first()
    )
    if rec is None:
        return _("another user")
    name = Person.objects.filter(user_id=rec[0]).values_list("name", flat=True).first()
    return name or rec[1] or _("another user")


def _conflict(order: WorkOrder, transition: str) -> Conflict:
    current = WorkOrder.objects.filter(pk=order.pk).values_list("status", flat=True).first()
    who = _who_changed(order)
    if transition == "accept" and current != Status.NEW:
        return Conflict(
            _("%(number)s has already been accepted by %(who)s.")
            % {"number": order.number, "who": who},
            code="conflict",
        )
    return Conflict(
        _(
            "%(number)s was changed by %(who)s in the meantime (it is now %(status)s). "
            "Reload the order and try again."
        )
        % {"number": order.number, "who": who, "status": _status_label(current or "")},
        code="conflict",
    )


def _refuse(order: WorkOrder, message: str, field: str = "status") -> ValidationError:
    return ValidationError({field: [message % {"status": _status_label(order.status)}]})


def _deny(actor: Any, order: WorkOrder, what: str) -> PermissionDenied:
    audit.record(AuditAction.DENIED, order, actor=actor, extra={"permission": what})
    return PermissionDenied(what)


def _text(value: Any, field: str, *, required: bool = True, max_length: int = 0) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValidationError({field: [_("This field is required.")]})
    if max_length and len(text) > max_length:
        raise ValidationError(
            {field: [_("At most %(n)d characters are allowed.") % {"n": max_length}]}
        )
    return text


# --- permissions ------------------------------------------------------------------------
def is_staff(user: Any, order: WorkOrder) -> bool:
    """May ``user`` work on ``order`` (``workorders.change_workorder`` within their scope)?"""
    if user is None:
        return True  # the system
    return permissions.has_perm(user, "workorders.change_workorder", order)


def is_requester_side(user: Any, order: WorkOrder) -> bool:
    """The order's requester, or a person of the requester's department who can see it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if order.requester_id and order.requester is not None and order.requester.user_id == user.pk:
        return True
    person = person_of(user)
    return bool(
        person is not None
        and order.requester_department_id
        and person.department_id == order.requester_department_id
        and permissions.has_perm(user, "workorders.view_workorder", order)
    )


def _require_staff(actor: Any, order: WorkOrder) -> None:
    require(actor, "change", order)


def _require_requester(actor: Any, order: WorkOrder, *, or_staff: bool = False) -> None:
    if actor is None or is_requester_side(actor, order):
        return
    if or_staff and is_staff(actor, order):
        return
    raise _deny(actor, order, "workorders.requester")


def can_view(user: Any, order: WorkOrder) -> bool:
    return visible_orders(user).filter(pk=order.pk).exists()


def visible_orders(user: Any) -> models.QuerySet[WorkOrder]:
    """The orders ``user`` may see (scope of ``view_workorder``, plus the ones they filed for
    themselves), with what lists show."""
    base = WorkOrder.objects.select_related(
        "category", "team", "assignee", "requester", "requester_department"
    )
    scope = permissions.scope_of(user, "workorders.view_workorder")
    if scope is None:
        return base.none()
    q = permissions.scope_q(WorkOrder, user, scope)
    person = getattr(user, "person", None) if hasattr(user, "person") else None
    # The requester's own orders by the person's id: a condition on this table that an index
    # serves (an OR across a join to org_person would force a full scan at a million rows).
    own = Q(requester_id=person.pk) if person is not None else None
    if q is None:
        return base.filter(own) if own is not None else base.none()
    if q == Q() or own is None:
        return base if q == Q() else base.filter(q)
    return base.filter(q | own)


# --- priority and numbers ---------------------------------------------------------------
DEFAULT_MATRIX = {2: Priority.P1, 3: Priority.P2, 4: Priority.P3, 5: Priority.P4, 6: Priority.P4}


def matrix_priority(impact: int, urgency: int) -> int:
    found = (
        PriorityRule.objects.filter(impact=impact, urgency=urgency)
        .values_list("priority", flat=True)
        .first()
    )
    return int(found) if found else int(DEFAULT_MATRIX[int(impact) + int(urgency)])


def next_number(now: dt.datetime | None = None) -> str:
    """``WO-YYYYMMDD-NNNN`` from the per-day counter; unique under concurrent opens (the
    counter row stays locked until the caller's transaction ends)."""
    day = timezone.localdate(now or timezone.now()).strftime("%Y%m%d")
    with transaction.atomic():
        NumberSequence.objects.bulk_create([NumberSequence(day=day)], ignore_conflicts=True)
        NumberSequence.objects.filter(day=day).update(last=F("last") + 1)
        last = NumberSequence.objects.filter(day=day).values_list("last", flat=True).get()
    return f"WO-{day}-{last:04d}"


# --- attachments ------------------------------------------------------------------------
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


# --- the transition engine --------------------------------------------------------------
_SKIP = {"id", "version", "created_at", "updated_at"}


def _values(order: WorkOrder) -> dict[str, Any]:
    return {
        f.attname: getattr(order, f.attname)
        for f in order._meta.concrete_fields
        if f.attname not in _SKIP
    }


def _copy_into(target: WorkOrder, source: WorkOrder) -> None:
    """Give the caller's object the saved state (and drop its cached relations)."""
    if target is source:
        return
    for f in source._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    target._state.fields_cache = {}


def _transition(
    actor: Any,
    order: WorkOrder,
    name: str,
    *,
    allowed: Iterable[str],
    refusal: str,
    apply: Callable[[WorkOrder, dt.datetime], None],
    check: Callable[[WorkOrder], None] = lambda o: None,
    expected_version: int | None = None,
    after: Callable[[WorkOrder], None] = lambda o: None,
    extra: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Run one transition of ``order`` as a single conditional UPDATE with its audit record.

    ``check`` checks the permission on the fresh row, ``apply`` changes the fresh row in memory
    (and calls the SLA engine), ``after`` queues the notifications. ``refusal`` is the message
    (with ``%(status)s``) when the current state does not allow the transition.
    """
    now = now or timezone.now()
    allowed = tuple(allowed)
    with transaction.atomic():
        fresh = WorkOrder.objects.select_related("requester", "team", "assignee").get(pk=order.pk)
        check(fresh)
        if expected_version is not None and fresh.version != expected_version:
            raise _conflict(fresh, name)
        if fresh.status not in allowed:
            if order.status in allowed and order.status != fresh.status:
                raise _conflict(fresh, name)  # the caller saw an older state
            raise _refuse(fresh, refusal)
        version, status = fresh.version, fresh.status
        before_values, before = _values(fresh), audit.snapshot(fresh)
        apply(fresh, now)
        changed = {k: v for k, v in _values(fresh).items() if before_values[k] != v}
        rows = WorkOrder.objects.filter(pk=fresh.pk, version=version, status=status).update(
            **changed, version=F("version") + 1, updated_at=now
        )
        if rows == 0:
            raise _conflict(fresh, name)
        fresh.version, fresh.updated_at = version + 1, now
        audit.record(
            AuditAction.UPDATE,
            fresh,
            actor=actor,
            changes=audit.diff(before, audit.snapshot(fresh)),
            extra={"transition": name, **(extra or {})},
        )
        after(fresh)
    _copy_into(order, fresh)
    return order


# --- notifications ----------------------------------------------------------------------
def _data(order: WorkOrder, **more: Any) -> dict[str, Any]:
    return {
        "number": order.number,
        "title": order.title,
        "priority": f"P{order.priority}",
        "status": _status_label(order.status),
        "team": str(order.team) if order.team_id else "",
        "assignee": str(order.assignee) if order.assignee_id else "",
        "requester": str(order.requester) if order.requester_id else "",
        **more,
    }


def _to_requester(order: WorkOrder) -> list[Any]:
    return [order.requester] if order.requester_id else []


def _to_handlers(order: WorkOrder) -> list[Any]:
    if order.assignee_id:
        return [order.assignee]
    return [order.team] if order.team_id else []


# --- opening ----------------------------------------------------------------------------
def _choice(value: Any, choices: Any, field: str, default: Any) -> Any:
    if value in (None, ""):
        return default
    if isinstance(default, int):
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ValidationError({field: [_("Choose a valid value.")]}) from None
    if value not in choices.values:
        raise ValidationError({field: [_("Choose a valid value.")]})
    return value


def _category(value: Any, kind: str) -> Category | None:
    if value in (None, ""):
        return None
    if not isinstance(value, Category):
        try:
            value = Category.objects.select_related("default_team").get(pk=int(value))
        except (TypeError, ValueError, Category.DoesNotExist):
            raise ValidationError({"category": [_("Choose a valid category.")]}) from None
    if not value.is_active:
        raise ValidationError({"category": [_("This category is no longer in use.")]})
    if value.kind and value.kind != kind:
        raise ValidationError(
            {
                "category": [
                    _("This category is for %(kind)s orders only.")
                    % {"kind": Kind(value.kind).label}
                ]
            }
        )
    return value


def open_order(
    actor: Any,
    data: Mapping[str, Any],
    *,
    attachments: Sequence[UploadedFile] = (),
    on_behalf_of: Person | None = None,
) -> WorkOrder:
    """File an order (the requester is ``on_behalf_of`` or the actor's person)."""
    require(actor, "add", WorkOrder)
    if on_behalf_of is not None:
        require(actor, "change", WorkOrder)  # the service desk files for a caller
    requester = on_behalf_of or person_of(actor)
    if requester is None and actor is not None:
        raise ValidationError(
            {"requester": [_("Your account is not linked to a person; choose the requester.")]}
        )
    kind = _choice(data.get("kind"), Kind, "kind", Kind.FAULT)
    impact = _choice(data.get("impact"), Level, "impact", Level.MEDIUM)
    urgency = _choice(data.get("urgency"), Level, "urgency", Level.MEDIUM)
    default_source = Source.PHONE if on_behalf_of is not None else Source.PORTAL
    order = WorkOrder(
        kind=kind,
        category=_category(data.get("category"), kind),
        title=_text(data.get("title"), "title", max_length=200),
        description=_text(data.get("description"), "description", required=False),
        location=_text(data.get("location"), "location", required=False, max_length=200),
        device=_text(data.get("device"), "device", required=False, max_length=200),
        contact=_text(data.get("contact"), "contact", required=False, max_length=100),
        registration_no=_text(
            data.get("registration_no"), "registration_no", required=False, max_length=50
        ),
        source=_choice(data.get("source"), Source, "source", default_source),
        impact=impact,
        urgency=urgency,
        priority=matrix_priority(impact, urgency),
        requester=requester,
        requester_department=requester.department if requester else None,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        status=Status.NEW,
    )
    order.team = order.category.default_team if order.category else None
    order.full_clean(exclude=["number"], validate_unique=False)
    uploads = []
    for upload in attachments:
        uploads.append((upload, *check_upload(upload, "attachments")))
    now = timezone.now()
    with _files_removed_on_failure() as stored, transaction.atomic():
        order.number = next_number(now)
        order.save()
        sla.on_open(order, now)
        order.save()
        audit.record(
            AuditAction.CREATE,
            order,
            actor=actor,
            changes={k: [None, v] for k, v in audit.snapshot(order).items()},
            extra={"transition": "open"},
        )
        for upload, name, ctype in uploads:
            _store_attachment(actor, order, upload, name, ctype, stored)
        if order.team_id:
            notify(
                "workorders.assigned",
                obj=order,
                recipients=[order.team],
                data=_data(order),
                severity="warning" if order.priority == Priority.P1 else "info",
            )
    return order


# --- transitions --------------------------------------------------------------------------
def accept(actor: Any, order: WorkOrder, *, expected_version: int | None = None) -> WorkOrder:
    """New → accepted (受理): the actor becomes the assignee if there is none; the response
    clock stops. Of two concurrent accepts one gets ``Conflict`` naming who accepted."""
    person = person_of(actor)

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        o.status = Status.ACCEPTED
        if o.assignee_id is None and person is not None:
            o.assignee = person
            if o.team_id is None and person.team_id:
                o.team_id = person.team_id
        sla.on_respond(o, now)
        o.responded_at = o.responded_at or now

    def after(o: WorkOrder) -> None:
        notify("workorders.accepted", obj=o, recipients=_to_requester(o), data=_data(o))

    return _transition(
        actor,
        order,
        "accept",
        allowed=[Status.NEW],
        refusal=_("Only a new order can be accepted; this one is %(status)s."),
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        after=after,
        expected_version=expected_version,
    )


def _check_member(team: Team | None, assignee: Person | None) -> None:
    if assignee is None:
        return
    if not assignee.is_active:
        raise ValidationError({"assignee": [_("%(name)s is not active.") % {"name": assignee}]})
    if team is not None and assignee.team_id != team.pk and team.lead_id != assignee.pk:
        raise ValidationError(
            {
                "assignee": [
                    _("%(name)s is not a member of %(team)s.") % {"name": assignee, "team": team}
                ]
            }
        )


def assign(
    actor: Any,
    order: WorkOrder,
    *,
    team: Team | None = None,
    assignee: Person | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """Assign (or reassign) an open order to a team and/or a person of that team."""
    if team is None and assignee is None:
        raise ValidationError({"assignee": [_("Choose a team or a person.")]})
    if team is not None and not team.is_active:
        raise ValidationError({"team": [_("This team is no longer active.")]})

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        new_team = team or (o.team if o.team_id else None)
        if new_team is None and assignee is not None and assignee.team_id:
            new_team = assignee.team
        _check_member(new_team, assignee)
        o.team = new_team
        if assignee is not None:
            o.assignee = assignee
        elif (
            o.assignee is not None
            and new_team is not None
            and o.assignee.team_id != new_team.pk
            and new_team.lead_id != o.assignee_id
        ):
            o.assignee = None  # the old assignee is not in the new team

    def after(o: WorkOrder) -> None:
        recipients = _to_handlers(o)
        if recipients:
            notify(
                "workorders.assigned",
                obj=o,
                recipients=recipients,
                data=_data(o, reason=reason),
                severity="warning" if o.priority == Priority.P1 else "info",
            )

    return _transition(
        actor,
        order,
        "assign",
        allowed=OPEN_STATUSES,
        refusal=_("Only an open order can be assigned; this one is %(status)s."),
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        after=after,
        extra={"reason": reason} if reason else None,
        expected_version=expected_version,
    )


def transfer(
    actor: Any,
    order: WorkOrder,
    *,
    team: Team,
    reason: str,
    expected_version: int | None = None,
) -> WorkOrder:
    """Hand an open order to another team, with a reason; the assignee is cleared."""
    reason = _text(reason, "reason", max_length=500)
    if team is None:
        raise ValidationError({"team": [_("This field is required.")]})
    if not team.is_active:
        raise ValidationError({"team": [_("This team is no longer active.")]})

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        if o.team_id == team.pk:
            raise ValidationError({"team": [_("The order is already with this team.")]})
        o.team = team
        o.assignee = None

    def after(o: WorkOrder) -> None:
        notify(
            "workorders.assigned",
            obj=o,
            recipients=[team],
            data=_data(o, reason=reason),
            severity="warning" if o.priority == Priority.P1 else "info",
        )

    return _transition(
        actor,
        order,
        "transfer",
        allowed=OPEN_STATUSES,
        refusal=_("Only an open order can be transferred; this one is %(status)s."),
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        after=after,
        extra={"reason": reason},
        expected_version=expected_version,
    )


def start(actor: Any, order: WorkOrder, *, expected_version: int | None = None) -> WorkOrder:
    """Accepted → in progress."""
    person = person_of(actor)

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        o.status = Status.IN_PROGRESS
        if o.assignee_id is None and person is not None:
            o.assignee = person

    return _transition(
        actor,
        order,
        "start",
        allowed=[Status.ACCEPTED],
        refusal=_("Only an accepted order can be started; this one is %(status)s."),
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        expected_version=expected_version,
    )


def wait(
    actor: Any, order: WorkOrder, *, on: str, reason: str, expected_version: int | None = None
) -> WorkOrder:
    """Pause the SLA clock while the order waits on the requester or a vendor."""
    if on not in WaitingOn.values:
        raise ValidationError({"on": [_("Choose a valid value.")]})
    reason = _text(reason, "reason", max_length=500)

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        o.status = Status.WAITING
        o.waiting_on = on
        sla.on_pause(o, now, reason)

    def after(o: WorkOrder) -> None:
        if on == WaitingOn.REQUESTER:
            notify(
                "workorders.commented",
                obj=o,
                recipients=_to_requester(o),
                data=_data(o, body=reason, author=str(person_of(actor) or "")),
            )

    return _transition(
        actor,
        order,
        "wait",
        allowed=[Status.ACCEPTED, Status.IN_PROGRESS],
        refusal=_("Only an accepted or in-progress order can wait; this one is %(status)s."),
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        after=after,
        extra={"on": on, "reason": reason},
        expected_version=expected_version,
    )


def _resume(o: WorkOrder, now: dt.datetime) -> None:
    o.status = Status.IN_PROGRESS
    o.waiting_on = ""
    sla.on_resume(o, now)


def resume(actor: Any, order: WorkOrder, *, expected_version: int | None = None) -> WorkOrder:
    """Waiting → in progress; the SLA clock runs again."""
    return _transition(
        actor,
        order,
        "resume",
        allowed=[Status.WAITING],
        refusal=_("Only a waiting order can be resumed; this one is %(status)s."),
        check=lambda o: _require_staff(actor, o),
        apply=_resume,
        expected_version=expected_version,
    )


def resolve(
    actor: Any,
    order: WorkOrder,
    *,
    solution: str,
    registration_no: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """Record the solution and stop the clock. A major incident needs its report to the
    leaders first; a lead needs the registration number 客服部 gave."""
    solution = _text(solution, "solution")
    registration_no = _text(registration_no, "registration_no", required=False, max_length=50)

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        if o.is_major and not o.major_report.strip():
            raise ValidationError(
                {
                    "major_report": [
                        _("A major incident can be resolved only after its report to the leaders.")
                    ]
                }
            )
        if registration_no:
            o.registration_no = registration_no
        if o.kind == Kind.LEAD and not o.registration_no:
            raise ValidationError(
                {
                    "registration_no": [
                        _(
                            "A lead is resolved by handing it to 客服部: "
                            "enter their registration number."
                        )
                    ]
                }
            )
        o.status = Status.RESOLVED
        o.solution = solution
        o.waiting_on = ""
        if o.assignee_id is None and person_of(actor) is not None:
            o.assignee = person_of(actor)
        sla.on_resolve(o, now)  # counts as the response too; ends a pause
        o.responded_at = o.responded_at or now
        o.resolved_at = o.resolved_at or now

    def after(o: WorkOrder) -> None:
        notify(
            "workorders.resolved",
            obj=o,
            recipients=_to_requester(o),
            data=_data(o, solution=solution),
        )

    return _transition(
        actor,
        order,
        "resolve",
        allowed=[Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING],
        refusal=_("Only an accepted order can be resolved; this one is %(status)s."),
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        after=after,
        expected_version=expected_version,
    )


def _close(o: WorkOrder, now: dt.datetime) -> None:
    if o.is_major and not o.major_report.strip():
        raise ValidationError(
            {
                "major_report": [
                    _("A major incident can be closed only after its report to the leaders.")
                ]
            }
        )
    sla.on_close(o, now)  # stops the clock of an order closed without being resolved
    o.status = Status.CLOSED
    o.waiting_on = ""
    o.closed_at = o.closed_at or now


def confirm(actor: Any, order: WorkOrder, *, expected_version: int | None = None) -> WorkOrder:
    """The requester confirms the fix: resolved → closed."""
    return _transition(
        actor,
        order,
        "confirm",
        allowed=[Status.RESOLVED],
        refusal=_("Only a resolved order can be confirmed; this one is %(status)s."),
        check=lambda o: _require_requester(actor, o),
        apply=_close,
        expected_version=expected_version,
    )


def rate(
    actor: Any,
    order: WorkOrder,
    *,
    rating: int,
    comment: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """1–5 stars and a comment, by the requester's side, once the order is resolved."""
    try:
        stars = int(rating)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5 or isinstance(rating, bool):
        raise ValidationError({"rating": [_("Give 1 to 5 stars.")]})
    text = _text(comment, "comment", required=False, max_length=2000)

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        o.rating, o.rating_comment, o.rated_at = stars, text, now

    return _transition(
        actor,
        order,
        "rate",
        allowed=[Status.RESOLVED, Status.CLOSED],
        refusal=_("Only a resolved or closed order can be rated; this one is %(status)s."),
        check=lambda o: _require_requester(actor, o),
        apply=apply,
        expected_version=expected_version,
    )


def close(
    actor: Any,
    order: WorkOrder,
    *,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Staff (or the auto-close job) close a resolved order; an open order can be closed too
    (cancelled, a duplicate…) but only with a reason."""
    reason = _text(reason, "reason", required=False, max_length=500)

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        if o.status in OPEN_STATUSES and not reason:
            raise ValidationError(
                {"reason": [_("Give a reason to close an order that is not resolved.")]}
            )
        _close(o, now)

    return _transition(
        actor,
        order,
        "close",
        allowed=[*OPEN_STATUSES, Status.RESOLVED],
        refusal=_("This order is already %(status)s."),
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        extra={"reason": reason} if reason else None,
        expected_version=expected_version,
        now=now,
    )


def reopen_deadline(order: WorkOrder) -> dt.date | None:
    """The last (local) day on which ``order`` may be reopened."""
    if order.resolved_at is None:
        return None
    schedule = WorkSchedule(default_calendar())
    return schedule.add_working_days(schedule.local_date(order.resolved_at), reopen_days())


def reopen(
    actor: Any, order: WorkOrder, *, reason: str, expected_version: int | None = None
) -> WorkOrder:
    """Reopen a resolved or closed order within N working days of its resolution."""
    reason = _text(reason, "reason", max_length=2000)

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        if o.merged_into_id:
            raise ValidationError(
                {"status": [_("This order was merged into another; reopen that one.")]}
            )
        deadline = reopen_deadline(o)
        schedule = WorkSchedule(default_calendar())
        if deadline is None or schedule.local_date(now) > deadline:
            raise ValidationError(
                {
                    "status": [
                        _(
                            "An order can be reopened only within %(days)d working days "
                            "of its resolution."
                        )
                        % {"days": reopen_days()}
                    ]
                }
            )
        sla.on_reopen(o, now)
        o.status = Status.IN_PROGRESS if o.assignee_id else Status.NEW
        o.resolved_at = None
        o.closed_at = None
        o.reopen_count += 1

    def after(o: WorkOrder) -> None:
        notify(
            "workorders.reopened",
            obj=o,
            recipients=_to_handlers(o),
            data=_data(o, reason=reason),
            severity="warning",
        )

    return _transition(
        actor,
        order,
        "reopen",
        allowed=[Status.RESOLVED, Status.CLOSED],
        refusal=_("Only a resolved or closed order can be reopened; this one is %(status)s."),
        check=lambda o: _require_requester(actor, o, or_staff=True),
        apply=apply,
        after=after,
        extra={"reason": reason},
        expected_version=expected_version,
    )


def merge(
    actor: Any, order: WorkOrder, *, into: WorkOrder, expected_version: int | None = None
) -> WorkOrder:
    """Close ``order`` as a duplicate of ``into``."""
    if into is None:
        raise ValidationError({"into": [_("This field is required.")]})
    if into.pk == order.pk:
        raise ValidationError({"into": [_("An order cannot be merged into itself.")]})
    target = WorkOrder.objects.filter(pk=into.pk).first()
    if target is None:
        raise ValidationError({"into": [_("Choose a valid order.")]})
    _require_staff(actor, target)
    if target.status == Status.CLOSED or target.merged_into_id:
        raise ValidationError(
            {"into": [_("%(number)s is closed; choose an open order.") % {"number": target.number}]}
        )

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        if o.is_major:
            raise ValidationError({"status": [_("A major incident cannot be merged away.")]})
        o.merged_into = target
        sla.on_close(o, now)
        o.status = Status.CLOSED
        o.waiting_on = ""
        o.closed_at = o.closed_at or now
        Comment.objects.create(
            order=o,
            author=actor if getattr(actor, "is_authenticated", False) else None,
            body=_("Merged into %(number)s.") % {"number": target.number},
        )

    def after(o: WorkOrder) -> None:
        notify(
            "workorders.commented",
            obj=o,
            recipients=_to_requester(o),
            data=_data(o, body=_("Merged into %(number)s.") % {"number": target.number}, author=""),
        )

    return _transition(
        actor,
        order,
        "merge",
        allowed=[*OPEN_STATUSES, Status.RESOLVED],
        refusal=_("A closed order cannot be merged; this one is %(status)s."),
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        after=after,
        extra={"into": target.number, "into_id": target.pk},
        expected_version=expected_version,
    )


# --- comments, work records, attachments ------------------------------------------------
def comment(actor: Any, order: WorkOrder, *, body: str, internal: bool = False) -> Comment:
    """A public comment (staff or the requester's side) or an internal note (staff only). A
    comment of the requester's side on an order waiting on them restarts the clock."""
    body = _text(body, "body", max_length=10000)
    with transaction.atomic():
        fresh = WorkOrder.objects.select_related("requester", "team", "assignee").get(pk=order.pk)
        staff = actor is None or is_staff(actor, fresh)
        if internal and not staff:
            raise _deny(actor, fresh, "workorders.change_workorder")
        if not internal and not staff:
            _require_requester(actor, fresh)
        note = Comment.objects.create(
            order=fresh,
            author=actor if getattr(actor, "is_authenticated", False) else None,
            body=body,
            internal=bool(internal),
        )
        audit.record(
            AuditAction.CREATE,
            note,
            actor=actor,
            changes={k: [None, v] for k, v in audit.snapshot(note).items()},
        )
        if not internal:
            from_requester = (
                actor is not None
                and is_requester_side(actor, fresh)
                and not (fresh.assignee is not None and fresh.assignee.user_id == actor.pk)
            )
            data = _data(fresh, body=body[:500], author=str(person_of(actor) or ""))
            recipients = _to_handlers(fresh) if from_requester else _to_requester(fresh)
            if recipients:
                notify("workorders.commented", obj=fresh, recipients=recipients, data=data)
            if (
                from_requester
                and fresh.status == Status.WAITING
                and fresh.waiting_on == WaitingOn.REQUESTER
            ):
                _transition(
                    actor,
                    fresh,
                    "resume",
                    allowed=[Status.WAITING],
                    refusal=_("Only a waiting order can be resumed; this one is %(status)s."),
                    apply=_resume,
                    extra={"auto": "requester replied"},
                )
    _copy_into(order, fresh)
    return note


def visible_comments(user: Any, order: WorkOrder) -> models.QuerySet[Comment]:
    """The comments of ``order`` that ``user`` may read (internal notes need the permission)."""
    qs = order.comments.select_related("author", "author__person")
    if not permissions.has_perm(user, VIEW_INTERNAL):
        qs = qs.filter(internal=False)
    return qs


def add_work_record(
    actor: Any,
    order: WorkOrder,
    *,
    description: str,
    minutes: int,
    performed_at: dt.datetime | None = None,
) -> WorkRecord:
    """What was done and how long it took."""
    description = _text(description, "description", max_length=10000)
    try:
        mins = int(minutes)
    except (TypeError, ValueError):
        mins = -1
    if isinstance(minutes, bool) or not 1 <= mins <= 24 * 60:
        raise ValidationError({"minutes": [_("Enter the minutes spent (1 to 1440).")]})
    now = timezone.now()
    performed_at = performed_at or now
    if timezone.is_naive(performed_at):
        raise ValidationError({"performed_at": [_("Enter a time with its time zone.")]})
    if performed_at > now + dt.timedelta(minutes=5):
        raise ValidationError({"performed_at": [_("The time cannot be in the future.")]})
    person = person_of(actor)
    if person is None:
        raise ValidationError(
            {"person": [_("Your account is not linked to a person; a work record needs one.")]}
        )
    with transaction.atomic():
        fresh = WorkOrder.objects.get(pk=order.pk)
        _require_staff(actor, fresh)
        if fresh.status == Status.CLOSED:
            raise _refuse(fresh, _("Work cannot be recorded on an order that is %(status)s."))
        rec = WorkRecord.objects.create(
            order=fresh,
            person=person,
            description=description,
            minutes=mins,
            performed_at=performed_at,
        )
        audit.record(
            AuditAction.CREATE,
            rec,
            actor=actor,
            changes={k: [None, v] for k, v in audit.snapshot(rec).items()},
        )
    return rec


def add_attachment(actor: Any, order: WorkOrder, upload: UploadedFile) -> Attachment:
    """A photo or file, checked for size and type (extension and content)."""
    name, ctype = check_upload(upload)
    with _files_removed_on_failure() as stored, transaction.atomic():
        fresh = WorkOrder.objects.select_related("requester").get(pk=order.pk)
        _require_requester(actor, fresh, or_staff=True)
        if fresh.status == Status.CLOSED:
            raise _refuse(fresh, _("Files cannot be added to an order that is %(status)s."))
        return _store_attachment(actor, fresh, upload, name, ctype, stored)


# --- priority and major incidents -------------------------------------------------------
def set_priority(
    actor: Any,
    order: WorkOrder,
    *,
    impact: int | None = None,
    urgency: int | None = None,
    priority: int | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """Change impact/urgency (priority from the matrix) or override the priority (a reason is
    required); the SLA due times are recomputed keeping the time already spent."""
    reason = _text(reason, "reason", required=False, max_length=300)
    new_impact = _choice(impact, Level, "impact", 0) or None
    new_urgency = _choice(urgency, Level, "urgency", 0) or None
    new_priority = _choice(priority, Priority, "priority", 0) or None
    if new_impact is None and new_urgency is None and new_priority is None:
        raise ValidationError({"priority": [_("Give the impact, the urgency or the priority.")]})

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        old = o.priority
        o.impact = new_impact or o.impact
        o.urgency = new_urgency or o.urgency
        computed = matrix_priority(o.impact, o.urgency)
        if new_priority is not None and new_priority != computed and not reason:
            raise ValidationError(
                {"reason": [_("Give a reason to override the priority of the matrix.")]}
            )
        o.priority = new_priority or computed
        o.priority_reason = reason if o.priority != computed else (reason or "")
        if o.priority != old:
            sla.on_priority_change(o, now, old)

    return _transition(
        actor,
        order,
        "priority",
        allowed=OPEN_STATUSES,
        refusal=_("The priority of an order that is %(status)s cannot change."),
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        extra={"reason": reason} if reason else None,
        expected_version=expected_version,
    )


def set_major(
    actor: Any,
    order: WorkOrder,
    *,
    is_major: bool,
    report: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """Flag (or unflag) a major incident and write its report to the leaders; the director is
    told (urgently) when an order becomes major."""
    report = _text(report, "major_report", required=False, max_length=20000)
    became: list[bool] = []

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        became.append(bool(is_major) and not o.is_major)
        o.is_major = bool(is_major)
        if report:
            o.major_report = report

    def after(o: WorkOrder) -> None:
        if became and became[0]:
            notify(
                "workorders.major",
                obj=o,
                recipients=["role:director"],
                data=_data(o, location=o.location),
                severity="critical",
                urgent=True,
                dedupe_key=f"major:{o.pk}:{o.version}",
            )

    return _transition(
        actor,
        order,
        "major",
        allowed=[*OPEN_STATUSES, Status.RESOLVED],
        refusal=_("An order that is %(status)s cannot change."),
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        after=after,
        expected_version=expected_version,
    )


def bulk_assign(
    actor: Any,
    orders: Iterable[WorkOrder],
    *,
    team: Team | None = None,
    assignee: Person | None = None,
) -> int:
    """Assign many orders at once: all or none."""
    count = 0
    with transaction.atomic():
        for order in orders:
            assign(actor, order, team=team, assignee=assignee)
            count += 1
    return count


# --- what the UI may offer --------------------------------------------------------------
def allowed_actions(user: Any, order: WorkOrder) -> set[str]:
    """The actions ``user`` may take on ``order`` now (the UI shows these buttons)."""
    staff = is_staff(user, order)
    requester = is_requester_side(user, order)
    status = order.status
    acts: set[str] = set()
    if staff:
        if status == Status.NEW:
            acts.add("accept")
        if status == Status.ACCEPTED:
            acts.add("start")
        if status in OPEN_STATUSES:
            acts |= {"assign", "transfer", "priority"}
        if status in (Status.ACCEPTED, Status.IN_PROGRESS):
            acts.add("wait")
        if status == Status.WAITING:
            acts.add("resume")
        if status in (Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING):
            acts.add("resolve")
        if status != Status.CLOSED:
            acts |= {"close", "merge", "major", "record"}
        acts |= {"comment", "note"}
    if requester:
        acts.add("comment")
        if status == Status.RESOLVED:
            acts.add("confirm")
        if status in (Status.RESOLVED, Status.CLOSED):
            acts.add("rate")
    if status != Status.CLOSED and (staff or requester):
        acts.add("attach")
    if (staff or requester) and status in (Status.RESOLVED, Status.CLOSED):
        deadline = reopen_deadline(order)
        if (
            not order.merged_into_id
            and deadline is not None
            and timezone.localdate(timezone.now()) <= deadline
        ):
            acts.add("reopen")
    if order.is_major:
        acts.discard("merge")
    return acts


# --- periodic: auto-close ---------------------------------------------------------------
def close_resolved(now: dt.datetime | None = None) -> int:
    """Close the orders resolved more than ``WORKORDER_AUTOCLOSE_DAYS`` working days ago."""
    now = now or timezone.now()
    days = autoclose_days()
    schedule = WorkSchedule(default_calendar())
    today = schedule.local_date(now)
    candidates = WorkOrder.objects.filter(
        status=Status.RESOLVED, resolved_at__lte=now - dt.timedelta(days=days)
    ).order_by("resolved_at", "pk")
    closed = 0
    for order in candidates.iterator(chunk_size=500):
        assert order.resolved_at is not None
        if schedule.add_working_days(schedule.local_date(order.resolved_at), days) >= today:
            continue
        if order.is_major and not order.major_report.strip():
            continue  # waits for its report
        try:
            close(
                None,
                order,
                reason=_("Closed automatically after %(days)d working days.") % {"days": days},
                now=now,
            )
        except ValidationError:  # changed meanwhile (reopened, closed): fine
            continue
        closed += 1
    return closed


# --- defaults ---------------------------------------------------------------------------
DEFAULT_SLA = {  # priority: (response, resolution) in working minutes
    Priority.P1: (60, 4 * 60),
    Priority.P2: (2 * 60, 8 * 60),
    Priority.P3: (4 * 60, 24 * 60),
    Priority.P4: (8 * 60, 40 * 60),
}
# The SLA engine's own default ladder (the policy's warn_percent warns below 100 %), as rows
# an administrator can see and change.
DEFAULT_ESCALATION = sla.DEFAULT_RULES


def ensure_defaults(using: str = "default") -> None:
    """Seed the priority matrix, the SLA policies (P1 1 h/4 h, P2 2 h/8 h, P3 4 h/24 h,
    P4 8 h/40 h of working time) and the escalation rules when their tables are empty (run
    after ``migrate``; an administrator's own settings are never touched)."""
    with transaction.atomic(using=using):
        if not PriorityRule.objects.using(using).exists():
            PriorityRule.objects.using(using).bulk_create(
                [
                    PriorityRule(impact=i, urgency=u, priority=DEFAULT_MATRIX[i + u])
                    for i in Level.values
                    for u in Level.values
                ]
            )
        if not SlaPolicy.objects.using(using).exists():
            SlaPolicy.objects.using(using).bulk_create(
                [
                    SlaPolicy(
                        name=f"P{p}",
                        priority=p,
                        response_minutes=resp,
                        resolution_minutes=res,
                    )
                    for p, (resp, res) in DEFAULT_SLA.items()
                ]
            )
        if not EscalationRule.objects.using(using).exists():
            EscalationRule.objects.using(using).bulk_create(
                [EscalationRule(percent=p, target=t) for p, t in DEFAULT_ESCALATION]
            )
