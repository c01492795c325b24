"""Time limits on the working calendar: reminders before a step's limit, passing the step on
at it, and emergency requests not approved in time (run every minute by ``tasks``).

Each part reads only the rows due now through a partial index, so a sweep with nothing due
costs a few index probes. Every row is handled in a transaction of its own that locks the
request first and then the step — the order ``decide``, ``withdraw`` and ``resubmit`` use —
so a decision taken at the same moment either lands before (the sweep then skips the step)
or after (the decision sees the step passed on), never half of each. Running the sweep twice
for the same instant changes nothing and tells nobody twice (``reminded_at``,
``escalated_at`` and ``flagged`` are the markers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.functional import lazy
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
from netdept.notify import listing
from netdept.org.models import Person
from netdept.tasks.jobs import once

BATCH = 200
#: Decisions that give their holder a say on the step: such a person never gets a second seat.
HOLDING = (
    DecisionStatus.PENDING,
    DecisionStatus.APPROVED,
    DecisionStatus.REJECTED,
    DecisionStatus.RETURNED,
)


def sweep(at: dt.datetime) -> int:
    """Everything due at ``at``; answers how many steps or requests were handled."""
    return remind(at) + escalate(at) + emergencies(at)


def _locked_step(pk: int) -> ApprovalStep | None:
    """The step ``pk`` with its request, both locked (the request first, as ``decide`` does)."""
    request_id = ApprovalStep.objects.filter(pk=pk).values_list("request_id", flat=True).first()
    if request_id is None:
        return None
    list(ApprovalRequest.objects.select_for_update().filter(pk=request_id).values_list("pk"))
    return (
        ApprovalStep.objects.select_for_update(of=("self",))
        .select_related("request", "request__requester", "escalate_person")
        .filter(pk=pk)
        .first()
    )


def remind(at: dt.datetime) -> int:
    """Tell the approvers of each step whose reminder time has come that the limit is near."""
    done = 0
    ids = list(
        ApprovalStep.objects.filter(
            status=StepStatus.PENDING, reminded_at__isnull=True, remind_at__lte=at
        ).values_list("pk", flat=True)[:BATCH]
    )
    for pk in ids:
        with transaction.atomic():
            step = _locked_step(pk)
            if step is None or step.status != StepStatus.PENDING or step.reminded_at is not None:
                continue
            step.reminded_at = at
            step.save(update_fields=["reminded_at", "updated_at"])
            if step.due_at is not None and step.due_at <= at:
                # The limit passed before any sweep saw the reminder (the worker was down):
                # the overdue notice of ``escalate`` says it all; "due soon" would be false.
                continue
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
            step = _locked_step(pk)
            if step is None or step.status != StepStatus.PENDING or step.escalated_at is not None:
                continue
            if not once(f"approvals.escalate:{step.pk}"):
                continue
            step.escalated_at = at
            step.save(update_fields=["escalated_at", "updated_at"])
            _pass_on(step, at)
            done += 1
    return done


def _target(step: ApprovalStep, d: ApprovalDecision) -> Person | None:
    """Whom ``d`` goes to at the limit: the named person, or the superior of the person the
    decision was meant for (a delegate's seat goes up from the delegator)."""
    if step.escalate_to == Escalate.PERSON:
        person = step.escalate_person
        return person if person is not None and person.is_active else None
    if step.escalate_to == Escalate.SUPERIOR:
        return resolve.superior(d.on_behalf_of or d.approver)
    return None


def _names(names: Sequence[str]) -> str:
    return _("passed to %(name)s") % {"name": str(listing(names))}


#: The reason of the overdue notice, said in each reader's language when it is read.
_passed_to = lazy(_names, str)


def _pass_on(step: ApprovalStep, at: dt.datetime) -> None:
    """Give each waiting decision's seat to its target, as a new pending decision; the old
    one is ``passed_on``. A seat stays where it is when there is nobody to pass it to (no
    superior, the requester, a delegation that ends at the requester) or when the target
    already has a say on this step (they never get a second seat, which would count twice
    towards a quorum). Seats going to the same person become one; the step then needs no
    more approvals than it can still get."""
    request = step.request
    requester = request.requester
    decisions = list(step.decisions.select_related("approver", "on_behalf_of"))
    waiting = [d for d in decisions if d.status == DecisionStatus.PENDING]
    having_a_say = {d.approver_id for d in decisions if d.status in HOLDING}
    seats: dict[int, ApprovalDecision] = {}
    passed: list[ApprovalDecision] = []
    for d in waiting:
        target = _target(step, d)
        if target is None or target.pk == requester.pk:
            continue
        seat = build.seat(step, target, at, requester)  # due_at: the step's (now overdue)
        if seat is None or seat.approver_id in having_a_say:
            continue
        seats.setdefault(seat.approver_id, seat)
        passed.append(d)
    new: list[ApprovalDecision] = []
    if passed:
        ApprovalDecision.objects.filter(
            pk__in=[d.pk for d in passed], status=DecisionStatus.PENDING
        ).update(status=DecisionStatus.PASSED_ON, updated_at=at)
        new = ApprovalDecision.objects.bulk_create(list(seats.values()))
        reachable = step.decisions.filter(
            status__in=[DecisionStatus.APPROVED, DecisionStatus.PENDING]
        ).count()
        if step.needed > reachable:
            step.needed = max(1, reachable)
            step.save(update_fields=["needed", "updated_at"])
    audit.record(
        AuditAction.UPDATE,
        step,
        changes={"overdue": [False, True]},
        extra={
            "approval": "overdue",
            "passed_from": [d.approver.name for d in passed],
            "passed_to": [d.approver.name for d in new],
        },
    )
    reason = _passed_to(tuple(d.approver.name for d in new)) if new else ""
    # The approvers whose seat was passed on, those who keep theirs, and the new holders
    # (each link opens the reader's own decision).
    notices.overdue(step, [*waiting, *new], reason)


def emergencies(at: dt.datetime) -> int:
    """Emergency requests whose time to be approved has passed while still in approval, or
    returned for changes and not approved since: flagged, the director and auditors told.
    (Rejected ones are flagged when rejected, by the engine.)"""
    due = ApprovalRequest.objects.filter(emergency=True, emergency_due__lte=at, flagged=False)
    ids = list(due.filter(status=RequestStatus.PENDING).values_list("pk", flat=True)[:BATCH])
    ids += list(due.filter(status=RequestStatus.RETURNED).values_list("pk", flat=True)[:BATCH])
    done = 0
    for pk in ids:
        with transaction.atomic():
            request = ApprovalRequest.objects.select_for_update().filter(pk=pk).first()
            if (
                request is None
                or request.flagged
                or request.status not in (RequestStatus.PENDING, RequestStatus.RETURNED)
            ):
                continue
            engine.flag(request, _("Acted on as an emergency, and not approved in time."))
            done += 1
    return done
