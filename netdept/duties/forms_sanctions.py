"""Forms of sanctions: the fields of the rules' pages, and the two forms of the own pages —
record a violation (记录违规, a lead on a phone) and grant a reward. The services validate
again (one behaviour for the page, the API and the packs)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netdept.core import permissions
from netdept.duties.models import (
    PenaltyRule,
    ProhibitedAct,
    RewardKind,
    RewardRule,
    ViolationSource,
)
from netdept.duties.models.sanctions import Violation
from netdept.duties.services.violations import MAX_QUANTITY, MAX_TEXT, money
from netdept.org.models import Person

PENALTY_RULE_FIELDS = [
    "name",
    "code",
    "description",
    "articles",
    "family",
    "period",
    "appeal_days",
    "pack",
    "is_active",
]
PENALTY_STEP_FIELDS = [
    "rule",
    "offence",
    "sanction",
    "amount",
    "per_item",
    "percent",
    "alternative",
    "note",
]
PROHIBITED_ACT_FIELDS = [
    "name",
    "code",
    "description",
    "articles",
    "penalty_rule",
    "pack",
    "is_active",
]
REWARD_RULE_FIELDS = [
    "name",
    "code",
    "description",
    "articles",
    "kind",
    "amount",
    "pack",
    "is_active",
]

#: the sources a lead records by hand (the others come from the engines)
HAND_SOURCES = [
    (ViolationSource.PROHIBITED.value, ViolationSource.PROHIBITED.label),
    (ViolationSource.MANUAL.value, ViolationSource.MANUAL.label),
]


def people_for(user: Any, perm: str) -> QuerySet[Person]:
    """The people ``user`` may record a violation of (or grant a reward to): everyone at scope
    all; their department at scope department; else those they lead (team, reports)."""
    me = Person.objects.filter(user=user).first()
    base = Person.objects.filter(is_active=True).select_related("department", "team")
    if me is not None:
        base = base.exclude(pk=me.pk)
    scope = permissions.scope_of(user, perm)
    if scope is None or (me is None and scope != permissions.ALL):
        return base.none()
    if scope == permissions.ALL:
        return base.order_by("name")
    if me is None:
        return base.none()
    led = Q(team__lead=me) | Q(manager=me)
    if me.department_id and me.department is not None and me.department.head_id == me.pk:
        led |= Q(department=me.department)
    if scope == "department":
        led |= Q(department_id=me.department_id)
    return base.filter(led).order_by("name")


class _Bootstrap:
    def _style(self) -> None:
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css + " form-control-lg")
            field.widget.attrs.setdefault("id", f"id_{name}")


class RecordViolationForm(_Bootstrap, forms.Form):
    """记录违规: who, what (a prohibited act, or by hand with a penalty rule), when, how many
    items, what happened."""

    person = forms.ModelChoiceField(label=_("person"), queryset=Person.objects.none())
    source = forms.ChoiceField(
        label=_("source"), choices=HAND_SOURCES, initial=ViolationSource.PROHIBITED.value
    )
    prohibited_act = forms.ModelChoiceField(
        label=_("prohibited act"), required=False, queryset=ProhibitedAct.objects.none()
    )
    penalty_rule = forms.ModelChoiceField(
        label=_("penalty rule"),
        required=False,
        queryset=PenaltyRule.objects.none(),
        help_text=_("Recorded by hand: the rule that sanctions it (empty: no penalty)."),
    )
    occurred_at = forms.DateTimeField(
        label=_("occurred at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    quantity = forms.IntegerField(
        label=_("items"),
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        help_text=_("For a fine per item: how many (3 unanswered messages)."),
    )
    description = forms.CharField(
        label=_("description"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people_for(user, "duties.add_violation")  # type: ignore[attr-defined]
        self.fields["prohibited_act"].queryset = ProhibitedAct.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).order_by("name")
        self.fields["penalty_rule"].queryset = PenaltyRule.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).order_by("name")
        if not self.is_bound:
            self.initial.setdefault(
                "occurred_at", timezone.localtime().replace(second=0, microsecond=0)
            )
        self._style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source") == ViolationSource.PROHIBITED and not data.get("prohibited_act"):
            self.add_error("prohibited_act", _("Choose the prohibited act."))
        if data.get("source") == ViolationSource.MANUAL:
            data["prohibited_act"] = None
        return data


class GrantRewardForm(_Bootstrap, forms.Form):
    """A reward by hand (or from the monthly review): the amount is text, checked as money
    (CNY to the fen) by the service."""

    person = forms.ModelChoiceField(label=_("person"), queryset=Person.objects.none())
    rule = forms.ModelChoiceField(
        label=_("reward rule"), required=False, queryset=RewardRule.objects.none()
    )
    kind = forms.ChoiceField(
        label=_("kind"), choices=RewardKind.choices, initial=RewardKind.COMMENDATION
    )
    amount = forms.CharField(
        label=_("amount (¥)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    reason = forms.CharField(
        label=_("reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    awarded_on = forms.DateField(
        label=_("awarded on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people_for(user, "duties.add_reward")  # type: ignore[attr-defined]
        self.fields["rule"].queryset = RewardRule.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("awarded_on", timezone.localdate())
        self._style()

    def clean_amount(self) -> Any:
        from django.core.exceptions import ValidationError

        try:
            return money(self.cleaned_data.get("amount"), "amount")
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["amount"]) from None


__all__ = [
    "PENALTY_RULE_FIELDS",
    "PENALTY_STEP_FIELDS",
    "PROHIBITED_ACT_FIELDS",
    "REWARD_RULE_FIELDS",
    "GrantRewardForm",
    "RecordViolationForm",
    "Violation",
    "people_for",
]
