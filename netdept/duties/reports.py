"""Compliance figures of duties over a period, per person and per team.

Pure queries: every function starts from the rows the reader may see
(``permissions.restrict`` on each model with its own view permission) and aggregates in the
database — one query per ledger, grouped by person, plus one for the daily series — on SQLite
and PostgreSQL alike. Teams and the total are sums of the people's rows.

Definitions (period = [start, end), local time, Asia/Shanghai by default):

* due — occurrences whose ``due_at`` falls in the period and is already past (``now``);
* done on time / done late / missed / excused — those of them in that status now;
  open — the rest (still to do, overdue, awaiting review, returned);
* compliance rate — done on time ÷ (due − excused);
* violations — violations that occurred in the period (dismissed ones left out);
* penalties — the penalties of those violations that were imposed or are being decided
  (withdrawn and rejected ones left out); fines in effect — the sum of the amounts of the
  penalties in effect (pending and under appeal: ``fines_open``, a separate figure);
* rewards — rewards awarded in the period (withdrawn ones left out) and the sum of their amounts.

Penalties and rewards are separate columns everywhere: nothing nets one against the other
(功过不能相抵).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from netdept.core import permissions
from netdept.duties.models import (
    Occurrence,
    OccurrenceStatus,
    Penalty,
    PenaltyStatus,
    Reward,
    RewardStatus,
    Violation,
    ViolationStatus,
)
from netdept.org.models import Person, Team

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
#: penalties that count: imposed, or still being decided (pending, under appeal)
LIVE_PENALTIES = (PenaltyStatus.PENDING, PenaltyStatus.EFFECTIVE, PenaltyStatus.APPEALED)
#: penalties whose fine is not final yet
OPEN_PENALTIES = (PenaltyStatus.PENDING, PenaltyStatus.APPEALED)
OPEN_OCCURRENCE = (
    OccurrenceStatus.PENDING,
    OccurrenceStatus.OVERDUE,
    OccurrenceStatus.SUBMITTED,
    OccurrenceStatus.RETURNED,
)
#: the longest period a report covers
MAX_DAYS = 731


def money(value: Decimal | None) -> Decimal:
    """A sum of money: Decimal, two places (CNY); nothing is ¥0.00."""
    return (value or ZERO).quantize(CENT)


# --- period ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """[start, end) in aware datetimes; ``first``/``last`` are the local dates it covers."""

    start: datetime.datetime
    end: datetime.datetime

    @classmethod
    def days(cls, first: datetime.date, last: datetime.date) -> Period:
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
        after = last + datetime.timedelta(days=1)
        return cls(start, datetime.datetime.combine(after, datetime.time.min, tzinfo=tz))

    @classmethod
    def month(cls, first_day: datetime.date) -> Period:
        first = first_day.replace(day=1)
        return cls.days(first, next_month(first) - datetime.timedelta(days=1))

    @property
    def first(self) -> datetime.date:
        return timezone.localtime(self.start).date()

    @property
    def last(self) -> datetime.date:
        return timezone.localtime(self.end - datetime.timedelta(microseconds=1)).date()

    def dates(self) -> list[datetime.date]:
        return [
            self.first + datetime.timedelta(days=i)
            for i in range((self.last - self.first).days + 1)
        ]

    def q(self, name: str) -> Q:
        return Q(**{f"{name}__gte": self.start, f"{name}__lt": self.end})

    def q_dates(self, name: str) -> Q:
        return Q(**{f"{name}__gte": self.first, f"{name}__lte": self.last})


def next_month(first: datetime.date) -> datetime.date:
    return datetime.date(first.year + first.month // 12, first.month % 12 + 1, 1)


# --- figures ---------------------------------------------------------------------------------


@dataclass
class Figures:
    """The figures of one person, one team or everything. Penalties and rewards are separate
    fields; there is no field combining them."""

    key: int | None = None  # person or team id of a row
    name: str = ""
    team_key: int | None = None  # of a person
    team_name: str = ""
    employee_no: str = ""
    due: int = 0
    on_time: int = 0
    late: int = 0
    missed: int = 0
    excused: int = 0
    open: int = 0
    violations: int = 0
    penalties: int = 0
    fines: Decimal = ZERO  # in effect
    fines_open: Decimal = ZERO  # pending or under appeal
    rewards: int = 0
    reward_amount: Decimal = ZERO

    @property
    def compliance_rate(self) -> float | None:
        """Done on time ÷ (due − excused); None when nothing was due."""
        base = self.due - self.excused
        return self.on_time / base if base > 0 else None

    def add(self, other: Figures) -> None:
        for name in ("due", "on_time", "late", "missed", "excused", "open", "violations",
                     "penalties", "rewards"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.fines = money(self.fines + other.fines)
        self.fines_open = money(self.fines_open + other.fines_open)
        self.reward_amount = money(self.reward_amount + other.reward_amount)


def visible_occurrences(user: Any) -> QuerySet[Occurrence]:
    return permissions.restrict(Occurrence.objects.all(), user, "view")


def visible_violations(user: Any) -> QuerySet[Violation]:
    return permissions.restrict(Violation.objects.all(), user, "view")


def visible_penalties(user: Any) -> QuerySet[Penalty]:
    return permissions.restrict(Penalty.objects.all(), user, "view")


def visible_rewards(user: Any) -> QuerySet[Reward]:
    return permissions.restrict(Reward.objects.all(), user, "view")


def may_report(user: Any) -> bool:
    """Whether ``user`` reads compliance figures at all: duty occurrences at some scope."""
    return permissions.scope_of(user, "duties.view_occurrence") is not None


def _narrow(qs: QuerySet[Any], team: Team | None, person: Person | None) -> QuerySet[Any]:
    if team is not None:
        qs = qs.filter(person__team=team)
    if person is not None:
        qs = qs.filter(person=person)
    return qs


def _occurrence_rows(qs: QuerySet[Occurrence], period: Period, now: datetime.datetime) -> Any:
    due = Q(due_at__lt=now)
    return (
        qs.filter(period.q("due_at"), due)
        .order_by()
        .values("person_id")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(status=OccurrenceStatus.DONE)),
            late=Count("pk", filter=Q(status=OccurrenceStatus.DONE_LATE)),
            missed=Count("pk", filter=Q(status=OccurrenceStatus.MISSED)),
            excused=Count("pk", filter=Q(status=OccurrenceStatus.EXCUSED)),
            open=Count("pk", filter=Q(status__in=OPEN_OCCURRENCE)),
        )
    )


def _violation_rows(qs: QuerySet[Violation], period: Period) -> Any:
    return (
        qs.filter(period.q("occurred_at"))
        .exclude(status=ViolationStatus.DISMISSED)
        .order_by()
        .values("person_id")
        .annotate(violations=Count("pk"))
    )


def _penalty_rows(qs: QuerySet[Penalty], period: Period) -> Any:
    return (
        qs.filter(period.q("violation__occurred_at"), status__in=LIVE_PENALTIES)
        .order_by()
        .values("person_id")
        .annotate(
            penalties=Count("pk"),
            fines=Sum("amount", filter=Q(status=PenaltyStatus.EFFECTIVE)),
            fines_open=Sum("amount", filter=Q(status__in=OPEN_PENALTIES)),
        )
    )


def _reward_rows(qs: QuerySet[Reward], period: Period) -> Any:
    return (
        qs.filter(period.q_dates("awarded_on"), status=RewardStatus.EFFECTIVE)
        .order_by()
        .values("person_id")
        .annotate(rewards=Count("pk"), reward_amount=Sum("amount"))
    )


MONEY_FIELDS = ("fines", "fines_open", "reward_amount")


def _merge(into: dict[int, Figures], rows: Iterable[dict[str, Any]]) -> None:
    for row in rows:
        fig = into.setdefault(row["person_id"], Figures(key=row["person_id"]))
        for name, value in row.items():
            if name == "person_id":
                continue
            setattr(fig, name, money(value) if name in MONEY_FIELDS else int(value or 0))


def _name_people(figures: dict[int, Figures]) -> None:
    people = Person.objects.filter(pk__in=list(figures)).values_list(
        "pk", "name", "employee_no", "team_id", "team__name"
    )
    for pk, name, number, team_id, team_name in people:
        fig = figures[pk]
        fig.name, fig.employee_no = name, number
        fig.team_key, fig.team_name = team_id, team_name or ""


def duties_by_person(
    qs: QuerySet[Occurrence], period: Period, now: datetime.datetime | None = None
) -> dict[int, Figures]:
    """The duty figures of each person of ``qs`` (one query), by person id."""
    figures: dict[int, Figures] = {}
    _merge(figures, _occurrence_rows(qs, period, now or timezone.now()))
    return figures


def duty_figures(
    qs: QuerySet[Occurrence], period: Period, now: datetime.datetime | None = None
) -> Figures:
    """The duty figures (due, on time, late, missed, excused, open) of all of ``qs``."""
    figures: dict[int, Figures] = {}
    _merge(figures, _occurrence_rows(qs, period, now or timezone.now()))
    out = Figures()
    for fig in figures.values():
        out.add(fig)
    return out


@dataclass
class Report:
    period: Period
    total: Figures
    teams: list[Figures]
    people: list[Figures]
    days: list[dict[str, Any]] = field(default_factory=list)


def by_person(
    user: Any,
    period: Period,
    *,
    team: Team | None = None,
    person: Person | None = None,
    now: datetime.datetime | None = None,
) -> list[Figures]:
    """One ``Figures`` per person with anything in the period, by team then name (5 queries)."""
    now = now or timezone.now()
    figures: dict[int, Figures] = {}
    _merge(figures, _occurrence_rows(_narrow(visible_occurrences(user), team, person), period, now))
    _merge(figures, _violation_rows(_narrow(visible_violations(user), team, person), period))
    _merge(figures, _penalty_rows(_narrow(visible_penalties(user), team, person), period))
    _merge(figures, _reward_rows(_narrow(visible_rewards(user), team, person), period))
    _name_people(figures)
    return sorted(figures.values(), key=lambda f: (f.team_key is None, f.team_name, f.name))


def by_team(people: Iterable[Figures]) -> list[Figures]:
    """The people's rows summed per (current) team; people with no team last."""
    teams: dict[int | None, Figures] = {}
    for p in people:
        fig = teams.setdefault(p.team_key, Figures(key=p.team_key, name=p.team_name))
        fig.add(p)
    return sorted(teams.values(), key=lambda f: (f.key is None, f.name))


def total(rows: Iterable[Figures]) -> Figures:
    fig = Figures()
    for row in rows:
        fig.add(row)
    return fig


def daily(
    user: Any,
    period: Period,
    *,
    team: Team | None = None,
    person: Person | None = None,
    now: datetime.datetime | None = None,
) -> list[dict[str, Any]]:
    """``[{"date", "on_time", "late", "missed", "open"}]`` for every day (one query)."""
    now = now or timezone.now()
    qs = _narrow(visible_occurrences(user), team, person)
    rows = (
        qs.filter(period.q("due_at"), due_at__lt=now)
        .order_by()
        .annotate(day=TruncDate("due_at"))
        .values("day", "status")
        .annotate(n=Count("pk"))
        .values_list("day", "status", "n")
    )
    counts: dict[tuple[datetime.date, str], int] = {}
    for day, status, n in rows:
        counts[(day, status)] = counts.get((day, status), 0) + n
    out = []
    for d in period.dates():
        out.append(
            {
                "date": d,
                "on_time": counts.get((d, OccurrenceStatus.DONE), 0),
                "late": counts.get((d, OccurrenceStatus.DONE_LATE), 0),
                "missed": counts.get((d, OccurrenceStatus.MISSED), 0),
                "open": sum(counts.get((d, s), 0) for s in OPEN_OCCURRENCE),
            }
        )
    return out


def build(
    user: Any,
    period: Period,
    *,
    team: Team | None = None,
    person: Person | None = None,
    now: datetime.datetime | None = None,
) -> Report:
    """The full report ``user`` may see: restricted first, then aggregated (6 queries)."""
    now = now or timezone.now()
    people = by_person(user, period, team=team, person=person, now=now)
    return Report(
        period=period,
        total=total(people),
        teams=by_team(people),
        people=people,
        days=daily(user, period, team=team, person=person, now=now),
    )


def teams_for(user: Any) -> QuerySet[Team]:
    """The teams a reader may pick: those within the scope of their view of occurrences."""
    qs = Team.objects.select_related("department").order_by("department__code", "name")
    scope = permissions.scope_of(user, "duties.view_occurrence")
    if scope is None:
        return qs.none()
    q = permissions.scope_q(Team, user, scope)
    return qs.filter(q) if q is not None else qs.none()
