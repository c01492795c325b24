"""Forms of the engineer's desk and the order page: filters, bulk assign, saved filters, the
small action forms (accept, assign, wait…) and the phone desk's "file for a caller" form.

Field names match the keyword arguments of ``netdept.workorders.services`` so that a
ValidationError naming a field lands on that field.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from netdept.org.models import Department, Person, Team
from netdept.workorders.models import (
    MAX_RECORD_MINUTES,
    Category,
    Kind,
    Level,
    Priority,
    Source,
    Status,
    WaitingOn,
    WorkOrder,
)
from netdept.workorders.services.common import ORDER_FIELDS

MAX_ID = 2**63  # ids are 64-bit integers in every database
BOOL_CHOICES = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]


def staff_people() -> QuerySet[Person]:
    """People who can be assignees: members of a team."""
    return Person.objects.filter(team__isnull=False, is_active=True).select_related("team")


def slim_choices(form: forms.Form) -> forms.Form:
    """Load only the id and name of each model choice (what a ``<select>`` shows): the desk
    lists every team, staff person, category and department on each request. For forms that
    are only displayed or filter a list — a form whose choices go to the services loads them
    whole."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
            field.queryset = field.queryset.select_related(None).only("pk", "name")
    return form


def search_orders(queryset: QuerySet[WorkOrder], name: str, value: str) -> QuerySet[WorkOrder]:
    """An order number (exact, index-friendly) or words of the title."""
    value = (value or "").strip()
    if not value:
        return queryset
    if value.isascii() and value.isdigit():  # "²" is a digit, not a number
        return queryset.filter(Q(pk=int(value)) | Q(number=value) | Q(title__icontains=value))
    if value.upper().startswith("WO-"):
        return queryset.filter(number__istartswith=value)
    return queryset.filter(title__icontains=value)


class DeskFilterSet(django_filters.FilterSet):
    """The filters of the engineer's desk (and of its export)."""

    status = django_filters.ChoiceFilter(label=_("status"), choices=Status.choices)
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Kind.choices)
    priority = django_filters.ChoiceFilter(label=_("priority"), choices=Priority.choices)
    team = django_filters.ModelChoiceFilter(
        label=_("team"), queryset=Team.objects.filter(is_active=True)
    )
    assignee = django_filters.ModelChoiceFilter(label=_("assignee"), queryset=staff_people())
    category = django_filters.ModelChoiceFilter(
        label=_("category"), queryset=Category.objects.filter(is_active=True)
    )
    department = django_filters.ModelChoiceFilter(
        label=_("department"),
        field_name="requester_department",
        queryset=Department.objects.all(),
    )
    major = django_filters.BooleanFilter(
        label=_("major incident"),
        field_name="is_major",
        widget=forms.Select(choices=BOOL_CHOICES),
    )
    q = django_filters.CharFilter(label=_("Search"), method=search_orders)

    class Meta:
        model = WorkOrder
        fields: list[str] = []


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    query = forms.CharField(label=_("filter"), max_length=1000, required=False)


class BulkAssignForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(label=_("work orders"), coerce=int, choices=())
    team = forms.ModelChoiceField(
        label=_("team"), queryset=Team.objects.filter(is_active=True), required=False
    )
    assignee = forms.ModelChoiceField(label=_("assignee"), queryset=staff_people(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id is accepted here (a number the database can hold: a larger one is no order and
        # a refused choice); the view keeps only the orders the user can see.
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        self.fields["ids"].choices = [  # type: ignore[attr-defined]
            (v, v) for v in raw if str(v).isascii() and str(v).isdigit() and 0 < int(v) < MAX_ID
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("team") and not data.get("assignee"):
            raise forms.ValidationError(_("Choose a team or an assignee."))
        return data


# --- the action forms of the order page ------------------------------------------------------
class VersionedForm(forms.Form):
    """A transition: the version the user saw travels along, so that a change made by
    someone else in the meantime is refused (``services.Conflict``), never overwritten."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class AcceptForm(VersionedForm):
    pass


class AssignForm(VersionedForm):
    team = forms.ModelChoiceField(
        label=_("team"), queryset=Team.objects.filter(is_active=True), required=False
    )
    assignee = forms.ModelChoiceField(label=_("assignee"), queryset=staff_people(), required=False)
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("team") and not data.get("assignee"):
            raise forms.ValidationError(_("Choose a team or an assignee."))
        return data


class TransferForm(VersionedForm):
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.filter(is_active=True))
    reason = forms.CharField(label=_("reason"), max_length=300)


class NoFieldsForm(VersionedForm):
    """Start, resume, confirm: nothing to ask."""


class WaitForm(VersionedForm):
    on = forms.ChoiceField(label=_("waiting on"), choices=WaitingOn.choices)
    reason = forms.CharField(label=_("reason"), max_length=300)


class ResolveForm(VersionedForm):
    solution = forms.CharField(label=_("solution"), widget=forms.Textarea(attrs={"rows": 3}))
    registration_no = forms.CharField(
        label=_("registration number"),
        max_length=50,
        required=False,
        help_text=_("Leads: the number 客服部 gave when the lead was handed over."),
    )


class CloseForm(VersionedForm):
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)


class ReopenForm(VersionedForm):
    reason = forms.CharField(label=_("reason"), max_length=300)


class MergeForm(VersionedForm):
    into = forms.CharField(
        label=_("merge into (number)"),
        max_length=20,
        help_text=_("The number of the order this one duplicates."),
    )


class PriorityForm(VersionedForm):
    impact = forms.TypedChoiceField(label=_("impact"), choices=Level.choices, coerce=int)
    urgency = forms.TypedChoiceField(label=_("urgency"), choices=Level.choices, coerce=int)
    priority = forms.TypedChoiceField(
        label=_("override priority"),
        choices=[("", _("From the matrix")), *Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    reason = forms.CharField(
        label=_("reason"),
        max_length=300,
        required=False,
        help_text=_("Required when the priority is overridden."),
    )


class MajorForm(VersionedForm):
    is_major = forms.BooleanField(label=_("major incident"), required=False)
    report = forms.CharField(
        label=_("report to the leaders"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    body = forms.CharField(label=_("internal note"), widget=forms.Textarea(attrs={"rows": 3}))


class RecordForm(forms.Form):
    description = forms.CharField(
        label=_("what was done"), widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes = forms.IntegerField(
        label=_("time spent (minutes)"), min_value=1, max_value=MAX_RECORD_MINUTES
    )


class AttachForm(forms.Form):
    file = forms.FileField(label=_("file"))


class RateForm(VersionedForm):
    rating = forms.TypedChoiceField(
        label=_("rating"), choices=[(i, "★" * i) for i in range(5, 0, -1)], coerce=int
    )
    comment = forms.CharField(
        label=_("comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


# --- the phone desk ---------------------------------------------------------------------------
class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class OnBehalfForm(forms.Form):
    """The service desk files an order for a caller (phone desk)."""

    requester = forms.ModelChoiceField(label=_("requester"), queryset=Person.objects.none())
    kind = forms.ChoiceField(label=_("kind"), choices=Kind.choices, initial=Kind.FAULT)
    category = forms.ModelChoiceField(
        label=_("category"), queryset=Category.objects.filter(is_active=True)
    )
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    location = forms.CharField(label=_("location"), max_length=200, required=False)
    device = forms.CharField(label=_("device"), max_length=200, required=False)
    contact = forms.CharField(label=_("contact"), max_length=100, required=False)
    impact = forms.TypedChoiceField(
        label=_("impact"), choices=Level.choices, coerce=int, initial=Level.MEDIUM
    )
    urgency = forms.TypedChoiceField(
        label=_("urgency"), choices=Level.choices, coerce=int, initial=Level.MEDIUM
    )
    source = forms.ChoiceField(label=_("source"), choices=Source.choices, initial=Source.PHONE)
    registration_no = forms.CharField(
        label=_("registration number"),
        max_length=50,
        required=False,
        help_text=_("Leads: the number 客服部 gave when the lead was handed over."),
    )
    attachments = MultipleFileField(label=_("attachments"), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The service desk takes calls from anyone in the organisation (the view requires
        # the desk permission), so every active person can be the requester.
        self.fields["requester"].queryset = (  # type: ignore[attr-defined]
            Person.objects.filter(is_active=True)
            .select_related("department")
            .order_by("name", "pk")
        )
        self.fields["requester"].label_from_instance = lambda p: (  # type: ignore[attr-defined]
            f"{p.name}（{p.department}）"
        )

    def order_data(self) -> dict[str, Any]:
        return {n: self.cleaned_data[n] for n in ORDER_FIELDS}
