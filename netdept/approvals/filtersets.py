"""The filter sets of approvals: one per list, shared by its page, its export, bulk "all
matching" and the API (``filterset_class=`` on the Pages).

The decisions' filter set is also the "待我审批" inbox's: its names (``kind``, ``overdue``,
``emergency``, ``requester``, ``status``) are what the inbox links and the API take, so they
stay. "Overdue" is computed at the request's instant: a pending decision (or, for a request, a
pending step) whose due time has passed.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netdept.approvals import kinds
from netdept.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalRule,
    ApprovalStep,
    DecisionStatus,
    RequestStatus,
    StepStatus,
)
from netdept.core.registry import ScopedFilterSet
from netdept.org.models import Person

BOOL_CHOICES = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]


def _bool(label: Any, **kwargs: Any) -> django_filters.BooleanFilter:
    return django_filters.BooleanFilter(
        label=label, widget=forms.Select(choices=BOOL_CHOICES), **kwargs
    )


def _people(label: Any, field_name: str) -> django_filters.ModelChoiceFilter:
    # the choices are the people the user may see (ScopedFilterSet narrows them)
    return django_filters.ModelChoiceFilter(
        label=label, field_name=field_name, queryset=Person.objects.all()
    )


def _search(*fields: str) -> Any:
    def search(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if not value:
            return queryset
        q = Q()
        for f in fields:
            q |= Q(**{f"{f}__icontains": value})
        return queryset.filter(q)

    return search


def _kind_filter(field_name: str) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        label=_("kind of request"), field_name=field_name, choices=kinds.choices
    )


def overdue_decisions(now: Any) -> Q:
    """Pending and past its due time."""
    return Q(status=DecisionStatus.PENDING, due_at__lt=now)


def overdue_requests(now: Any) -> Q:
    """A step still pending past its due time."""
    late = ApprovalStep.objects.filter(
        request=OuterRef("pk"), status=StepStatus.PENDING, due_at__lt=now
    )
    return Q(Exists(late))


class _Overdue(ScopedFilterSet):
    """The computed "overdue" filter, at one instant for the whole request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = timezone.now()

    def overdue_q(self) -> Q:
        raise NotImplementedError

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        cond = self.overdue_q()
        return queryset.filter(cond) if value else queryset.exclude(cond)


class DecisionFilterSet(_Overdue):
    """The decisions list, its export and API, and the "待我审批" inbox."""

    q = django_filters.CharFilter(label=_("Search"), method=_search("request__title", "comment"))
    status = django_filters.ChoiceFilter(label=_("decision"), choices=DecisionStatus.choices)
    approver = _people(_("approver"), "approver")
    on_behalf_of = _people(_("on behalf of"), "on_behalf_of")
    kind = _kind_filter("request__kind")
    requester = _people(_("requester"), "request__requester")
    emergency = _bool(_("emergency (acted first)"), field_name="request__emergency")
    overdue = _bool(_("overdue"), method="filter_overdue")
    rule = django_filters.ModelChoiceFilter(
        label=_("rule"), field_name="request__rule", queryset=ApprovalRule.objects.all()
    )

    class Meta:
        model = ApprovalDecision
        fields: list[str] = []

    def overdue_q(self) -> Q:
        return overdue_decisions(self.now)


class RequestFilterSet(_Overdue):
    """The requests list, its export and API."""

    q = django_filters.CharFilter(label=_("Search"), method=_search("title"))
    status = django_filters.ChoiceFilter(label=_("status"), choices=RequestStatus.choices)
    kind = _kind_filter("kind")
    requester = _people(_("requester"), "requester")
    emergency = _bool(_("emergency (acted first)"), field_name="emergency")
    flagged = _bool(_("flagged for review"), field_name="flagged")
    rule = django_filters.ModelChoiceFilter(
        label=_("rule"), field_name="rule", queryset=ApprovalRule.objects.all()
    )
    overdue = _bool(_("overdue"), method="filter_overdue")

    class Meta:
        model = ApprovalRequest
        fields: list[str] = []

    def overdue_q(self) -> Q:
        return overdue_requests(self.now)
