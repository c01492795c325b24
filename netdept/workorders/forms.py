"""Forms of the engineer's desk and the order page: bulk assign, saved filters and the phone
desk's "file for a caller" form (the desk's filters are the work-order filter set,
``netdept.workorders.filtersets``). The action forms (accept, assign, wait…) are generated
from the state machine (``netdept.workorders.machines``).

Field names match the keyword arguments of ``netdept.workorders.services`` so that a
ValidationError naming a field lands on that field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from netdept.core.machines import model_form_field
from netdept.org.models import Person, Team
from netdept.workorders import services
from netdept.workorders.models import (
    Category,
    Kind,
    Level,
    Source,
    WorkOrder,
)
from netdept.workorders.services.common import ORDER_FIELDS

MAX_ID = 2**63  # ids are 64-bit integers in every database


def staff_people() -> QuerySet[Person]:
    """People who can be assignees: members of a team."""
    return Person.objects.filter(team__isnull=False, is_active=True).select_related("team")


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
# Generated from the state machine: ``WORKORDER_MACHINE.form_class(name)``
# (``netdept.workorders.machines``), the same declaration as the API's serializers.


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
    """The service desk files an order for a caller (phone desk). The caller is chosen with
    the type-ahead of the page (``workorders:new`` answers it) and sent as ``requester``."""

    requester = forms.ModelChoiceField(
        label=_("caller"),
        queryset=Person.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose the caller: type a name, phone or employee number."),
            "invalid_choice": _("Choose the caller again: this one cannot be found."),
        },
    )
    kind = forms.ChoiceField(label=_("kind"), choices=Kind.choices, initial=Kind.FAULT)
    category = forms.ModelChoiceField(
        label=_("category"), queryset=Category.objects.filter(is_active=True)
    )
    # Text fields: the model's (its limits, one source: the portal, the API and the service
    # refuse the same over-long value with the same message).
    title = model_form_field(WorkOrder, "title")
    description = model_form_field(WorkOrder, "description", required=False, rows=4)
    location = model_form_field(WorkOrder, "location", required=False)
    device = model_form_field(WorkOrder, "device", required=False)
    contact = model_form_field(WorkOrder, "contact", required=False, help_text="")
    impact = forms.TypedChoiceField(
        label=_("impact"), choices=Level.choices, coerce=int, initial=Level.MEDIUM
    )
    urgency = forms.TypedChoiceField(
        label=_("urgency"), choices=Level.choices, coerce=int, initial=Level.MEDIUM
    )
    source = forms.ChoiceField(label=_("source"), choices=Source.choices, initial=Source.PHONE)
    # Leads only (the page shows it when the kind is "lead"; for other kinds it is dropped).
    registration_no = model_form_field(WorkOrder, "registration_no", required=False)
    # Purchases (the service requires it for a purchase category and names this field).
    estimated_cost = model_form_field(
        WorkOrder,
        "estimated_cost",
        required=False,
        help_text=_("Purchase categories: the caller's estimate, in yuan."),
    )
    attachments = MultipleFileField(label=_("attachments"), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The service desk takes calls from anyone in the organisation (the view requires
        # the desk permission), so every active person can be the requester.
        self.fields["requester"].queryset = callers()  # type: ignore[attr-defined]
        self.fields["contact"].widget.attrs.update({"type": "tel", "autocomplete": "off"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") != Kind.LEAD:
            data["registration_no"] = ""
        return data

    def is_lead(self) -> bool:
        """Is the order being filed a lead (what the page shows the registration number for)?"""
        value = self["kind"].value()
        return str(value or "") == Kind.LEAD

    def order_data(self) -> dict[str, Any]:
        return {n: self.cleaned_data[n] for n in ORDER_FIELDS}


# --- the caller: who they are, how to reach them, what they filed before ----------------------
RECENT_ORDERS = 5


def callers() -> QuerySet[Person]:
    """Everyone the desk may file for: every active person."""
    return Person.objects.filter(is_active=True).select_related("department")


def caller_defaults(person: Person, user: Any) -> dict[str, str]:
    """What a form fills in for ``person``: their phone (else their department's) and the
    location of their latest order ``user`` can see (else their department's)."""
    last = (
        services.visible_orders(user)
        .filter(requester=person)
        .exclude(location="")
        .order_by("-created_at", "-id")
        .values_list("location", flat=True)
        .first()
    )
    dept = person.department
    return {
        "contact": person.phone or (dept.phone if dept else ""),
        "location": last or (dept.location if dept else ""),
    }


def recent_orders(person: Person, user: Any, limit: int = RECENT_ORDERS) -> list[WorkOrder]:
    """The caller's latest orders that ``user`` can see, newest first."""
    return list(
        services.visible_orders(user)
        .filter(requester=person)
        .select_related("category")
        .order_by("-created_at", "-id")[:limit]
    )
