"""The approval engine: submit, decide (approve, reject, return for changes), withdraw,
resubmit. One transaction each; every decision is audited; notifications go on commit.

The module that owns the approved object hears of the outcome through its kind's
``on_decided(request)`` (``netdept.approvals.kinds``), inside the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.approvals import kinds, notices
from netdept.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalRule,
    ApprovalStep,
    DecisionStatus,
    RequestStatus,
    Restart,
    StepStatus,
)
from netdept.approvals.services import steps as build
from netdept.core import audit, context, permissions
from netdept.core.machines import resolve as resolve_path
from netdept.core.models.audit import AuditAction
from netdept.org.models import Person
from netdept.org.people import person_of as person_of  # one answer for every module

MAX_REASON = 2000
RESOLVED_STATES = {StepStatus.APPROVED, StepStatus.REJECTED, StepStatus.RETURNED}


def now() -> dt.datetime:
    return timezone.now()


def _kind(code: str) -> kinds.ApprovalKind:
    kind = kinds.get(code)
    if kind is None:
        raise ValidationError({"kind": _("Unknown kind of request: %(kind)s.") % {"kind": code}})
    return kind


def rule_for(kind: str, rule: ApprovalRule | None = None) -> ApprovalRule:
    if rule is not None:
        if not rule.is_active:
            raise ValidationError({"rule": _("The rule %(rule)s is not active.") % {"rule": rule}})
        if rule.kind != kind:
            raise ValidationError(
                {"rule": _("The rule %(rule)s is for another kind.") % {"rule": rule}}
            )
        return rule
    found = (
        ApprovalRule.objects.filter(kind=kind, is_active=True, is_default=True)
        .order_by("pk")
        .first()
    )
    if found is None:
        raise ValidationError(
            {"rule": _("No active default rule for %(kind)s.") % {"kind": _kind(kind).label}}
        )
    return found


def _object_fields(obj: Any) -> tuple[str, str]:
    if isinstance(obj, models.Model):
        return audit.object_type(obj), str(obj.pk)
    return "", ""


def _hook(request: ApprovalRequest) -> None:
    kind = kinds.get(request.kind)
    if kind is not None and kind.on_decided:
        resolve_path(kind.on_decided)(request)


def _record(action: str, obj: Any, **extra: Any) -> None:
    audit.record(AuditAction.UPDATE, obj, extra={"approval": action, **extra})


# --- submit --------------------------------------------------------------------------------
def submit(
    user: Any,
    *,
    kind: str,
    obj: Any = None,
    rule: ApprovalRule | None = None,
    requester: Person | None = None,
    title: str = "",
    data: dict[str, Any] | None = None,
    emergency: bool = False,
) -> ApprovalRequest:
    """Create the request, its steps and the first step's decisions; answer the request.

    ``emergency``: act first, approve after — allowed when the rule says so; the request is
    then to be approved within the rule's working hours, or it is flagged for review."""
    k = _kind(kind)
    r = rule_for(kind, rule)
    if obj is not None and k.requester is not None and requester is None:
        requester = k.requester(obj)
    if requester is None:
        requester = person_of(user)
    if requester is None:
        raise ValidationError({"requester": _("The request needs a requester (a person).")})
    if obj is not None and k.data is not None:
        data = {**k.data(obj), **(data or {})}
    if obj is not None and not title and k.title is not None:
        title = k.title(obj)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("The request needs a title.")})
    if emergency and not r.emergency_allowed:
        raise ValidationError(
            {"emergency": _("The rule %(rule)s does not allow acting first.") % {"rule": r}}
        )
    at = now()
    object_type, object_id = _object_fields(obj)
    with transaction.atomic():
        request = ApprovalRequest.objects.create(
            kind=kind,
            rule=r,
            rule_version=r.version,
            snapshot=build.snapshot_of(r),
            object_type=object_type,
            object_id=object_id,
            title=title[:200],
            requester=requester,
            submitted_by=user,
            data=_jsonable(data or {}),
            emergency=emergency,
            submitted_at=at,
        )
        if emergency:
            request.emergency_due = build.schedule().add(at, dt.timedelta(hours=r.emergency_hours))
            request.save(update_fields=["emergency_due"])
        audit.record(
            AuditAction.CREATE,
            request,
            actor=user,
            extra={"approval": "submit", "rule": r.code, "rule_version": r.version,
                   "emergency": emergency},
        )  # fmt: skip
        build.create_steps(request)
        _advance(request, at)
    return request


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None or isinstance(value, (bool, int, float, str)):
            out[key] = value
        else:
            out[key] = str(value)
    return out


def _advance(request: ApprovalRequest, at: dt.datetime) -> None:
    """Activate the next waiting step (skipping those that need nobody); approve the request
    when none is left."""
    while True:
        step = request.steps.filter(status=StepStatus.WAITING).order_by("position").first()
        if step is None:
            _finish(request, RequestStatus.APPROVED, at)
            return
        if activate(step, at):
            request.current_position = step.position
            request.save(update_fields=["current_position", "updated_at"])
            return


def activate(step: ApprovalStep, at: dt.datetime) -> bool:
    """Bring ``step`` to its approvers; False when it was skipped."""
    request = step.request
    requester = request.requester
    people, needed, note, skip = build.candidates(step, requester)
    if skip:
        step.status = StepStatus.SKIPPED
        step.routed_reason = note[:300]
        step.decided_at = at
        step.save(update_fields=["status", "routed_reason", "decided_at", "updated_at"])
        return False
    if not people:
        people = build.fallback(requester)
        needed = 1
        note = _("%(reason)s Passed to the director.") % {"reason": note}
    step.status = StepStatus.PENDING
    step.needed = needed
    step.routed_reason = note[:300]
    step.activated_at = at
    step.due_at, step.remind_at = build.due_times(step, at)
    step.save()
    seats = [d for d in (build.seat(step, p, at, requester) for p in people) if d is not None]
    created = ApprovalDecision.objects.bulk_create(seats)
    if note:
        _record("routed", request, step=step.name, note=note)
    notices.pending(created, request)
    return True


def _finish(request: ApprovalRequest, status: str, at: dt.datetime, reason: str = "") -> None:
    request.status = status
    request.decided_at = at if status != RequestStatus.RETURNED else None
    request.version += 1
    request.save(update_fields=["status", "decided_at", "version", "updated_at"])
    if status != RequestStatus.APPROVED:
        request.steps.filter(status=StepStatus.WAITING).update(
            status=StepStatus.CANCELLED, updated_at=at
        )
        request.steps.filter(status=StepStatus.PENDING).update(
            status=StepStatus.CANCELLED, updated_at=at
        )
        request.decisions.filter(status=DecisionStatus.PENDING).update(
            status=DecisionStatus.NOT_NEEDED, updated_at=at
        )
    audit.record(
        AuditAction.UPDATE,
        request,
        changes={"status": [RequestStatus.PENDING.value, status]},
        extra={"approval": "outcome", "reason": reason[:200]},
    )
    if request.emergency and status == RequestStatus.REJECTED:
        flag(request, _("Acted on as an emergency, and rejected afterwards."))
    elif request.emergency and status == RequestStatus.WITHDRAWN:
        flag(request, _("Acted on as an emergency, and withdrawn before it was approved."))
    elif (
        request.emergency
        and status == RequestStatus.APPROVED
        and request.emergency_due is not None
        and at > request.emergency_due
    ):
        flag(request, _("Acted on as an emergency, and approved only after its time limit."))
    _hook(request)
    notices.decided(request)


def flag(request: ApprovalRequest, reason: str) -> None:
    """Mark an emergency request for review and tell the director and the auditors."""
    if request.flagged:
        return
    request.flagged = True
    request.flag_reason = reason[:300]
    request.save(update_fields=["flagged", "flag_reason", "updated_at"])
    _record("flagged", request, reason=reason)
    notices.flagged(request)


# --- decide --------------------------------------------------------------------------------
APPROVE, REJECT, RETURN = "approve", "reject", "return"


def may_decide(user: Any, decision: ApprovalDecision) -> bool:
    """The holder of the decision, or the person it was meant for (back early)."""
    person = person_of(user)
    return person is not None and person.pk in (decision.approver_id, decision.on_behalf_of_id)


def _who_decided(d: ApprovalDecision) -> str:
    name = d.approver.name if d.approver_id else "—"
    when = timezone.localtime(d.decided_at).strftime("%Y-%m-%d %H:%M") if d.decided_at else ""
    return _("%(name)s, %(when)s") % {"name": name, "when": when}


class Conflict(ValidationError):
    """A lost race or a decision already taken: the page shows it above the form, the API
    answers 409 (``code="conflict"``), nothing is changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="conflict")


def _refuse_decided(step: ApprovalStep, decision: ApprovalDecision) -> None:
    first = (
        step.decisions.exclude(status__in=[DecisionStatus.PENDING, DecisionStatus.NOT_NEEDED,
                                           DecisionStatus.PASSED_ON])
        .select_related("approver")
        .order_by("decided_at", "pk")
        .first()
    )  # fmt: skip
    if decision.status == DecisionStatus.PASSED_ON:
        raise Conflict(_("This approval was passed on to someone else; it is no longer yours."))
    if first is not None:
        raise Conflict(
            _("Already decided: %(outcome)s by %(who)s. Nothing was changed.")
            % {"outcome": first.get_status_display(), "who": _who_decided(first)}
        )
    raise Conflict(_("This step is no longer awaiting a decision."))


def decide(
    user: Any,
    decision: ApprovalDecision,
    action: str,
    comment: str = "",
    *,
    otp_code: str = "",
    expected_version: int | None = None,
) -> ApprovalDecision:
    """``user`` approves, rejects (a reason is required) or returns ``decision``'s step.

    Refused, with the reason: a decision not theirs, of a withdrawn or decided request, of a
    step already decided (naming who was first), their own request, a high-risk step without
    the second factor."""
    comment = (comment or "").strip()
    if action not in (APPROVE, REJECT, RETURN):
        raise ValidationError({"action": _("Unknown decision.")})
    if action in (REJECT, RETURN) and not comment:
        raise ValidationError({"comment": _("Give the reason.")})
    if len(comment) > MAX_REASON:
        raise ValidationError(
            {"comment": _("Keep it to %(limit)s characters.") % {"limit": MAX_REASON}}
        )
    if not may_decide(user, decision):
        audit.record(
            AuditAction.DENIED, decision, actor=user, extra={"permission": "approvals.decide"}
        )
        raise PermissionDenied(_("This approval is not yours to decide."))
    person = person_of(user)
    assert person is not None
    if person.pk == decision.request.requester_id:
        raise PermissionDenied(_("Nobody approves their own request."))
    if action == APPROVE and decision.step.require_2fa:
        _check_second_factor(user, otp_code)
    at = now()
    with transaction.atomic():
        # The request first, then the step: the order of withdraw, resubmit and the sweep
        # (the other order deadlocks with them on PostgreSQL).
        request = ApprovalRequest.objects.select_for_update().get(pk=decision.request_id)
        step = ApprovalStep.objects.select_for_update().get(pk=decision.step_id)
        decision = ApprovalDecision.objects.select_related("approver", "request").get(
            pk=decision.pk
        )
        if request.status == RequestStatus.WITHDRAWN:
            raise Conflict(_("The request was withdrawn by its requester."))
        if decision.status != DecisionStatus.PENDING or step.status != StepStatus.PENDING:
            _refuse_decided(step, decision)
        if expected_version is not None and expected_version != decision.version:
            raise Conflict(_("This approval changed since you opened it; reload the page."))
        status = {APPROVE: DecisionStatus.APPROVED, REJECT: DecisionStatus.REJECTED,
                  RETURN: DecisionStatus.RETURNED}[action]  # fmt: skip
        changed = ApprovalDecision.objects.filter(
            pk=decision.pk, status=DecisionStatus.PENDING
        ).update(
            status=status,
            comment=comment,
            decided_at=at,
            decided_by=user,
            ip=context.current().ip or None,
            version=models.F("version") + 1,
            updated_at=at,
        )
        if not changed:  # lost a race the lock did not cover (SQLite)
            _refuse_decided(step, decision)
        decision.refresh_from_db()
        audit.record(
            AuditAction.UPDATE,
            decision,
            actor=user,
            changes={"status": [DecisionStatus.PENDING.value, status]},
            extra={
                "approval": action,
                "request": request.pk,
                "step": step.name,
                "comment": comment[:500],
                **(
                    {"on_behalf_of": decision.on_behalf_of.name}
                    if decision.on_behalf_of_id and decision.on_behalf_of
                    else {}
                ),
            },
        )
        _after_decision(request, step, action, at, comment)
    return decision


def _check_second_factor(user: Any, code: str) -> None:
    from netdept.accounts import services as account_services

    code = (code or "").strip()
    if not code:
        raise ValidationError(
            {"otp_code": _("This step needs your second factor: enter the code.")}
        )
    result = account_services.check_totp(user, code, context.current().ip, clear_lockout=False)
    if result.device is None:
        raise ValidationError({"otp_code": _("The code is not right.")})


def _after_decision(
    request: ApprovalRequest, step: ApprovalStep, action: str, at: dt.datetime, comment: str
) -> None:
    counts = {row["status"]: row["n"] for row in step.decisions.values("status").annotate(
        n=models.Count("pk"))}  # fmt: skip
    approved = counts.get(DecisionStatus.APPROVED, 0)
    pending = counts.get(DecisionStatus.PENDING, 0)
    if action == RETURN:
        _close_step(step, StepStatus.RETURNED, at)
        _finish(request, RequestStatus.RETURNED, at, comment)
    elif action == REJECT and (step.needed <= 1 or approved + pending < step.needed):
        _close_step(step, StepStatus.REJECTED, at)
        _finish(request, RequestStatus.REJECTED, at, comment)
    elif approved >= step.needed:
        _close_step(step, StepStatus.APPROVED, at)
        _advance(request, at)


def _close_step(step: ApprovalStep, status: str, at: dt.datetime) -> None:
    step.status = status
    step.decided_at = at
    step.save(update_fields=["status", "decided_at", "updated_at"])
    step.decisions.filter(status=DecisionStatus.PENDING).update(
        status=DecisionStatus.NOT_NEEDED, updated_at=at
    )


def approve(user: Any, decision: ApprovalDecision, comment: str = "", otp_code: str = "",
            expected_version: int | None = None) -> ApprovalDecision:  # fmt: skip
    return decide(user, decision, APPROVE, comment, otp_code=otp_code,
                  expected_version=expected_version)  # fmt: skip


def reject(user: Any, decision: ApprovalDecision, comment: str = "",
           expected_version: int | None = None) -> ApprovalDecision:  # fmt: skip
    return decide(user, decision, REJECT, comment, expected_version=expected_version)


def return_for_changes(user: Any, decision: ApprovalDecision, comment: str = "",
                       expected_version: int | None = None) -> ApprovalDecision:  # fmt: skip
    return decide(user, decision, RETURN, comment, expected_version=expected_version)


def bulk_approve(user: Any, decisions: Iterable[ApprovalDecision], comment: str = "") -> int:
    """Approve several at once: only decisions of rules that allow it, never a step that needs
    the second factor. Each is decided (and audited) on its own; answers how many."""
    done = 0
    for d in decisions:
        if not d.request.snapshot.get("rule", {}).get("allow_bulk") or d.step.require_2fa:
            raise ValidationError(
                {"status": _("%(title)s cannot be approved in bulk: open it to decide.")
                 % {"title": d.request.title}}
            )  # fmt: skip
    for d in decisions:
        decide(user, d, APPROVE, comment)
        done += 1
    return done


# --- the requester's side ------------------------------------------------------------------
def may_withdraw(user: Any, request: ApprovalRequest) -> bool:
    person = person_of(user)
    if person is not None and person.pk == request.requester_id:
        return True
    if user is not None and request.submitted_by_id == user.pk:
        return True
    return permissions.has_perm(user, "approvals.change_approvalrequest", request)


def _check_version(request: ApprovalRequest, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != request.version:
        raise Conflict(_("This request changed since you opened it; reload the page."))


def withdraw(
    user: Any, request: ApprovalRequest, reason: str = "", expected_version: int | None = None
) -> ApprovalRequest:
    if user is not None and not may_withdraw(user, request):
        audit.record(
            AuditAction.DENIED, request, actor=user, extra={"permission": "approvals.withdraw"}
        )
        raise PermissionDenied(_("Only the requester may withdraw the request."))
    with transaction.atomic():
        request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
        _check_version(request, expected_version)
        if request.status not in (RequestStatus.PENDING, RequestStatus.RETURNED):
            raise ValidationError(
                {"status": _("Only a pending or returned request can be withdrawn; this one is "
                             "%(status)s.") % {"status": request.get_status_display()}}
            )  # fmt: skip
        _finish(request, RequestStatus.WITHDRAWN, now(), reason)
    return request


def resubmit(
    user: Any,
    request: ApprovalRequest,
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> ApprovalRequest:
    """After a return: the chain restarts where the rule says (the first step, or the step
    that returned it), with the request's fields as they are now."""
    if user is not None and not may_withdraw(user, request):
        raise PermissionDenied(_("Only the requester may submit the request again."))
    at = now()
    with transaction.atomic():
        request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
        _check_version(request, expected_version)
        if request.status != RequestStatus.RETURNED:
            raise ValidationError(
                {"status": _("Only a returned request can be submitted again; this one is "
                             "%(status)s.") % {"status": request.get_status_display()}}
            )  # fmt: skip
        kind = kinds.get(request.kind)
        obj = object_of(request)
        fresh = dict(request.data or {})
        if obj is not None and kind is not None and kind.data is not None:
            fresh.update(kind.data(obj))
        fresh.update(data or {})
        request.data = _jsonable(fresh)
        returned = request.steps.filter(status=StepStatus.RETURNED).order_by("-position").first()
        restart = request.snapshot.get("rule", {}).get("restart_on_return", Restart.FIRST)
        from_index = returned.rule_step if returned and restart == Restart.RETURNING else 0
        last = request.steps.aggregate(m=models.Max("position"))["m"] or 0
        request.steps.exclude(status=StepStatus.APPROVED).exclude(status=StepStatus.SKIPPED).update(
            status=StepStatus.CANCELLED, updated_at=at
        )
        if restart == Restart.FIRST:
            request.steps.filter(status=StepStatus.APPROVED).update(
                status=StepStatus.CANCELLED, updated_at=at
            )
        request.status = RequestStatus.PENDING
        request.decided_at = None
        request.version += 1
        request.save()
        audit.record(AuditAction.UPDATE, request, actor=user,
                     extra={"approval": "resubmit", "restart_at": from_index})  # fmt: skip
        build.create_steps(request, from_index=from_index, start_position=last + 1)
        _advance(request, at)
    return request


def object_of(request: ApprovalRequest) -> Any:
    """The object the request is about (None for a general request, or when it is gone)."""
    kind = kinds.get(request.kind)
    if kind is None or kind.model is None or not request.object_id:
        return None
    return kind.model._default_manager.filter(pk=request.object_id).first()


def latest_for(obj: Any, kind: str) -> ApprovalRequest | None:
    object_type, object_id = _object_fields(obj)
    return (
        ApprovalRequest.objects.filter(kind=kind, object_type=object_type, object_id=object_id)
        .order_by("-submitted_at", "-pk")
        .first()
    )


def pending_for(person: Person) -> models.QuerySet[ApprovalDecision]:
    """The "待我审批" rows of ``person``: their pending decisions, the most urgent first."""
    return (
        ApprovalDecision.objects.filter(approver=person, status=DecisionStatus.PENDING)
        .select_related("request", "request__requester", "step", "on_behalf_of")
        .order_by(models.F("due_at").asc(nulls_last=True), "id")
    )
