"""Monthly statements (月度奖惩明细) of a person and of a team, for the monthly review and for
payroll (绩效工资).

A statement lists the month's penalties and rewards of a person — by the ``month`` each was
booked to — in two separate ledgers with two separate totals. **Nothing nets one against the
other** (功过不能相抵): there is no "balance", no "net", no column that adds a reward to a
fine; the page, the printable statement, the payroll workbook, the API and the reports all
show the two apart.

What counts in a total: penalties in effect (``effective``); those still being decided
(pending, under appeal) are listed and summed apart as not yet final; withdrawn and rejected
ones are listed (history) and count nowhere. Rewards in effect count; withdrawn ones are listed
and count nowhere. Pay cuts are percentages (the highest one in effect is shown), other
sanctions (criticism, warnings, dismissal review, report to the superior unit) are counted.

Read-only: statements change nothing, so they need no transaction and write no audit record
(the exports are audited by the views that serve them).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone

from netdept.core import permissions
from netdept.duties import reports
from netdept.duties.models import (
    Occurrence,
    Penalty,
    PenaltyStatus,
    Reward,
    RewardStatus,
    Sanction,
)
from netdept.duties.reports import ZERO, money
from netdept.org.models import Person, Team

VIEW_PENALTY = "duties.view_penalty"
VIEW_REWARD = "duties.view_reward"
#: the first and last year a statement may be asked for
FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse_month(value: str | None) -> datetime.date | None:
    """``"2026-11"`` → 2026-11-01; None when not a month of the years a statement covers."""
    try:
        year_text, month_text = (value or "").strip().split("-")
        year, month = int(year_text), int(month_text)
    except ValueError:
        return None
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


# --- lines and totals ------------------------------------------------------------------------


@dataclass
class PenaltyLine:
    pk: int
    occurred_at: datetime.datetime
    what: str  # the duty, the prohibited act, or the violation's description
    source: str
    rule: str
    offence_no: int
    sanction: str  # code (Sanction)
    sanction_label: str
    amount: Decimal | None
    percent: Decimal | None
    status: str
    status_label: str

    @property
    def counts(self) -> bool:
        """Whether this penalty is in the totals (in effect)."""
        return self.status == PenaltyStatus.EFFECTIVE

    @property
    def is_open(self) -> bool:
        return self.status in reports.OPEN_PENALTIES


@dataclass
class RewardLine:
    pk: int
    awarded_on: datetime.date
    kind: str
    kind_label: str
    reason: str
    rule: str
    source_label: str
    amount: Decimal | None
    status: str
    status_label: str

    @property
    def counts(self) -> bool:
        return self.status == RewardStatus.EFFECTIVE


#: sanctions counted as "other" (no money, no pay cut)
OTHER_SANCTIONS = frozenset(
    {
        Sanction.CRITICISM,
        Sanction.ORAL_WARNING,
        Sanction.WRITTEN_WARNING,
        Sanction.DISMISSAL_REVIEW,
        Sanction.REPORT_SUPERIOR,
        Sanction.DISCRETIONARY,
    }
)


@dataclass
class Totals:
    """The two ledgers' totals, side by side and never combined."""

    penalties: int = 0  # in effect
    fines: Decimal = ZERO  # sum of the fines in effect
    fines_open: Decimal = ZERO  # pending or under appeal: not yet final
    open_penalties: int = 0
    pay_cut: Decimal | None = None  # the highest pay cut (%) in effect
    other_sanctions: int = 0  # criticism, warnings, dismissal review… in effect
    rewards: int = 0  # in effect
    reward_amount: Decimal = ZERO  # sum of the rewards in effect

    def add_penalty(self, line: PenaltyLine) -> None:
        if line.counts:
            self.penalties += 1
            self.fines = money(self.fines + (line.amount or ZERO))
            if line.sanction == Sanction.PAY_CUT and line.percent is not None:
                self.pay_cut = max(self.pay_cut or ZERO, line.percent)
            if line.sanction in OTHER_SANCTIONS:
                self.other_sanctions += 1
        elif line.is_open:
            self.open_penalties += 1
            self.fines_open = money(self.fines_open + (line.amount or ZERO))

    def add_reward(self, line: RewardLine) -> None:
        if line.counts:
            self.rewards += 1
            self.reward_amount = money(self.reward_amount + (line.amount or ZERO))

    def add(self, other: Totals) -> None:
        self.penalties += other.penalties
        self.fines = money(self.fines + other.fines)
        self.fines_open = money(self.fines_open + other.fines_open)
        self.open_penalties += other.open_penalties
        if other.pay_cut is not None:
            self.pay_cut = max(self.pay_cut or ZERO, other.pay_cut)
        self.other_sanctions += other.other_sanctions
        self.rewards += other.rewards
        self.reward_amount = money(self.reward_amount + other.reward_amount)


@dataclass
class PersonStatement:
    person: Person
    month: datetime.date
    penalties: list[PenaltyLine] = field(default_factory=list)
    rewards: list[RewardLine] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    duties: reports.Figures = field(default_factory=reports.Figures)


@dataclass
class PersonRow:
    person: Person
    totals: Totals
    duties: reports.Figures


@dataclass
class TeamStatement:
    team: Team | None  # None: everybody the reader may see
    month: datetime.date
    rows: list[PersonRow] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    duties: reports.Figures = field(default_factory=reports.Figures)
    #: every line of the two ledgers, with the person's id (the payroll workbook's sheets)
    penalty_lines: list[tuple[int, PenaltyLine]] = field(default_factory=list)
    reward_lines: list[tuple[int, RewardLine]] = field(default_factory=list)


# --- who may see whose statement -------------------------------------------------------------


def visible_people(user: Any) -> QuerySet[Person]:
    """The people whose statement ``user`` may read: within the scope of both their view of
    penalties and their view of rewards (the models' ``scope_paths``, through the core
    permission machinery)."""
    qs = Person.objects.all()
    for perm in (VIEW_PENALTY, VIEW_REWARD):
        scope = permissions.scope_of(user, perm)
        if scope is None:
            return qs.none()
        q = permissions.scope_q(Person, user, scope)
        if q is None:
            return qs.none()
        qs = qs.filter(q) if q else qs
    return qs


def may_read(user: Any) -> bool:
    return all(permissions.scope_of(user, p) is not None for p in (VIEW_PENALTY, VIEW_REWARD))


def check_person(user: Any, person: Person) -> None:
    """PermissionDenied unless ``user`` may read ``person``'s statement."""
    if not visible_people(user).filter(pk=person.pk).exists():
        raise PermissionDenied(VIEW_PENALTY)


# --- building --------------------------------------------------------------------------------


def _what(p: Penalty) -> str:
    v = p.violation
    if v.occurrence is not None:
        due = timezone.localtime(v.occurrence.due_at)
        return f"{v.occurrence.duty.name} · {due:%Y-%m-%d %H:%M}"
    if v.prohibited_act is not None:
        return v.prohibited_act.name
    return v.description or v.record_label or str(v.get_source_display())


def penalty_line(p: Penalty) -> PenaltyLine:
    return PenaltyLine(
        pk=p.pk,
        occurred_at=p.violation.occurred_at,
        what=_what(p),
        source=str(p.violation.get_source_display()),
        rule=p.rule.name if p.rule is not None else "",
        offence_no=p.offence_no,
        sanction=p.sanction,
        sanction_label=str(p.get_sanction_display()),
        amount=None if p.amount is None else money(p.amount),
        percent=p.percent,
        status=p.status,
        status_label=str(p.get_status_display()),
    )


def reward_line(r: Reward) -> RewardLine:
    return RewardLine(
        pk=r.pk,
        awarded_on=r.awarded_on,
        kind=r.kind,
        kind_label=str(r.get_kind_display()),
        reason=r.reason,
        rule=r.rule.name if r.rule is not None else "",
        source_label=str(r.get_source_display()),
        amount=None if r.amount is None else money(r.amount),
        status=r.status,
        status_label=str(r.get_status_display()),
    )


def _penalties(user: Any, month: datetime.date) -> QuerySet[Penalty]:
    qs = reports.visible_penalties(user) if user is not None else Penalty.objects.all()
    return qs.filter(month=month).select_related(
        "rule",
        "violation",
        "violation__prohibited_act",
        "violation__occurrence",
        "violation__occurrence__duty",
    )


def _rewards(user: Any, month: datetime.date) -> QuerySet[Reward]:
    qs = reports.visible_rewards(user) if user is not None else Reward.objects.all()
    return qs.filter(month=month).select_related("rule")


def person_statement(person: Person, month: datetime.date, *, user: Any = None) -> PersonStatement:
    """``person``'s statement of ``month`` (its first day); read as ``user`` when given (the
    caller has checked ``check_person``). Four queries: penalties, rewards, two of duties."""
    month = month.replace(day=1)
    st = PersonStatement(person=person, month=month)
    for p in _penalties(user, month).filter(person=person).order_by("violation__occurred_at", "pk"):
        line = penalty_line(p)
        st.penalties.append(line)
        st.totals.add_penalty(line)
    for r in _rewards(user, month).filter(person=person).order_by("awarded_on", "pk"):
        rline = reward_line(r)
        st.rewards.append(rline)
        st.totals.add_reward(rline)
    st.duties = _duty_figures(user, person, month)
    return st


def _duty_figures(user: Any, person: Person, month: datetime.date) -> reports.Figures:
    """The person's duties of the month (due, on time, late, missed), as the reports count."""
    qs = reports.visible_occurrences(user) if user is not None else Occurrence.objects.all()
    return reports.duty_figures(qs.filter(person=person), reports.Period.month(month))


def team_statement(user: Any, month: datetime.date, *, team: Team | None = None) -> TeamStatement:
    """One row per person of ``team`` (every person ``user`` may see when None) with anything
    booked to the month, plus the team's members with nothing (zeros, for payroll); the team's
    totals column by column. Five queries whatever the size."""
    month = month.replace(day=1)
    st = TeamStatement(team=team, month=month)
    people_qs = visible_people(user)
    if team is not None:
        people_qs = people_qs.filter(team=team)
    penalties = _penalties(user, month).filter(person__in=people_qs.values("pk"))
    rewards = _rewards(user, month).filter(person__in=people_qs.values("pk"))
    totals: dict[int, Totals] = {}
    for p in penalties.order_by("violation__occurred_at", "pk"):
        line = penalty_line(p)
        totals.setdefault(p.person_id, Totals()).add_penalty(line)
        st.penalty_lines.append((p.person_id, line))
    for r in rewards.order_by("awarded_on", "pk"):
        rline = reward_line(r)
        totals.setdefault(r.person_id, Totals()).add_reward(rline)
        st.reward_lines.append((r.person_id, rline))
    members = people_qs.filter(is_active=True) if team is not None else people_qs.none()
    ids = set(totals) | set(members.values_list("pk", flat=True))
    people = Person.objects.filter(pk__in=ids).select_related("team", "department")
    occurrences = (
        reports.visible_occurrences(user) if user is not None else Occurrence.objects.all()
    )
    duties = reports.duties_by_person(
        occurrences.filter(person__in=ids), reports.Period.month(month)
    )
    for person in sorted(people, key=lambda p: (p.team.name if p.team else "", p.employee_no)):
        row = PersonRow(
            person=person,
            totals=totals.get(person.pk, Totals()),
            duties=duties.get(person.pk, reports.Figures(key=person.pk)),
        )
        st.rows.append(row)
        st.totals.add(row.totals)
        st.duties.add(row.duties)
    return st


def as_team(st: PersonStatement) -> TeamStatement:
    """A person's statement in the shape of a team's (one row): the payroll workbook of one."""
    out = TeamStatement(team=None, month=st.month)
    out.rows.append(PersonRow(st.person, st.totals, st.duties))
    out.totals.add(st.totals)
    out.duties.add(st.duties)
    out.penalty_lines = [(st.person.pk, line) for line in st.penalties]
    out.reward_lines = [(st.person.pk, line) for line in st.rewards]
    return out
