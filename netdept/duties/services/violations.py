"""Violations (违规), the penalties they bring by rule, appeals (申诉) and withdrawals.

``record_violation`` is the one door for a violation, whatever its source (a missed or late
duty occurrence from the engine's sweep, an SLA breach from the work-order SLA engine, a
prohibited act a lead recorded, or by hand). It imposes the penalty at once, by the rule:

* the offence number is the count of the person's penalties of the same family (not
  withdrawn, not rejected) whose violations fall within the rule's period containing
  ``occurred_at`` (month, quarter, year or ever, in the local time zone), plus one;
* the step is that offence's, or the last step when there are fewer steps than offences;
* the amount is the step's, times the number of items when the step is per item;
* a sanction that needs a decision (``NEEDS_DECISION``: pay cut, dismissal review, report to
  the superior unit, discretionary) waits as ``pending`` for the approvals engine (kind
  ``duties.penalty``); any other takes effect at once, and may be appealed within the rule's
  working days.

An appeal is decided through the approvals engine too (kind ``duties.appeal``): granted, the
penalty is withdrawn — it stays in the history with its status and the reason; refused, it
stands. Rewards are another ledger (``services.rewards``): nothing here reads or nets them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.approvals import services as approval_services
from netdept.approvals.models import ApprovalRequest, ApprovalRule, RequestStatus
from netdept.approvals.resolve import director, superiors
from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.core.services import ModelService
from netdept.duties.models import (
    Appeal,
    AppealStatus,
    Occurrence,
    Penalty,
    PenaltyRule,
    PenaltyStatus,
    PenaltyStep,
    Period,
    ProhibitedAct,
    Sanction,
    Violation,
    ViolationSource,
    ViolationStatus,
)
from netdept.duties.models.sanctions import NEEDS_DECISION, RECORD_SOURCES
from netdept.org.models import Person
from netdept.org.people import person_of as person_of  # one answer for every module
from netdept.workcal.schedule import WorkSchedule, default_calendar

PENALTY_KIND: Final = "duties.penalty"
APPEAL_KIND: Final = "duties.appeal"
CENT: Final = Decimal("0.01")
#: the largest amount the models hold (12 digits, 2 of them decimals)
MAX_AMOUNT: Final = Decimal("9999999999.99")
MAX_QUANTITY: Final = 10000
MAX_TEXT: Final = 4000
MAX_REASON: Final = 500
#: penalties that count for the escalation (and may be appealed, withdrawn…)
NOT_COUNTED: Final = (PenaltyStatus.WITHDRAWN, PenaltyStatus.REJECTED)


# --- money ---------------------------------------------------------------------------------
def money(value: Any, field: str, *, required: bool = False) -> Decimal | None:
    """``value`` as CNY with two places, or a ``ValidationError`` naming ``field``.

    Accepted: a ``Decimal``, an ``int`` or a text such as ``"10"``, ``"10.5"``, ``"¥1,200.00"``;
    refused: a float (not exact), negative amounts, more than two decimal places, anything not
    a number. ``None``/empty is ``None`` unless ``required``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError({field: _("Enter an amount in yuan, such as 50.00.")})
        return None
    if isinstance(value, bool | float):
        raise ValidationError(
            {field: _("The amount must be given exactly (a decimal such as 50.00), not %(value)s.")
             % {"value": value}}
        )  # fmt: skip
    text = str(value).strip().replace(",", "").replace("，", "")
    for sign in ("¥", "￥", "元"):
        text = text.replace(sign, "")
    try:
        amount = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: _("%(value)s is not an amount of money.") % {"value": value}}
        ) from None
    if not amount.is_finite():
        raise ValidationError({field: _("%(value)s is not an amount of money.") % {"value": value}})
    if amount < 0:
        raise ValidationError({field: _("The amount cannot be negative.")})
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValidationError({field: _("Give the amount to the fen: at most two decimal places.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("The amount is too large.")})
    return amount.quantize(CENT)


# --- periods and dates ---------------------------------------------------------------------
def month_of(at: dt.datetime) -> dt.date:
    """The first day of the local month of ``at`` (the statement's month)."""
    return timezone.localtime(at).date().replace(day=1)


def period_bounds(period: str, at: dt.datetime) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The local calendar period containing ``at`` as aware instants [start, end); ``(None,
    None)`` for ``ever``."""
    if period == Period.EVER:
        return None, None
    tz = timezone.get_default_timezone()
    local = timezone.localtime(at, tz)
    if period == Period.YEAR:
        start, end = dt.date(local.year, 1, 1), dt.date(local.year + 1, 1, 1)
    elif period == Period.QUARTER:
        first = (local.month - 1) // 3 * 3 + 1
        start = dt.date(local.year, first, 1)
        end = dt.date(local.year + (first + 3 > 12), (first + 2) % 12 + 1, 1)
    else:
        start = dt.date(local.year, local.month, 1)
        end = dt.date(local.year + (local.month == 12), local.month % 12 + 1, 1)

    def at_midnight(d: dt.date) -> dt.datetime:
        return dt.datetime.combine(d, dt.time(0), tzinfo=tz)

    return at_midnight(start), at_midnight(end)


def appeal_deadline(rule: PenaltyRule | None, effective_at: dt.datetime) -> dt.datetime | None:
    """The end of the ``rule.appeal_days``-th working day after ``effective_at`` (local time);
    ``None`` when the rule allows no appeal."""
    days = rule.appeal_days if rule is not None else 3
    if not days:
        return None
    sched = WorkSchedule(default_calendar())
    local = timezone.localtime(effective_at, sched.tz)
    last = sched.add_working_days(local.date(), days)
    return dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=sched.tz)


# --- helpers -------------------------------------------------------------------------------
def _user(person: Person | None) -> Any:
    return person.user if person is not None and person.user_id else None


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: _("Give the reason.")})
    if len(text) > limit:
        raise ValidationError({field: _("Keep it to %(limit)s characters.") % {"limit": limit}})
    return text


def _quantity(value: Any) -> int:
    if isinstance(value, bool):
        value = None
    try:
        n = int(str(value))
    except (TypeError, ValueError):
        raise ValidationError({"quantity": _("The number of items is a whole number.")}) from None
    if not 1 <= n <= MAX_QUANTITY:
        raise ValidationError(
            {"quantity": _("The number of items is from 1 to %(max)s.") % {"max": MAX_QUANTITY}}
        )
    return n


def step_for(rule: PenaltyRule, offence: int) -> PenaltyStep | None:
    """The step of the ``offence``-th offence: its own, or the highest below it (the last step
    applies to every later offence)."""
    return rule.steps.filter(offence__lte=offence).order_by("-offence").first() or (
        rule.steps.order_by("offence").first()
    )


def alternative_of(penalty: Penalty) -> str:
    """The sanction the decider may choose instead of ``penalty``'s (its step's alternative),
    or ""."""
    if penalty.rule is None:
        return ""
    step = step_for(penalty.rule, penalty.offence_no)
    if step is None or step.sanction != penalty.sanction:
        return ""
    return step.alternative


def offence_number(person: Person, rule: PenaltyRule, occurred_at: dt.datetime) -> int:
    """How many-th offence of the rule's family within its period a violation of ``person`` at
    ``occurred_at`` is (the penalties already counted, plus one)."""
    start, end = period_bounds(rule.period, occurred_at)
    qs = Penalty.objects.filter(person=person, family=rule.count_family).exclude(
        status__in=NOT_COUNTED
    )
    if start is not None and end is not None:
        qs = qs.filter(violation__occurred_at__gte=start, violation__occurred_at__lt=end)
    return qs.count() + 1


def _rule_of(
    penalty_rule: PenaltyRule | None,
    prohibited_act: ProhibitedAct | None,
    occurrence: Occurrence | None,
) -> PenaltyRule | None:
    if penalty_rule is not None:
        return penalty_rule
    if prohibited_act is not None and prohibited_act.penalty_rule_id:
        return prohibited_act.penalty_rule
    if occurrence is not None and occurrence.duty.penalty_rule_id:
        return occurrence.duty.penalty_rule
    return None


def _existing(
    person: Person,
    source: str,
    occurrence: Occurrence | None,
    record_type: ContentType | None,
    record_id: str,
) -> Violation | None:
    if occurrence is not None:
        return Violation.objects.filter(occurrence=occurrence).first()
    if source in RECORD_SOURCES and record_type is not None:
        return Violation.objects.filter(
            person=person, source=source, record_type=record_type, record_id=record_id
        ).first()
    return None


# --- who may ------------------------------------------------------------------------------
def leads(by: Person | None, person: Person) -> bool:
    """Whether ``by`` stands above ``person`` on the org chart: the director, the lead of the
    person's team, or one of the person's superiors (never the person themselves)."""
    if by is None or by.pk == person.pk or not by.is_active:
        return False
    if by == director():
        return True
    if person.team_id and person.team is not None and person.team.lead_id == by.pk:
        return True
    return any(p.pk == by.pk for p in superiors(person, 6))


def may_sanction(by: Person | None, person: Person, perm: str) -> bool:
    """Who records violations, withdraws penalties, grants and withdraws rewards: a holder of
    ``perm`` at scope all, or at scope department for a person of their department, or a lead
    of ``person`` (``leads``) holding it at all — an engineer's team scope is not enough, and
    nobody does it to themselves. The system (``by`` None) always may."""
    if by is None:
        return True
    if by.pk == person.pk:
        return False  # nobody sanctions or rewards themselves
    user = _user(by)
    scope = permissions.scope_of(user, perm)
    if scope is None:
        return False
    if scope == permissions.ALL:
        return True
    if scope == "department" and by.department_id == person.department_id:
        return True
    return leads(by, person)


def _require_lead(by: Person | None, person: Person, perm: str) -> None:
    if may_sanction(by, person, perm):
        return
    audit.record(AuditAction.DENIED, None, actor=_user(by), extra={"permission": perm},
                 object_type_label=perm.split(".")[0], object_repr=person.name)  # fmt: skip
    raise PermissionDenied(
        _("Only a lead of %(person)s (their team lead, a superior or the director) may do this.")
        % {"person": person.name}
    )


# --- record --------------------------------------------------------------------------------
def record_violation(
    person: Person,
    source: str,
    *,
    occurrence: Occurrence | None = None,
    prohibited_act: ProhibitedAct | None = None,
    penalty_rule: PenaltyRule | None = None,
    record: models.Model | None = None,
    occurred_at: dt.datetime | None = None,
    quantity: int = 1,
    description: str = "",
    by: Person | None = None,
) -> Violation:
    """Record a violation of ``person`` and impose its penalty by rule (see the module).

    Idempotent for an occurrence and for one record (an SLA breach, an overdue task, a day of
    the clock: ``RECORD_SOURCES``): the existing violation is returned, nothing changes.
    ``by``: the person who records it (None: the system)."""
    if source not in ViolationSource.values:
        raise ValidationError({"source": _("Unknown source of a violation.")})
    if person is None or not isinstance(person, Person):
        raise ValidationError({"person": _("Choose the person.")})
    if source == ViolationSource.PROHIBITED and prohibited_act is None:
        raise ValidationError({"prohibited_act": _("Choose the prohibited act.")})
    if source in (ViolationSource.MISSED, ViolationSource.LATE) and occurrence is None:
        raise ValidationError({"occurrence": _("A missed or late duty needs its occurrence.")})
    if source in RECORD_SOURCES and record is None:
        raise ValidationError({"record": _("This violation needs the record it is about.")})
    if prohibited_act is not None and not prohibited_act.is_active and by is not None:
        raise ValidationError({"prohibited_act": _("This prohibited act is no longer in use.")})
    n = _quantity(quantity)
    text = _text(description, "description", MAX_TEXT)
    if by is not None:
        _require_lead(by, person, "duties.add_violation")
    record_type = ContentType.objects.get_for_model(record) if record is not None else None
    record_id = str(record.pk) if record is not None else ""
    found = _existing(person, source, occurrence, record_type, record_id)
    if found is not None:
        return found
    if occurred_at is None:
        if occurrence is not None:
            occurred_at = (
                occurrence.missed_at if source == ViolationSource.MISSED else occurrence.due_at
            )
        else:
            occurred_at = timezone.now()
    if timezone.is_naive(occurred_at):
        raise ValidationError({"occurred_at": _("Give the time with its time zone.")})
    if by is not None and occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("A violation cannot be in the future.")})
    rule = _rule_of(penalty_rule, prohibited_act, occurrence)
    if rule is not None and not rule.is_active:
        rule = None if penalty_rule is None else rule
        if rule is not None:
            raise ValidationError({"penalty_rule": _("This penalty rule is no longer in use.")})
    violation = Violation(
        person=person,
        source=source,
        occurrence=occurrence,
        prohibited_act=prohibited_act,
        penalty_rule=rule,
        record_type=record_type,
        record_id=record_id,
        record_label=str(record)[:200] if record is not None else "",
        occurred_at=occurred_at,
        quantity=n,
        description=text,
        recorded_by=by,
    )
    violation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            # one person's offences are counted one at a time (PostgreSQL: the row lock)
            Person.objects.select_for_update().filter(pk=person.pk).first()
            with transaction.atomic():
                violation.save()
            audit.record(
                AuditAction.CREATE,
                violation,
                actor=_user(by),
                changes={k: [None, v] for k, v in audit.snapshot(violation).items()},
            )
            penalty = impose(violation) if rule is not None else None
            _notify_recorded(violation, penalty)
    except IntegrityError:
        found = _existing(person, source, occurrence, record_type, record_id)
        if found is not None:  # a concurrent sweep recorded it first
            return found
        raise
    return violation


def impose(violation: Violation) -> Penalty | None:
    """The penalty of ``violation`` by its rule (inside the caller's transaction)."""
    rule = violation.penalty_rule
    assert rule is not None
    offence = offence_number(violation.person, rule, violation.occurred_at)
    step = step_for(rule, offence)
    if step is None:  # a rule without steps: the violation is recorded, nothing imposed
        return None
    amount = step.amount
    if amount is not None and step.per_item:
        amount = (amount * violation.quantity).quantize(CENT)
    now = timezone.now()
    needs_decision = step.sanction in NEEDS_DECISION
    penalty = Penalty.objects.create(
        violation=violation,
        person=violation.person,
        rule=rule,
        family=rule.count_family,
        offence_no=offence,
        sanction=step.sanction,
        amount=amount,
        percent=step.percent,
        month=month_of(violation.occurred_at),
        status=PenaltyStatus.PENDING if needs_decision else PenaltyStatus.EFFECTIVE,
        effective_at=None if needs_decision else now,
        appeal_until=None if needs_decision else appeal_deadline(rule, now),
    )
    Violation.objects.filter(pk=violation.pk).update(
        status=ViolationStatus.PENALISED, updated_at=now
    )
    violation.status = ViolationStatus.PENALISED
    audit.record(
        AuditAction.CREATE,
        penalty,
        actor=_user(violation.recorded_by),
        changes={k: [None, v] for k, v in audit.snapshot(penalty).items()},
        extra={"step": step.offence, "alternative": step.alternative},
    )
    if needs_decision:
        request = _submit(_user(violation.recorded_by), PENALTY_KIND, penalty, proposer(penalty))
        Penalty.objects.filter(pk=penalty.pk).update(approval_request=request)
        penalty.approval_request = request
    return penalty


def _submit(user: Any, kind: str, obj: models.Model, requester: Person) -> ApprovalRequest:
    """Submit ``obj`` for a decision; the kind's default rule is written first when the site
    has none yet (a database set up without ``migrate``'s signals)."""
    if not ApprovalRule.objects.filter(kind=kind, is_active=True, is_default=True).exists():
        from netdept.duties.approval_kinds import ensure_default_rules  # it imports this module

        ensure_default_rules()
    return approval_services.submit(user, kind=kind, obj=obj, requester=requester)


def proposer(penalty: Penalty) -> Person:
    """Who proposes a penalty that needs a decision: whoever recorded the violation, else the
    person's team lead, else the person — never the director (who decides it)."""
    person = penalty.person
    lead = person.team.lead if person.team_id and person.team is not None else None
    chief = director()
    for candidate in (penalty.violation.recorded_by, lead):
        if candidate is not None and candidate.is_active and candidate != chief:
            return candidate
    return person


# --- decisions (the approvals engine's on_decided) -----------------------------------------
def penalty_decided(request: ApprovalRequest) -> None:
    """A penalty that needed a decision: approved → in effect (appealable); rejected or the
    request withdrawn → not imposed; returned → still waiting."""
    penalty = Penalty.objects.select_for_update().filter(approval_request=request).first()
    if penalty is None or penalty.status != PenaltyStatus.PENDING:
        return
    now = timezone.now()
    before = penalty.status
    if request.status == RequestStatus.APPROVED:
        penalty.status = PenaltyStatus.EFFECTIVE
        penalty.effective_at = now
        penalty.appeal_until = appeal_deadline(penalty.rule, now)
    elif request.status in (RequestStatus.REJECTED, RequestStatus.WITHDRAWN):
        penalty.status = PenaltyStatus.REJECTED
        Violation.objects.filter(pk=penalty.violation_id).update(
            status=ViolationStatus.OPEN, updated_at=now
        )
    else:
        return
    penalty.version += 1
    penalty.save(update_fields=["status", "effective_at", "appeal_until", "version", "updated_at"])
    audit.record(
        AuditAction.UPDATE,
        penalty,
        changes={"status": [before, penalty.status]},
        extra={"approval_request": request.pk},
    )
    _notify_penalty_decided(penalty)


def appeal_decided(request: ApprovalRequest) -> None:
    """An appeal: approved → granted, the penalty withdrawn (kept, with the reason); rejected →
    refused, the penalty stands; withdrawn by the person → the penalty stands."""
    appeal = Appeal.objects.select_for_update().filter(approval_request=request).first()
    if appeal is None or appeal.status != AppealStatus.PENDING:
        return
    now = timezone.now()
    comment = _decision_comment(request)
    penalty = Penalty.objects.select_for_update().get(pk=appeal.penalty_id)
    if request.status == RequestStatus.APPROVED:
        appeal.status = AppealStatus.GRANTED
        _withdraw(penalty, now, _("Appeal granted: %(comment)s") % {"comment": comment}
                  if comment else _("Appeal granted."))  # fmt: skip
    elif request.status == RequestStatus.REJECTED:
        appeal.status = AppealStatus.REFUSED
        _restore(penalty, now)
    elif request.status == RequestStatus.WITHDRAWN:
        appeal.status = AppealStatus.WITHDRAWN
        _restore(penalty, now)
    else:
        return
    appeal.decided_at = now
    appeal.decision_comment = comment[:1000]
    appeal.save(update_fields=["status", "decided_at", "decision_comment", "updated_at"])
    audit.record(
        AuditAction.UPDATE,
        appeal,
        changes={"status": [AppealStatus.PENDING.value, appeal.status]},
        extra={"approval_request": request.pk},
    )
    _notify_appeal_decided(appeal)


def _decision_comment(request: ApprovalRequest) -> str:
    decision = (
        request.decisions.exclude(comment="").filter(decided_at__isnull=False)
        .order_by("-decided_at", "-pk").first()
    )  # fmt: skip
    return decision.comment if decision is not None else ""


def _restore(penalty: Penalty, now: dt.datetime) -> None:
    if penalty.status != PenaltyStatus.APPEALED:
        return
    penalty.status = PenaltyStatus.EFFECTIVE
    penalty.version += 1
    penalty.save(update_fields=["status", "version", "updated_at"])
    audit.record(
        AuditAction.UPDATE,
        penalty,
        changes={"status": [PenaltyStatus.APPEALED.value, PenaltyStatus.EFFECTIVE.value]},
    )


def _withdraw(penalty: Penalty, now: dt.datetime, reason: str, actor: Any = None) -> None:
    before = penalty.status
    penalty.status = PenaltyStatus.WITHDRAWN
    penalty.withdrawn_at = now
    penalty.withdrawn_reason = reason[:MAX_REASON]
    penalty.version += 1
    penalty.save(
        update_fields=["status", "withdrawn_at", "withdrawn_reason", "version", "updated_at"]
    )
    Violation.objects.filter(pk=penalty.violation_id).update(
        status=ViolationStatus.DISMISSED, updated_at=now
    )
    audit.record(
        AuditAction.UPDATE,
        penalty,
        actor=actor,
        changes={"status": [before, PenaltyStatus.WITHDRAWN.value]},
        extra={"reason": reason[:200]},
    )


# --- the person's side: appeal -------------------------------------------------------------
def may_appeal(penalty: Penalty, person: Person | None, at: dt.datetime | None = None) -> bool:
    """Whether ``person`` may appeal ``penalty`` now (the page shows the button then)."""
    try:
        _check_appeal(penalty, person, at or timezone.now())
    except (ValidationError, PermissionDenied):
        return False
    return True


def _check_appeal(penalty: Penalty, person: Person | None, at: dt.datetime) -> None:
    if person is None or person.pk != penalty.person_id:
        raise PermissionDenied(_("Only the person penalised may appeal."))
    if penalty.status != PenaltyStatus.EFFECTIVE:
        raise ValidationError(
            {"status": _("Only a penalty in effect can be appealed; this one is %(status)s.")
             % {"status": penalty.get_status_display()}}
        )  # fmt: skip
    if penalty.appeal_until is None:
        raise ValidationError({"status": _("This penalty cannot be appealed.")})
    if at > penalty.appeal_until:
        raise ValidationError(
            {"status": _("The time to appeal ended at %(when)s.")
             % {"when": timezone.localtime(penalty.appeal_until).strftime("%Y-%m-%d %H:%M")}}
        )  # fmt: skip
    if penalty.appeals.filter(status__in=[AppealStatus.GRANTED, AppealStatus.REFUSED]).exists():
        raise ValidationError({"status": _("This penalty was appealed already.")})


def appeal(penalty: Penalty, *, by: Person, reason: str) -> Appeal:
    """``by`` (the person penalised) appeals ``penalty`` within its time; decided a level up
    through the approvals engine (kind ``duties.appeal``)."""
    text = _text(reason, "reason", MAX_TEXT, required=True)
    with transaction.atomic():
        penalty = Penalty.objects.select_for_update().get(pk=penalty.pk)
        _check_appeal(penalty, by, timezone.now())
        item = Appeal(penalty=penalty, person=by, reason=text)
        item.full_clean(validate_constraints=False)
        item.save()
        penalty.status = PenaltyStatus.APPEALED
        penalty.version += 1
        penalty.save(update_fields=["status", "version", "updated_at"])
        audit.record(
            AuditAction.CREATE,
            item,
            actor=_user(by),
            changes={k: [None, v] for k, v in audit.snapshot(item).items()},
        )
        audit.record(
            AuditAction.UPDATE,
            penalty,
            actor=_user(by),
            changes={"status": [PenaltyStatus.EFFECTIVE.value, PenaltyStatus.APPEALED.value]},
        )
        request = _submit(_user(by), APPEAL_KIND, item, by)
        item.approval_request = request
        item.save(update_fields=["approval_request", "updated_at"])
    return item


# --- the lead's side: withdraw -------------------------------------------------------------
def may_withdraw_penalty(by: Person | None, penalty: Penalty) -> bool:
    return by is not None and may_sanction(by, penalty.person, "duties.change_penalty")


def withdraw_penalty(penalty: Penalty, *, by: Person, reason: str) -> Penalty:
    """Withdraw ``penalty`` (a mistake, a decision made elsewhere): it stays in the history,
    status withdrawn, with the reason. A pending decision or appeal is withdrawn with it."""
    text = _text(reason, "reason", MAX_REASON, required=True)
    user = _user(by)
    if by is None:
        raise PermissionDenied(
            _(
                "Only a lead of %(person)s (their team lead, a superior or the "
                "director) may do this."
            )
            % {"person": penalty.person.name}
        )
    _require_lead(by, penalty.person, "duties.change_penalty")
    with transaction.atomic():
        penalty = Penalty.objects.select_for_update().get(pk=penalty.pk)
        if penalty.status in NOT_COUNTED:
            raise ValidationError(
                {"status": _("This penalty is %(status)s already.")
                 % {"status": penalty.get_status_display()}}
            )  # fmt: skip
        now = timezone.now()
        _withdraw(penalty, now, text, actor=user)
        for item in penalty.appeals.filter(status=AppealStatus.PENDING):
            item.status = AppealStatus.WITHDRAWN
            item.decided_at = now
            item.decision_comment = text[:1000]
            item.save(update_fields=["status", "decided_at", "decision_comment", "updated_at"])
            _cancel_request(item.approval_request, text)
        _cancel_request(penalty.approval_request, text)
        _notify_withdrawn(penalty)
    return penalty


def _cancel_request(request: ApprovalRequest | None, reason: str) -> None:
    if request is None:
        return
    request.refresh_from_db()
    if request.status in (RequestStatus.PENDING, RequestStatus.RETURNED):
        approval_services.withdraw(None, request, reason)


# --- notifications -------------------------------------------------------------------------
def _notify_recorded(violation: Violation, penalty: Penalty | None) -> None:
    from netdept.duties import notifications_sanctions as notes

    notes.violation_recorded(violation, penalty)


def _notify_penalty_decided(penalty: Penalty) -> None:
    from netdept.duties import notifications_sanctions as notes

    notes.penalty_decided(penalty)


def _notify_appeal_decided(appeal: Appeal) -> None:
    from netdept.duties import notifications_sanctions as notes

    notes.appeal_decided(appeal)


def _notify_withdrawn(penalty: Penalty) -> None:
    from netdept.duties import notifications_sanctions as notes

    notes.penalty_withdrawn(penalty)


# --- the machine's handlers (buttons of the penalty page, API actions) ---------------------
def _check_version(obj: Penalty, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != obj.version:
        raise ValidationError(
            _("This penalty changed since you opened it; reload the page."), code="conflict"
        )


def appeal_action(
    user: Any, penalty: Penalty, reason: str = "", expected_version: int | None = None
) -> Appeal:
    """The "appeal" button: ``user``'s person appeals ``penalty``."""
    _check_version(penalty, expected_version)
    by = person_of(user)
    if by is None:
        raise PermissionDenied(_("Only the person penalised may appeal."))
    return appeal(penalty, by=by, reason=reason)


def withdraw_action(
    user: Any, penalty: Penalty, reason: str = "", expected_version: int | None = None
) -> Penalty:
    """The "withdraw" button of a lead."""
    _check_version(penalty, expected_version)
    by = person_of(user)
    if by is None:
        raise PermissionDenied(_("You may not withdraw penalties."))
    return withdraw_penalty(penalty, by=by, reason=reason)


# --- the rules' services (configuration pages, packs) --------------------------------------
class PenaltyRuleService(ModelService[PenaltyRule]):
    model = PenaltyRule


class PenaltyStepService(ModelService[PenaltyStep]):
    """A step's sanction and its amount or percentage agree; money is CNY to the fen."""

    model = PenaltyStep

    def before_save(
        self, actor: Any, obj: PenaltyStep, data: Mapping[str, Any], creating: bool
    ) -> None:
        errors: dict[str, str] = {}
        try:
            obj.amount = money(obj.amount, "amount")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        if obj.sanction == Sanction.FINE and not obj.amount:
            errors["amount"] = _("A fine needs its amount.")
        if obj.sanction == Sanction.PAY_CUT and not obj.percent:
            errors["percent"] = _("A pay cut needs its percentage.")
        if obj.percent is not None and obj.percent <= 0:
            errors["percent"] = _("The percentage is above 0.")
        if obj.per_item and not obj.amount:
            errors["per_item"] = _("Per item needs an amount per item.")
        if obj.alternative and obj.alternative == obj.sanction:
            errors["alternative"] = _("The alternative is another sanction.")
        if errors:
            raise ValidationError(errors)


class ProhibitedActService(ModelService[ProhibitedAct]):
    model = ProhibitedAct


def may_choose_alternative(user: Any, penalty: Penalty) -> bool:
    """Whether ``user`` holds the pending decision of ``penalty`` and its step has an
    alternative (降薪20%或免职: the decider picks)."""
    me = person_of(user)
    if me is None or penalty.status != PenaltyStatus.PENDING or not alternative_of(penalty):
        return False
    request = penalty.approval_request
    if request is None:
        return False
    return (
        request.decisions.filter(status="pending")
        .filter(models.Q(approver=me) | models.Q(on_behalf_of=me))
        .exists()
    )


def choose_alternative(user: Any, penalty: Penalty, expected_version: int | None = None) -> Penalty:
    """The decider takes the step's alternative instead (免职 instead of 降薪20%); the request
    then awaits their approval of that sanction."""
    with transaction.atomic():
        penalty = Penalty.objects.select_for_update().get(pk=penalty.pk)
        _check_version(penalty, expected_version)
        if not may_choose_alternative(user, penalty):
            raise PermissionDenied(_("Only the person deciding this penalty may change it."))
        before = penalty.sanction
        penalty.sanction = alternative_of(penalty)
        if penalty.sanction != Sanction.PAY_CUT:
            penalty.percent = None
        penalty.version += 1
        penalty.save(update_fields=["sanction", "percent", "version", "updated_at"])
        audit.record(
            AuditAction.UPDATE,
            penalty,
            actor=user,
            changes={"sanction": [before, penalty.sanction]},
            extra={"alternative": True},
        )
        request = penalty.approval_request
        if request is not None:
            from netdept.approvals import kinds

            kind = kinds.get(PENALTY_KIND)
            if kind is not None and kind.title is not None:
                request.title = kind.title(penalty)[:200]
                request.data = {**(request.data or {}), "sanction": penalty.sanction}
                request.save(update_fields=["title", "data", "updated_at"])
    return penalty
