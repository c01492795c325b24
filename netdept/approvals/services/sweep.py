"""Time limits on the working calendar: reminders before a step's limit, passing the step on
at it, and emergency requests not approved in time (run every minute by ``tasks``).

Each part reads only the rows due now through a partial index, so a sweep with nothing due
costs three index probes."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from netdept.approvals import notices, resolve
from netdept.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStep,
    DecisionStatus,
    Escalate,
    RequestStatus,
    StepStatus,
)
from netdept.approvals.services import engine
from netdept.approvals.services import steps as build
from netdept.core import audit
from netdept.core.models.audit import AuditAction
from netdept.tasks.jobs import once

BATCH = 200


def sweep(at: dt.datetime) -> int:
    return remind(at) + escalate(at) + emergencies(at)


def remind(at: dt.datetime) -> int:
    done = 0
    ids = list(
        ApprovalStep.objects.filter(
            status=StepStatus.PENDING, reminded_at__isnull=True, remind_at__lte=at
        ).values_list("pk", flat=True)[:BATCH]
    )
    for pk in ids:
        with transaction.atomic():
            step = ApprovalStep.objects.select_for_update().select_related("request").get(pk=pk)
            if step.status != StepStatus.PENDING or step.reminded_at is not None:
                continue
            step.reminded_at = at
            step.save(update_fields=["reminded_at", "updated_at"])
            waiting = list(
                step.decisions.filter(status=DecisionStatus.PENDING).select_related("approver")
            )
            notices.reminder(step, waiting)
            done += 1
    return done


def escalate(at: dt.datetime) -> int:
    """Steps past their limit: marked overdue (``escalated_at``) and, as the rule says, passed
    to each approver's superior or to a named person."""
    done = 0
    ids = list(
        ApprovalStep.objects.filter(
            status=StepStatus.PENDING, escalated_at__isnull=True, due_at__lte=at
        ).values_list("pk", flat=True)[:BATCH]
    )
    for pk in ids:
        with transaction.atomic():
            step = (
                ApprovalStep.objects.select_for_update()
                .select_related("request", "request__requester", "escalate_person")
                .get(pk=pk)
            )
            if step.status != StepStatus.PENDING or step.escalated_at is not None:
                continue
            if not once(f"approvals.escalate:{step.pk}"):
                continue
            step.escalated_at = at
            step.save(update_fields=["escalated_at", "updated_at"])
            _pass_on(step, at)
            done += 1
    return done


def _pass_on(step: ApprovalStep, at: dt.datetime) -> None:
    request = step.request
    requester = request.requester
    waiting = list(step.decisions.filter(status=DecisionStatus.PENDING).select_related("approver"))
    new: list[ApprovalDecision] = []
    reason = ""
    if step.escalate_to == Escalate.PERSON and step.escalate_person is not None:
        targets = [step.escalate_person]
        reason = _("passed to %(name)s") % {"name": step.escalate_person.name}
    elif step.escalate_to == Escalate.SUPERIOR:
        targets = []
        for d in waiting:
            up = resolve.superior(d.on_behalf_of or d.approver)
            if up is not None and up.pk != requester.pk:
                targets.append(up)
        reason = _("passed to the approver's superior")
    else:
        targets = []
    if targets:
        ApprovalDecision.objects.filter(pk__in=[d.pk for d in waiting]).update(
            status=DecisionStatus.PASSED_ON, updated_at=at
        )
        for person in {p.pk: p for p in targets}.values():
            seat = build.seat(step, person, at, requester)
            if seat is not None:
                seat.due_at = None
                new.append(seat)
        new = ApprovalDecision.objects.bulk_create(new)
        if len(new) < step.needed:
            step.needed = max(1, len(new))
            step.save(update_fields=["needed", "updated_at"])
    audit.record(
        AuditAction.UPDATE,
        step,
        changes={"overdue": [False, True]},
        extra={"approval": "overdue", "passed_to": [d.approver.name for d in new]},
    )
    notices.overdue(step, waiting, reason)
    notices.pending(new, request)


def emergencies(at: dt.datetime) -> int:
    done = 0
    ids = list(
        ApprovalRequest.objects.filter(
            emergency=True, status=RequestStatus.PENDING, emergency_due__lte=at, flagged=False
        ).values_list("pk", flat=True)[:BATCH]
    )
    for pk in ids:
        with transaction.atomic():
            request = ApprovalRequest.objects.select_for_update().get(pk=pk)
            if request.flagged or request.status != RequestStatus.PENDING:
                continue
            engine.flag(request, _("Acted on as an emergency, and not approved in time."))
            done += 1
    return done
