"""Filing an order: its number, its category and team, the SLA clock, its first files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.core import audit
from netdept.core.machines import field_limit
from netdept.core.models.audit import AuditAction
from netdept.core.services import require
from netdept.notify import notify
from netdept.org.models import Person
from netdept.workorders import sla
from netdept.workorders.models import Category, Kind, Level, Priority, Source, Status, WorkOrder
from netdept.workorders.models import Sequence as NumberSequence
from netdept.workorders.services import approval
from netdept.workorders.services.attachments import (
    _files_removed_on_failure,
    _store_attachment,
    check_upload,
)
from netdept.workorders.services.common import _choice, _text, person_of
from netdept.workorders.services.engine import _data
from netdept.workorders.services.priority import matrix_priority


def _limit(name: str) -> int | None:
    return field_limit(WorkOrder, name)


def next_number(now: dt.datetime | None = None) -> str:
    """``WO-YYYYMMDD-NNNN`` from the per-day counter; unique under concurrent opens (the
    counter row stays locked until the caller's transaction ends)."""
    day = timezone.localdate(now or timezone.now()).strftime("%Y%m%d")
    with transaction.atomic():
        NumberSequence.objects.bulk_create([NumberSequence(day=day)], ignore_conflicts=True)
        NumberSequence.objects.filter(day=day).update(last=F("last") + 1)
        last = NumberSequence.objects.filter(day=day).values_list("last", flat=True).get()
    return f"WO-{day}-{last:04d}"


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
    """File an order (the requester is ``on_behalf_of`` or the actor's person). An order of a
    category that requires approval waits for it (``pending_approval``, submitted here: see
    ``services.approval``); a purchase category needs the estimated cost."""
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
    category = _category(data.get("category"), kind)
    rule = approval.rule_of(category)
    order = WorkOrder(
        kind=kind,
        category=category,
        title=_text(data.get("title"), "title", limit=_limit("title")),
        description=_text(
            data.get("description"), "description", required=False, limit=_limit("description")
        ),
        estimated_cost=approval.parse_cost(data.get("estimated_cost"), category),
        location=_text(data.get("location"), "location", required=False, limit=_limit("location")),
        device=_text(data.get("device"), "device", required=False, limit=_limit("device")),
        contact=_text(data.get("contact"), "contact", required=False, limit=_limit("contact")),
        registration_no=_text(
            data.get("registration_no"),
            "registration_no",
            required=False,
            limit=_limit("registration_no"),
        ),
        source=_choice(data.get("source"), Source, "source", default_source),
        impact=impact,
        urgency=urgency,
        priority=matrix_priority(impact, urgency),
        requester=requester,
        requester_department=requester.department if requester else None,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        status=Status.NEW if rule is None else Status.PENDING_APPROVAL,
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
        if rule is not None:
            approval.hold(order, now)  # the clock waits with the order (per its policy)
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
        if rule is not None:
            # Submitted at once; a chain that needs nobody approves it here (then it is new
            # and its team was told by the approval's hook).
            approval.submit(actor, order, rule)
            order.refresh_from_db()
        elif order.team_id:
            notify(
                "workorders.assigned",
                obj=order,
                recipients=[order.team],
                data=_data(order),
                severity="warning" if order.priority == Priority.P1 else "info",
            )
    return order
