"""The forms and API serializers of the approval settings: rules, their steps, committees and
delegations (both doors of the generic stack take them from the Page: ``form_class=`` and
``serializer_class=``).

What can be chosen comes from the declarations, read when a form or serializer is built (a
module that declares a kind later is offered at once): a rule's ``kind`` is one of the declared
kinds, a step's ``condition_field`` one of their condition fields. Whether a step can find its
approver is the service's business (``services.rules.step_problems``): the page shows its
refusal on the field, the API answers 400 naming it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from netdept.api.generic import PageSerializer
from netdept.approvals import kinds
from netdept.approvals.models import (
    ApprovalRule,
    ApprovalStepRule,
    Committee,
    Delegation,
)
from netdept.approvals.services.rules import may_delegate_for_others
from netdept.core import context
from netdept.org.models import Person
from netdept.org.people import person_of

RULE_FIELDS = [
    "name", "code", "kind", "description", "is_default", "restart_on_return", "allow_bulk",
    "emergency_allowed", "emergency_hours", "is_active",
]  # fmt: skip
STEP_FIELDS = [
    "rule", "order", "name", "approver", "levels", "department", "role", "role_quorum",
    "person", "committee", "condition_field", "condition_op", "condition_value",
    "time_limit_hours", "remind_before_hours", "escalate_to", "escalate_person", "require_2fa",
]  # fmt: skip
COMMITTEE_FIELDS = [
    "name",
    "chair",
    "members",
    "quorum",
    "quorum_count",
    "description",
    "is_active",
]
DELEGATION_FIELDS = ["delegator", "delegate", "starts_at", "ends_at", "reason", "is_active"]

#: The help texts of the fields that depend on who approves (the model's own are kept).
STEP_HELP: dict[str, Any] = {
    "approver": _(
        "Who decides this step. The requester never decides their own request: a step whose "
        "approver is the requester goes one level up."
    ),
    "levels": _("With “superiors, level by level”: how many levels up."),
    "department": _("With “the head of a named department”: the department must have a head."),
    "role": _("With “holders of a role”: somebody with a login must hold the role."),
    "role_quorum": _("With “holders of a role”: whether one holder or every holder approves."),
    "person": _("With “a named person”: an active person."),
    "committee": _("With “a committee”: its members decide, as many as its quorum says."),
    "condition_value": _("A number for a number field; one of the listed values for a choice."),
    "escalate_person": _("With “at the limit, pass to: a named person”."),
}


# --- choices read from the declarations ---------------------------------------------------------
def kind_choices() -> list[tuple[str, str]]:
    """The declared kinds of request (``netdept.approvals.kinds``)."""
    return kinds.choices()


def condition_field_choices() -> list[tuple[str, str]]:
    """Every condition field of every declared kind, labelled "kind · field" (a step's
    field must be one of its rule's kind: the service says so otherwise)."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for kind in kinds.all_kinds():
        for name, spec in kind.fields.items():
            if name in seen:  # the same name in two kinds: one choice, both labels
                index = next(i for i, (value, _l) in enumerate(out) if value == name)
                out[index] = (name, f"{out[index][1]} / {kind.label} · {spec.label}")
                continue
            seen.add(name)
            out.append((name, f"{kind.label} · {spec.label}"))
    return out


# --- the page's forms ----------------------------------------------------------------------------
class RuleForm(forms.ModelForm[ApprovalRule]):
    kind = forms.ChoiceField(label=_("kind of request"), choices=kind_choices)

    class Meta:
        model = ApprovalRule
        fields = RULE_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.kind if self.instance.pk else ""
        if current and current not in dict(kind_choices()):
            # A rule of a kind no module declares any more shows its kind (the service refuses
            # to save it under a kind nobody declares, naming it).
            field = self.fields["kind"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [*kind_choices(), (current, current)]


class StepForm(forms.ModelForm[ApprovalStepRule]):
    condition_field = forms.ChoiceField(
        label=_("only when the field"),
        choices=lambda: [("", _("(always)")), *condition_field_choices()],
        required=False,
        help_text=_("Empty: the step always applies. The field must belong to the rule's kind."),
    )

    class Meta:
        model = ApprovalStepRule
        fields = STEP_FIELDS
        help_texts = STEP_HELP

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.condition_field if self.instance.pk else ""
        if current and current not in dict(condition_field_choices()):
            field = self.fields["condition_field"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [*condition_field_choices(), (current, current)]


#: the largest id a database column holds
MAX_ID = 2**63 - 1


class PeopleField(forms.ModelMultipleChoiceField):
    """People by id. An id that is no number a database can hold is refused like an unknown
    one, before it reaches the query (``IN (2**64)`` fails in the database, not in Django)."""

    def _check_values(self, value: Any) -> Any:
        for v in value:
            text = str(v).strip()
            if not (text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": v},
                )
        return super()._check_values(value)  # type: ignore[misc]


class CommitteeForm(forms.ModelForm[Committee]):
    """Members are people (the service refuses a committee without active members, or whose
    quorum asks for more approvals than it has members)."""

    class Meta:
        model = Committee
        fields = COMMITTEE_FIELDS
        field_classes = {"members": PeopleField}
        help_texts = {
            "members": _("The people who decide together; the chair must be one of them."),
            "quorum": _("How many members must approve for the committee to approve."),
        }


class DelegationForm(forms.ModelForm[Delegation]):
    """A person's own delegation: the person away is the user (the only choice), unless the
    user may write everybody's delegations."""

    class Meta:
        model = Delegation
        fields = DELEGATION_FIELDS
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }
        help_texts = {
            "delegator": _("Whose approvals are passed on: yourself, unless you keep everyone's."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = context.current().user
        person = person_of(user)
        field = self.fields["delegator"]
        assert isinstance(field, forms.ModelChoiceField)
        if person is not None and not self.instance.pk:
            self.initial.setdefault("delegator", person.pk)
        if not may_delegate_for_others(user, "change" if self.instance.pk else "add"):
            own = [person.pk] if person is not None else []
            if self.instance.pk and self.instance.delegator_id:
                own.append(self.instance.delegator_id)
            field.queryset = Person.objects.filter(pk__in=own)
            if person is not None:
                field.empty_label = None


# --- the API's serializers -----------------------------------------------------------------------
class _Choices(serializers.ChoiceField):
    """A choice field whose choices are read from the declarations each time a serializer
    is built (DRF takes only a list)."""

    def __init__(self, source_choices: Any, **kwargs: Any) -> None:
        self.source_choices = source_choices
        super().__init__(choices=source_choices(), **kwargs)


class RuleSerializer(PageSerializer):
    kind = _Choices(kind_choices, label=_("kind of request"))

    class Meta:
        model = ApprovalRule
        fields = ["id", *RULE_FIELDS, "version", "created_at", "updated_at"]
        read_only_fields = ["version", "created_at", "updated_at"]


class StepSerializer(PageSerializer):
    condition_field = _Choices(
        condition_field_choices, label=_("only when the field"), allow_blank=True, required=False
    )

    class Meta:
        model = ApprovalStepRule
        fields = ["id", *STEP_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class DelegationSerializer(PageSerializer):
    """``delegator`` defaults to the caller's person."""

    class Meta:
        model = Delegation
        fields = ["id", *DELEGATION_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"delegator": {"required": False}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and attrs.get("delegator") is None:
            request = self.context.get("request")
            person = person_of(getattr(request, "user", None))
            if person is None:
                raise serializers.ValidationError(
                    {"delegator": [_("Choose the person whose approvals are passed on.")]}
                )
            attrs["delegator"] = person
        return attrs
