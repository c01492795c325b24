"""The one filter set of work orders, shared by the engineer's desk (and its export) and the API
list (``/api/v1/workorders/orders/``): the same parameter gives the same rows at both doors.

The desk's queues are named presets of it (``?queue=breached`` is ``?breached=true``;
``?queue=unassigned`` the open orders nobody holds, ``?queue=approval`` the orders pending the
approval their category requires…), so a queue means the same rows on
``/workorders/`` and in the API.

SLA words, as the SLA engine (``netdept.workorders.sla``) records them:

* **breached** — a target was missed: the engine flagged the response or the resolution as
  breached (answered or resolved after its due time, a priority change that used the target up,
  or the minute job seeing the due time pass), or the clock of an open order has already read
  past a due time that the job has not flagged yet (running: now; waiting: when the clock was
  paused). Resolved and closed orders that missed a target stay breached: a missed target is
  a fact of the order's history (the monthly report counts it), not a state that passes.
* **about to breach** — an open order whose clock runs, not breached, whose resolution is due
  within ``BREACHING_WINDOW_MINUTES`` (or whose unanswered response is), or that the SLA job has
  already warned about (the policy's warning share, 75 % by default).

Related rows (team, assignee, category, requester's department) are given by id. Their choice
lists hold only the rows the user may see (``ScopedFilterSet``); an id is matched as a number
and never looked up, so the answer is always the user's visible orders that carry it and an id
that does not exist answers like one the user may not see (no existence oracle).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections
from django.db.models import F, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from netdept.core.registry import ScopedFilterSet
from netdept.core.search import parse as parse_query
from netdept.org.models import Department, Person, Team
from netdept.org.people import person_of as person_of  # one answer for every module
from netdept.workorders.models import OPEN_STATUSES, Category, Kind, Priority, Status, WorkOrder
from netdept.workorders.search import matching

#: "about to breach": the resolution (or the unanswered response) is due within this many
#: minutes, or the SLA job has already sent a warning (at the policy's warn share, 75 % by
#: default — ``escalation_percent`` remembers it)
BREACHING_WINDOW_MINUTES = 120
WARN_PERCENT = 75
MAX_ID = 2**63 - 1  # ids are 64-bit integers in every database
#: the empty choice of every filter of the desk ("全部", never "---------")
ALL = _("All")
BOOL_CHOICES = [("", ALL), ("true", _("Yes")), ("false", _("No"))]


def capitalised(choices: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Choice labels as a list shows them: "In progress" (still lazy: in the user's language)."""
    return [(value, capfirst(label)) for value, label in choices]


#: the queues of the desk, in the order of its tabs: (key, label, icon)
QUEUES: list[tuple[str, Any, str]] = [
    ("mine", _("My orders"), "bi-person"),
    ("team", _("My team's orders"), "bi-people"),
    ("unassigned", _("Unassigned"), "bi-inbox"),
    ("breaching", _("About to breach"), "bi-hourglass-split"),
    ("breached", _("Breached"), "bi-exclamation-triangle"),
    ("all", _("All I can see"), "bi-list-ul"),
    # Last, so that the keys 1–6 keep their queues: orders nobody may take yet.
    ("approval", _("Pending approval"), "bi-hourglass"),
]
QUEUE_KEYS = [q[0] for q in QUEUES]
#: older parameter names (desk links and saved filters) → the filter they mean
ALIASES = {"department": "requester_department", "major": "is_major"}


# --- the SLA situations, as conditions on indexed columns of the order ------------------------
def open_q() -> Q:
    return Q(status__in=OPEN_STATUSES)


def breached_q(now: dt.datetime) -> Q:
    """A target missed (see the module's docstring)."""
    flagged = Q(response_breached=True) | Q(resolution_breached=True)
    running = Q(status__in=OPEN_STATUSES, paused_at__isnull=True) & (
        Q(resolution_due__lte=now) | Q(responded_at__isnull=True, response_due__lte=now)
    )
    # A waiting order's clock reads the instant it was paused: past a due time then, the
    # target was missed (the due times of a paused order are only moved on resume).
    paused = Q(status__in=OPEN_STATUSES, paused_at__isnull=False) & (
        Q(resolution_due__lte=F("paused_at"))
        | Q(responded_at__isnull=True, response_due__lte=F("paused_at"))
    )
    return flagged | running | paused


def breaching_q(now: dt.datetime) -> Q:
    """Open, clock running, nothing missed yet, and due soon or already warned about."""
    soon = now + dt.timedelta(minutes=BREACHING_WINDOW_MINUTES)
    not_breached = Q(
        response_breached=False, resolution_breached=False, resolution_due__gt=now
    ) & ~Q(responded_at__isnull=True, response_due__lte=now)
    due_soon = (
        Q(resolution_due__lte=soon)
        | Q(responded_at__isnull=True, response_due__lte=soon)
        | Q(escalation_percent__gte=WARN_PERCENT)
    )
    return Q(status__in=OPEN_STATUSES, paused_at__isnull=True) & not_breached & due_soon


def unassigned_q() -> Q:
    """Open and held by nobody (with or without a team: someone has to dispatch it)."""
    return open_q() & Q(assignee__isnull=True)


def team_ids_of(user: Any) -> set[int]:
    """The teams of the user: their own and the ones they lead."""
    person = person_of(user)
    if person is None:
        return set()
    ids = {person.team_id} if person.team_id else set()
    ids.update(person.led_teams.values_list("pk", flat=True))
    return ids


def queue_q(queue: str, user: Any, now: dt.datetime) -> Q | None:
    """The condition of a queue for ``user``; None when the queue is empty for them (no person,
    no team). Unknown and empty names mean every visible order (``all``)."""
    if queue == "mine":
        person = person_of(user)
        return Q(assignee_id=person.pk) if person is not None else None
    if queue == "team":
        teams = team_ids_of(user)
        return Q(team_id__in=sorted(teams)) if teams else None
    if queue == "unassigned":
        return unassigned_q()
    if queue == "breaching":
        return breaching_q(now)
    if queue == "breached":
        return breached_q(now)
    if queue == "approval":
        return Q(status=Status.PENDING_APPROVAL)
    return Q()


# --- the queues' counts (the desk's tabs) -------------------------------------------------------
#: a queue's count stops here ("99+"): each count reads at most this many index entries + 1
QUEUE_COUNT_CAP = 99


def capped_counts(querysets: dict[str, QuerySet[Any]], cap: int) -> dict[str, int]:
    """``{key: min(rows of the queryset, cap + 1)}`` for every queryset, in ONE query of
    ``SELECT (SELECT COUNT(*) FROM (… LIMIT cap + 1)), …``: each count stops after ``cap + 1``
    rows, so the cost is bounded whatever the table holds (no COUNT(*) of a million rows)."""
    counts = dict.fromkeys(querysets, 0)
    if not querysets:
        return counts
    db = next(iter(querysets.values())).db
    parts: list[str] = []
    params: list[Any] = []
    keys: list[str] = []
    for key, qs in querysets.items():
        limited = qs.order_by().values("pk")[: cap + 1]
        try:
            sql, p = limited.query.get_compiler(using=db).as_sql()
        except EmptyResultSet:  # a condition that can hold no row (``pk IN ()``)
            continue
        # Django's own SQL of each queryset (its values stay parameters), as ``.count()`` of a
        # sliced queryset wraps it too.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) nd_q{len(keys)})")  # noqa: S608
        params.extend(p)
        keys.append(key)
    if not parts:
        return counts
    with connections[db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    counts.update(zip(keys, (int(n) for n in row), strict=True))
    return counts


def queue_counts(
    queryset: QuerySet[WorkOrder], user: Any, now: dt.datetime, cap: int = QUEUE_COUNT_CAP
) -> dict[str, int]:
    """The (capped) number of orders of ``queryset`` in each queue of ``user``: the desk's
    tabs. ``queryset`` is the visible orders with the other filters applied."""
    querysets: dict[str, QuerySet[Any]] = {}
    for key in QUEUE_KEYS:
        cond = queue_q(key, user, now)
        if cond is not None:
            querysets[key] = queryset.filter(cond)
    counts = capped_counts(querysets, cap)
    return {key: counts.get(key, 0) for key in QUEUE_KEYS}


# --- search -------------------------------------------------------------------------------------
def search_orders(queryset: QuerySet[WorkOrder], name: str, value: str) -> QuerySet[WorkOrder]:
    """The global search's matching (``workorders.search.matching``), so that its "show all"
    lists on the desk and in the API exactly what it found: every word must match the title,
    the requester (name or employee number) or the start of the number; an order's id typed
    alone finds it too. A text with no usable word (one letter) is looked for in titles."""
    query = parse_query(value)
    if query.empty:
        return queryset
    single = query.single
    if single is not None and single.upper().startswith("WO-"):
        return queryset.filter(number__istartswith=single)  # a number, or its start, in any form
    narrowed = matching(queryset, query)
    if narrowed is None:
        return queryset.filter(title__icontains=query.text)
    if single is not None and single.isascii() and single.isdigit() and len(single) < 10:
        return queryset.filter(Q(pk=int(single)) | Q(pk__in=narrowed.values("pk")))
    return narrowed


# --- fields and filters -------------------------------------------------------------------------
class ListSelect(forms.Select):
    """A one-choice ``<select>`` that reads every value sent (``?status=new&status=accepted``):
    the desk offers one status, the API takes several."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        getlist = getattr(data, "getlist", None)
        if getlist is not None:
            return getlist(name)
        value = data.get(name)
        if value is None:
            return []
        return list(value) if isinstance(value, list | tuple) else [value]


class ChoiceListField(forms.MultipleChoiceField):
    """Any number of choices; the empty choice (the desk's "all") is no choice."""

    widget = ListSelect

    def __init__(self, *, choices: Any = (), empty_label: Any = ALL, **kwargs: Any) -> None:
        super().__init__(choices=choices, **kwargs)
        self.widget.choices = [("", empty_label), *choices]

    def to_python(self, value: Any) -> list[str]:
        return [v for v in super().to_python(value) if v != ""]


class InFilter(django_filters.MultipleChoiceFilter):
    """``field IN (values)``: one condition an index serves, no DISTINCT."""

    field_class = ChoiceListField

    def filter(self, qs: Any, value: Any) -> Any:
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})


class IdChoiceField(django_filters.fields.ModelChoiceField):
    """Shows the visible rows as choices; takes any id as a number, never looked up."""

    default_error_messages = {
        "invalid_choice": forms.IntegerField.default_error_messages["invalid"]
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.validators = [MinValueValidator(1), MaxValueValidator(MAX_ID)]

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not (text.isascii() and text.lstrip("-").isdigit()):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid")
        return int(text)

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)


class IdFilter(django_filters.ModelChoiceFilter):
    """A related row by id: the choice list is the rows the user may see (``ScopedFilterSet``
    narrows ``queryset``), the match is on the id column."""

    field_class = IdChoiceField

    def filter(self, qs: Any, value: Any) -> Any:
        if value in (None, ""):
            return qs
        return qs.filter(**{f"{self.field_name}_id": value})


def _bool(label: Any, **kwargs: Any) -> django_filters.BooleanFilter:
    return django_filters.BooleanFilter(
        label=label, widget=forms.Select(choices=BOOL_CHOICES), **kwargs
    )


def staff_people() -> QuerySet[Person]:
    """People who can be assignees: active members of a team."""
    return Person.objects.filter(team__isnull=False, is_active=True)


def _day_start(day: dt.date) -> dt.datetime:
    # Clamped: the first and last days of the calendar have no neighbours in UTC.
    day = min(max(day, dt.date(1900, 1, 1)), dt.date(9000, 1, 1))
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class WorkOrderFilterSet(ScopedFilterSet):
    """The filters of work orders: desk, desk export and API list."""

    queue = django_filters.ChoiceFilter(
        label=_("queue"), choices=[(k, label) for k, label, _icon in QUEUES], method="filter_queue"
    )
    q = django_filters.CharFilter(label=_("Search"), method=search_orders)
    status = InFilter(label=_("status"), choices=capitalised(Status.choices))
    kind = django_filters.ChoiceFilter(
        label=_("kind"), choices=capitalised(Kind.choices), empty_label=ALL
    )
    priority = InFilter(label=_("priority"), choices=Priority.choices)
    team = IdFilter(
        label=_("team"),
        field_name="team",
        queryset=Team.objects.filter(is_active=True),
        empty_label=ALL,
    )
    assignee = IdFilter(
        label=_("assignee"), field_name="assignee", queryset=staff_people(), empty_label=ALL
    )
    category = IdFilter(
        label=_("category"),
        field_name="category",
        queryset=Category.objects.filter(is_active=True),
        empty_label=ALL,
    )
    requester_department = IdFilter(
        label=_("requester's department"),
        field_name="requester_department",
        queryset=Department.objects.all(),
        empty_label=ALL,
    )
    is_major = _bool(_("major incident"), field_name="is_major")
    is_open = _bool(_("open"), method="filter_open")
    breached = _bool(_("SLA breached"), method="filter_breached")
    # Two filters (not one range filter): an error names the parameter that was sent.
    created_after = django_filters.DateFilter(
        label=_("created on or after"),
        method="filter_created",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_before = django_filters.DateFilter(
        label=_("created on or before"),
        method="filter_created",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = WorkOrder
        fields: list[str] = []

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(with_aliases(data), *args, **kwargs)
        #: one instant for every SLA condition of this request
        self.now = timezone.now()

    @property
    def user(self) -> Any:
        return getattr(self.request, "user", None)

    def filter_queue(self, queryset: QuerySet[WorkOrder], name: str, value: str) -> Any:
        if not value:
            return queryset
        cond = queue_q(value, self.user, self.now)
        return queryset.none() if cond is None else queryset.filter(cond)

    def filter_open(self, queryset: QuerySet[WorkOrder], name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        return queryset.filter(open_q()) if value else queryset.exclude(open_q())

    def filter_breached(self, queryset: QuerySet[WorkOrder], name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        cond = breached_q(self.now)
        return queryset.filter(cond) if value else queryset.exclude(cond)

    def filter_created(
        self, queryset: QuerySet[WorkOrder], name: str, value: dt.date | None
    ) -> Any:
        """Whole days in the site's time zone, as an indexed range on ``created_at``."""
        if value is None:
            return queryset
        if name == "created_after":
            return queryset.filter(created_at__gte=_day_start(value))
        return queryset.filter(created_at__lt=_day_start(value) + dt.timedelta(days=1))


def with_aliases(data: Any) -> Any:
    """``data`` with the older parameter names (``department``, ``major``) read as the
    filters they mean; the current name wins when both are sent."""
    if data is None or not any(alias in data for alias in ALIASES):
        return data
    if isinstance(data, QueryDict):
        data = data.copy()
        for alias, name in ALIASES.items():
            values = data.getlist(alias)
            data.pop(alias, None)
            if values and name not in data:
                data.setlist(name, values)
        return data
    data = dict(data)
    for alias, name in ALIASES.items():
        value = data.pop(alias, None)
        if value is not None and name not in data:
            data[name] = value
    return data


def slim_choices(form: forms.Form) -> forms.Form:
    """Load only the id and name of each model choice (what a ``<select>`` shows): the desk
    lists teams, staff, categories and departments on each request. For forms that are only
    displayed or filter a list — a form whose choices go to the services loads them whole."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
            field.queryset = field.queryset.select_related(None).only("pk", "name")
    return form
