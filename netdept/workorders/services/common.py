"""Names, settings and small helpers shared by the services: conflicts, refusals, text
input."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _

from netdept.core import audit
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.org.models import Person
from netdept.workorders.models import Status, WorkOrder
from netdept.workorders.rules import (  # re-exported: the services import them from here
    is_requester_side as is_requester_side,
)
from netdept.workorders.rules import may_reopen as may_reopen
from netdept.workorders.rules import person_of as person_of
from netdept.workorders.rules import reopen_days as reopen_days
from netdept.workorders.rules import reopen_deadline as reopen_deadline
from netdept.workorders.rules import setting

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
    "estimated_cost",
)
VIEW_INTERNAL = "workorders.view_internal_comment"


class Conflict(ValidationError):
    """Another user changed the order in the meantime (a lost race): reload and try again."""


# --- settings and small helpers -----------------------------------------------------------
def autoclose_days() -> int:
    return setting("WORKORDER_AUTOCLOSE_DAYS", 3)


def max_attachment_bytes() -> int:
    return setting("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


def _status_label(status: str) -> Any:
    """The status's label, lazy: read in the language of whoever reads it (a notification's
    recipient, the person refused)."""
    return Status(status).label if status in Status.values else status


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
    return ValidationError({field: [str(message) % {"status": _status_label(order.status)}]})


def _deny(actor: Any, order: WorkOrder, what: str) -> PermissionDenied:
    audit.record(AuditAction.DENIED, order, actor=actor, extra={"permission": what})
    return PermissionDenied(what)


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL and lone surrogates: no database keeps them


def _text(value: Any, field: str, *, required: bool = True, limit: int | None = None) -> str:
    """Text input of a service: stripped, storable, and within ``limit`` — a limit taken from
    the model (``field_limit(Model, name)`` or ``MAX_REASON``), never a number of its own, and
    refused with the message the forms and the API give (Django's length validator)."""
    text = "" if value is None else str(value).strip()
    if _UNSTORABLE.search(text):
        raise ValidationError(
            {field: [_("Null characters and broken Unicode characters are not allowed.")]}
        )
    if required and not text:
        raise ValidationError({field: [_("This field is required.")]})
    if limit:
        try:
            MaxLengthValidator(limit)(text)
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from None
    return text


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
