"""Service-quality figures of work orders over a period, per team and per person.

Pure queries: each function takes a queryset already narrowed to what the reader may see
(``permissions.restrict``) and aggregates in the database — one query for the totals, one per
grouping, two for the daily series — on SQLite and PostgreSQL alike.

Definitions (period = [start, end), local time):

* received — orders created in the period;
* resolved — orders whose ``resolved_at`` falls in the period;
* first-response time — ``responded_at − created_at`` of the orders received in the period
  that have been responded to; resolution time — ``resolved_at − created_at`` of the orders
  resolved in the period. Both are wall-clock times (the SLA targets themselves are in working
  time: compliance below compares with the due times the SLA engine computed on the working
  calendar, pauses included);
* response compliance — of the orders received in the period whose response was due (or
  given), the share responded by ``response_due``; resolution compliance — of the orders
  resolved in the period, the share resolved by ``resolution_due``; SLA compliance — of the
  orders resolved in the period, the share that met both targets;
* reopen rate — share of the orders received in the period that were reopened at least once;
* satisfaction — ratings given in the period (``rated_at``): count, average, 1–5 distribution.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from netdept.core import permissions
from netdept.workorders.models import WorkOrder

RATINGS = (1, 2, 3, 4, 5)


# --- period ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """[start, end) in aware datetimes; ``first``/``last`` are the local dates it covers."""

    start: datetime.datetime
    end: datetime.datetime

    @classmethod
    def days(cls, first: datetime.date, last: datetime.date) -> Period:
        """From local midnight of ``first`` to local midnight after ``last`` (inclusive)."""
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(
            last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        return cls(start, end)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = datetime.date(year, month, 1)
        following = datetime.date(year + month // 12, month % 12 + 1, 1)
        return cls.days(first, following - datetime.timedelta(days=1))

    @classmethod
    def this_month(cls, today: datetime.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls.month(today.year, today.month)

    @classmethod
    def last_month(cls, today: datetime.date | None = None) -> Period:
        today = today or timezone.localdate()
        previous = today.replace(day=1) - datetime.timedelta(days=1)
        return cls.month(previous.year, previous.month)

    @property
    def first(self) -> datetime.date:
        return timezone.localtime(self.start).date()

    @property
    def last(self) -> datetime.date:
        return timezone.localtime(self.end - datetime.timedelta(microseconds=1)).date()

    def dates(self) -> list[datetime.date]:
        n = (self.last - self.first).days + 1
        return [self.first + datetime.timedelta(days=i) for i in range(n)]

    def previous_month(self) -> Period:
        return Period.last_month(self.first)

    def q(self, field_name: str) -> Q:
        return Q(**{f"{field_name}__gte": self.start, f"{field_name}__lt": self.end})


# --- median, on both databases ---------------------------------------------------------------


class _SqliteMedian:
    """SQLite aggregate: the median of the non-null values (as PERCENTILE_CONT(0.5))."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: Any) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return statistics.median(self.values) if self.values else None


class Median(models.Aggregate):
    """The median: ``PERCENTILE_CONT(0.5) WITHIN GROUP`` on PostgreSQL, a registered Python
    aggregate on SQLite (where the rows are few enough for it)."""

    name = "Median"
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        connection.ensure_connection()
        connection.connection.create_aggregate("NETDEPT_MEDIAN", 1, _SqliteMedian)
        clone = self.copy()
        clone.function = "NETDEPT_MEDIAN"
        clone.template = "%(function)s(%(expressions)s)"
        return clone.as_sql(compiler, connection, **extra)


# --- figures ---------------------------------------------------------------------------------


@dataclass
class Figures:
    """The figures of one group (or of everything)."""

    received: int = 0
    resolved: int = 0
    responded: int = 0
    response_avg: datetime.timedelta | None = None
    response_median: datetime.timedelta | None = None
    resolution_avg: datetime.timedelta | None = None
    resolution_median: datetime.timedelta | None = None
    response_sla_total: int = 0
    response_sla_met: int = 0
    resolution_sla_total: int = 0
    resolution_sla_met: int = 0
    sla_total: int = 0
    sla_met: int = 0
    reopened: int = 0
    rated: int = 0
    rating_avg: float | None = None
    ratings: dict[int, int] = field(default_factory=lambda: dict.fromkeys(RATINGS, 0))
    key: int | None = None  # team or person id of a group
    name: str = ""  # its name ("" for no team / nobody)
    team_name: str = ""  # of a person

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def response_compliance(self) -> float | None:
        return self._share(self.response_sla_met, self.response_sla_total)

    @property
    def resolution_compliance(self) -> float | None:
        return self._share(self.resolution_sla_met, self.resolution_sla_total)

    @property
    def sla_compliance(self) -> float | None:
        return self._share(self.sla_met, self.sla_total)

    @property
    def reopen_rate(self) -> float | None:
        return self._share(self.reopened, self.received)

    @property
    def satisfied_share(self) -> float | None:
        """Share of ratings of 4 or 5 stars."""
        return self._share(self.ratings[4] + self.ratings[5], self.rated)


def _duration(expr: Any) -> Any:
    return models.ExpressionWrapper(expr, output_field=models.DurationField())


def _aggregates(period: Period, now: datetime.datetime) -> dict[str, Any]:
    received = period.q("created_at")
    resolved = period.q("resolved_at")
    rated = period.q("rated_at") & Q(rating__isnull=False)
    responded = received & Q(responded_at__isnull=False)
    response_time = _duration(F("responded_at") - F("created_at"))
    resolution_time = _duration(F("resolved_at") - F("created_at"))
    response_due = (
        received
        & Q(response_due__isnull=False)
        & (Q(responded_at__isnull=False) | Q(response_due__lt=now))
    )
    response_met = Q(responded_at__lte=F("response_due"))
    resolution_due = resolved & Q(resolution_due__isnull=False)
    resolution_met = Q(resolved_at__lte=F("resolution_due"))
    both_met = resolution_met & (Q(response_due__isnull=True) | response_met)
    aggs: dict[str, Any] = {
        "received": Count("pk", filter=received),
        "resolved": Count("pk", filter=resolved),
        "responded": Count("pk", filter=responded),
        "response_avg": Avg(response_time, filter=responded),
        "response_median": Median(
            response_time, filter=responded, output_field=models.DurationField()
        ),
        "resolution_avg": Avg(resolution_time, filter=resolved),
        "resolution_median": Median(
            resolution_time, filter=resolved, output_field=models.DurationField()
        ),
        "response_sla_total": Count("pk", filter=response_due),
        "response_sla_met": Count("pk", filter=response_due & response_met),
        "resolution_sla_total": Count("pk", filter=resolution_due),
        "resolution_sla_met": Count("pk", filter=resolution_due & resolution_met),
        "sla_total": Count("pk", filter=resolution_due),
        "sla_met": Count("pk", filter=resolution_due & both_met),
        "reopened": Count("pk", filter=received & Q(reopen_count__gt=0)),
        "rated": Count("pk", filter=rated),
        "rating_avg": Avg("rating", filter=rated),
    }
    for r in RATINGS:
        aggs[f"rating_{r}"] = Count("pk", filter=rated & Q(rating=r))
    return aggs


def _figures(row: dict[str, Any]) -> Figures:
    ratings = {r: row.pop(f"rating_{r}") or 0 for r in RATINGS}
    fig = Figures(ratings=ratings)
    for name, value in row.items():
        if hasattr(fig, name):
            setattr(
                fig,
                name,
                _as_timedelta(value)
                if name.endswith(("_avg", "_median")) and name != "rating_avg"
                else value,
            )
    if fig.rating_avg is not None:
        fig.rating_avg = float(fig.rating_avg)
    return fig


def _as_timedelta(value: Any) -> datetime.timedelta | None:
    """Durations come back as timedelta, or as microseconds from some database functions."""
    if value is None or isinstance(value, datetime.timedelta):
        return value
    return datetime.timedelta(microseconds=float(value))


def in_period(qs: QuerySet[WorkOrder], period: Period) -> QuerySet[WorkOrder]:
    """The orders any figure of ``period`` looks at."""
    return qs.filter(period.q("created_at") | period.q("resolved_at") | period.q("rated_at"))


def summary(
    qs: QuerySet[WorkOrder], period: Period, now: datetime.datetime | None = None
) -> Figures:
    """The figures of all of ``qs`` over ``period`` (one query)."""
    now = now or timezone.now()
    row = in_period(qs, period).order_by().aggregate(**_aggregates(period, now))
    return _figures(row)


def by_team(
    qs: QuerySet[WorkOrder], period: Period, now: datetime.datetime | None = None
) -> list[Figures]:
    """One ``Figures`` per team (the team the order is with now), busiest first."""
    now = now or timezone.now()
    rows = (
        in_period(qs, period)
        .order_by()
        .values("team_id", "team__name")
        .annotate(**_aggregates(period, now))
    )
    out = []
    for raw in rows:
        row: dict[str, Any] = dict(raw)
        key, name = row.pop("team_id"), row.pop("team__name")
        fig = _figures(row)
        fig.key, fig.name = key, name or ""
        out.append(fig)
    out.sort(key=lambda f: (-f.received, -f.resolved, f.name))
    return out


def by_person(
    qs: QuerySet[WorkOrder], period: Period, now: datetime.datetime | None = None
) -> list[Figures]:
    """One ``Figures`` per assignee (``key`` None: orders nobody has taken), busiest first."""
    now = now or timezone.now()
    rows = (
        in_period(qs, period)
        .order_by()
        .values("assignee_id", "assignee__name", "assignee__team__name")
        .annotate(**_aggregates(period, now))
    )
    out = []
    for raw in rows:
        row: dict[str, Any] = dict(raw)
        key, name, team = (
            row.pop("assignee_id"),
            row.pop("assignee__name"),
            row.pop("assignee__team__name"),
        )
        fig = _figures(row)
        fig.key, fig.name, fig.team_name = key, name or "", team or ""
        out.append(fig)
    out.sort(key=lambda f: (f.key is None, -f.resolved, -f.received, f.name))
    return out


def daily(qs: QuerySet[WorkOrder], period: Period) -> list[dict[str, Any]]:
    """``[{"date", "received", "resolved"}]`` for every day of the period (two queries)."""
    received = dict(
        qs.filter(period.q("created_at"))
        .order_by()
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    resolved = dict(
        qs.filter(period.q("resolved_at"))
        .order_by()
        .annotate(day=TruncDate("resolved_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return [
        {"date": d, "received": received.get(d, 0), "resolved": resolved.get(d, 0)}
        for d in period.dates()
    ]


# --- the report ------------------------------------------------------------------------------


def visible(user: Any) -> QuerySet[WorkOrder]:
    """The orders ``user`` may report on: the scope of ``workorders.view_workorder``."""
    return permissions.restrict(WorkOrder.objects.all(), user, "view")


def narrowed(
    qs: QuerySet[WorkOrder], *, team: Any = None, person: Any = None
) -> QuerySet[WorkOrder]:
    if team is not None:
        qs = qs.filter(team=team)
    if person is not None:
        qs = qs.filter(assignee=person)
    return qs


@dataclass
class Report:
    period: Period
    total: Figures
    teams: list[Figures]
    people: list[Figures]
    days: list[dict[str, Any]]


def build(
    user: Any,
    period: Period,
    *,
    team: Any = None,
    person: Any = None,
    now: datetime.datetime | None = None,
) -> Report:
    """The full report ``user`` may see (restricted first, then aggregated): 5 queries."""
    now = now or timezone.now()
    qs = narrowed(visible(user), team=team, person=person)
    return Report(
        period=period,
        total=summary(qs, period, now),
        teams=by_team(qs, period, now),
        people=by_person(qs, period, now),
        days=daily(qs, period),
    )


def major_incidents(qs: QuerySet[WorkOrder], period: Period, limit: int = 50) -> list[WorkOrder]:
    """The major incidents received in the period (for the monthly report)."""
    return list(
        qs.filter(period.q("created_at"), is_major=True)
        .select_related("team", "requester_department")
        .order_by("created_at")[:limit]
    )
