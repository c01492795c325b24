"""The auditors' audit trail: list, filters, exports.

Everything is shown as people read it (``core.history.describe``): the actor by their person's
name (the login in a tooltip), the object type by its translated name, the object linked when
the viewer may open it, the changes as field label / before / after, times in the viewer's
time zone. The filters take dates from a date picker (a whole day in the viewer's zone; the API
also takes a date and time), an actor's name or login, an action, an object type among those
the trail holds; a value of the wrong type is a field error (400), never a 500. Exports (Excel,
CSV) hold the same labels and the times to the second, in the viewer's zone."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import django_filters
from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from netdept.core import audit, display, history, permissions, services
from netdept.core.context_processors import add_nav
from netdept.core.export import response as export_response
from netdept.core.models.audit import AuditAction, AuditChain, AuditRecord
from netdept.core.paginate import EmptyPage, InvalidCursor, Paginator, parse_positive
from netdept.core.registry import ScopedFilterSet
from netdept.core.views.generic import ObjectListView

add_nav(
    "system",
    gettext_lazy("Audit trail"),
    "audit_list",
    "core.view_auditrecord",
    "bi-journal-check",
    60,
)

PER_PAGE = 50
COUNT_CAP = 10_000
EXPORT_MAX = 100_000
#: Records described per batch while exporting (names and links are fetched per batch).
EXPORT_BATCH = 1_000


class IPAddressFilter(django_filters.Filter):
    field_class = forms.GenericIPAddressField


class DayOrTimeField(forms.Field):
    """A date from a date picker (``2026-12-01``: the whole day in the viewer's time zone) or,
    from the API, a date and time (ISO 8601; without an offset, in the viewer's zone).
    ``end`` makes a date mean the end of that day (for "to")."""

    widget = forms.DateInput(attrs={"type": "date"})
    default_error_messages = {
        "invalid": gettext_lazy("Enter a date (YYYY-MM-DD), or a date and time."),
    }

    def __init__(
        self, *, end: bool = False, zone: datetime.tzinfo | None = None, **kwargs: Any
    ) -> None:
        self.end = end
        self.zone = zone or timezone.get_default_timezone()
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.datetime | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()[:40]
        try:
            day = parse_date(text) if len(text) == 10 else None
            moment = None if day is not None else parse_datetime(text.replace(" ", "T", 1))
        except ValueError:  # well formed but impossible: 2026-13-45
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if day is not None:
            start = datetime.datetime.combine(day, datetime.time.min)
            if self.end:
                start += datetime.timedelta(days=1, microseconds=-1)
            return timezone.make_aware(start, self.zone)
        if moment is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, self.zone)
        return moment


class DayOrTimeFilter(django_filters.Filter):
    field_class = DayOrTimeField


def object_type_choices(qs: models.QuerySet[AuditRecord]) -> list[tuple[str, str]]:
    """The object types ``qs`` holds records of, by their translated names: one query of one
    EXISTS probe per model (the index on ``object_type`` answers each at once), never a scan
    of the trail."""
    labels: dict[str, list[str]] = {}
    for model in apps.get_models():
        labels[model._meta.label_lower] = audit.object_types(model)
    for label in display.OBJECT_TYPES:
        labels[label] = [label]
    if not labels:
        return []
    keys = list(labels)
    probes = {
        f"t{i}": Exists(qs.order_by().filter(object_type__in=labels[k])) for i, k in enumerate(keys)
    }
    row = AuditChain.objects.filter(pk=1).annotate(**probes).values(*probes).first()
    if row is None:
        return []
    present = [k for i, k in enumerate(keys) if row[f"t{i}"]]
    choices = [(k, display.object_type_label(k)) for k in present]
    return sorted(choices, key=lambda c: c[1])


class AuditFilterSet(ScopedFilterSet):  # its own form fields: see ScopedFilterSet
    """The audit trail's filters, of the page and the API."""

    ts__gte = DayOrTimeFilter(field_name="ts", lookup_expr="gte", label=gettext_lazy("From date"))
    ts__lte = DayOrTimeFilter(
        field_name="ts", lookup_expr="lte", label=gettext_lazy("To date"), end=True
    )
    actor = django_filters.CharFilter(
        method="filter_actor",
        max_length=150,
        label=gettext_lazy("Actor"),
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("name or login")}),
    )
    actor_name = django_filters.CharFilter(lookup_expr="icontains", label=gettext_lazy("Login"))
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=gettext_lazy("Action"))
    object_type = django_filters.ChoiceFilter(
        method="filter_object_type", choices=[], label=gettext_lazy("Object type")
    )
    object_repr = django_filters.CharFilter(
        lookup_expr="icontains", max_length=255, label=gettext_lazy("Object")
    )
    # Checked as an address first: the database refuses to compare an address with "999.1.1.1".
    ip = IPAddressFilter(label=gettext_lazy("Source IP"))

    class Meta:
        model = AuditRecord
        fields = ["ts__gte", "ts__lte", "actor", "action", "object_type", "object_repr", "ip"]

    #: The filters the page shows (``actor_name`` is the API's: the login as written).
    PAGE_FIELDS = ("ts__gte", "ts__lte", "actor", "action", "object_type", "object_repr", "ip")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        zone = display.viewer_zone(user)
        for name in ("ts__gte", "ts__lte"):
            self.filters[name].extra["zone"] = zone
        self.filters["object_type"].extra["choices"] = object_type_choices(self.queryset)

    def filter_actor(self, queryset: Any, name: str, value: str) -> Any:
        if not value:
            return queryset
        q = Q(actor_name__icontains=value)
        ids = display.actors_matching(value)
        if ids is not None:
            q |= Q(actor_id__in=ids)
        return queryset.filter(q)

    def filter_object_type(self, queryset: Any, name: str, value: str) -> Any:
        if not value:
            return queryset
        model = display.model_for_label(value)
        labels = audit.object_types(model) if model is not None else [value]
        return queryset.filter(object_type__in=labels)


def _export(request: HttpRequest, records: Any, fmt: str) -> HttpResponse:
    services.require(request.user, "export", AuditRecord)
    zone = display.viewer_zone(request.user)
    rows = []
    qs = records[:EXPORT_MAX]
    batch: list[AuditRecord] = []

    def flush() -> None:
        for e in history.describe(batch, request.user, links=False):
            rec = e.record
            rows.append(
                [
                    rec.seq,
                    display.local_seconds(rec.ts, zone),
                    e.actor,
                    e.actor_login,
                    rec.ip or "",
                    e.action,
                    e.object_type,
                    rec.object_id,
                    rec.object_repr,
                    e.changes_text,
                    e.details_text,
                ]
            )
        batch.clear()

    for rec in qs.iterator(chunk_size=EXPORT_BATCH):
        batch.append(rec)
        if len(batch) >= EXPORT_BATCH:
            flush()
    flush()
    filters = {k: v for k, v in request.GET.items() if k not in ("format", "page")}
    audit.record(
        AuditAction.EXPORT,
        None,
        object_type_label="core.auditrecord",
        object_repr=str(AuditRecord._meta.verbose_name_plural),
        extra={"format": fmt, "rows": len(rows), **({"filters": filters} if filters else {})},
    )
    headers = [
        _("Sequence"),
        _("Time (%(zone)s)") % {"zone": zone},
        _("Actor"),
        _("Login"),
        _("Source IP"),
        _("Action"),
        _("Object type"),
        _("Object ID"),
        _("Object"),
        _("Changes"),
        _("Details"),
    ]
    return export_response(
        f"audit-{timezone.localtime(timezone=zone):%Y%m%d-%H%M%S}",
        fmt,
        capfirst(_("audit trail")),
        headers,
        rows,
    )


@require_safe
@login_required
def audit_list_view(request: HttpRequest) -> HttpResponse:
    services.require(request.user, "view", AuditRecord)
    qs = permissions.restrict(AuditRecord.objects.all(), request.user, "view")
    fs = AuditFilterSet(request.GET or None, queryset=qs, request=request)
    invalid = fs.is_bound and not fs.is_valid()  # the form shows which filter is wrong
    records = qs if invalid or not fs.is_bound else fs.qs
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "csv") and not invalid:
        return _export(request, records, fmt)
    paginator = Paginator(records, PER_PAGE, cap=COUNT_CAP)
    get = request.GET
    try:
        window = paginator.page(
            page=parse_positive(get.get("page"), 1, 10**9),
            after=get.get("after") or None,
            before=get.get("before") or None,
        )
    except (InvalidCursor, EmptyPage):
        window = paginator.page(page=1)
    query = request.GET.copy()
    for key in ("page", "after", "before", "format"):
        query.pop(key, None)
    pager = ObjectListView.pager(SimpleNamespace(sort=""), window, query.urlencode())  # type: ignore[arg-type]
    form = fs.form
    htmx = getattr(request, "htmx", None)
    partial = htmx is not None and bool(htmx) and not htmx.boosted and htmx.target == "list-table"
    return render(
        request,
        "core/_audit_table.html" if partial else "core/audit_list.html",
        {
            "filterset": fs,
            "filter_fields": [form[name] for name in AuditFilterSet.PAGE_FIELDS],
            "entries": history.describe(window.rows, request.user),
            "window": window,
            "page_obj": window,
            "pager": pager,
            "query": query.urlencode(),
            "can_export": permissions.has_perm(request.user, "core.export_auditrecord"),
            "zone": display.viewer_zone(request.user),
        },
        status=400 if invalid else 200,
    )
