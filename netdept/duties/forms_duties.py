"""The form of the duty configuration page (the API takes the same fields; the service,
``services.duties.DutyService``, decides what is valid for both doors).

Besides the model's fields the form offers the ready-made recurrences (``recurrence.PRESETS``):
choosing one fills the recurrence and what happens on a day off, and the due time when it is
empty. A checklist is typed one item per line; a self-check is chosen among the declared ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from netdept.duties import checks, records, recurrence
from netdept.duties.models import Duty

DUTY_FIELDS = [
    "code", "name", "description", "articles", "pack",
    "assignee_kind", "assignee_mode", "person", "position", "role", "team", "department",
    "rrule", "starts_on", "ends_on", "due_time", "shift", "grace_minutes", "horizon_days",
    "evidence_kind", "evidence_min", "evidence_unit", "checklist", "record_type",
    "check_code", "check_params",
    "reviewer_kind", "reviewer",
    "remind_before_minutes", "escalate_after_days", "violation_on", "penalty_rule",
    "is_active",
]  # fmt: skip


def check_choices() -> list[tuple[str, Any]]:
    return [("", _("(none: done by hand)")), *checks.choices()]


class ChecklistWidget(forms.Textarea):
    """One item per line; several values posted under the name are items too."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        values = [v for v in values if v is not None]
        return "\n".join(str(v) for v in values) if values else None


class ChecklistField(forms.CharField):
    """A checklist typed one item per line; empty lines are left out."""

    widget = ChecklistWidget(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]  # a list, not text
        text = super().to_python(value)
        return [line.strip() for line in str(text or "").splitlines() if line.strip()]


class DutyForm(forms.ModelForm[Duty]):
    preset = forms.ChoiceField(
        label=_("ready-made recurrence"),
        required=False,
        choices=lambda: [("", _("(write the recurrence below)")), *recurrence.preset_choices()],
        help_text=_("Fills the recurrence and what happens on a day off."),
    )
    check_code = forms.ChoiceField(
        label=_("checks itself with"), required=False, choices=check_choices
    )
    checklist = ChecklistField(
        label=_("checklist"), required=False, help_text=_("One item per line.")
    )

    class Meta:
        model = Duty
        fields = DUTY_FIELDS
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "due_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["preset", *DUTY_FIELDS])
        self.fields["rrule"].required = False  # a preset may give it; the service insists
        kinds = self.fields["record_type"]
        assert isinstance(kinds, forms.ModelChoiceField)
        kinds.queryset = records.record_types()  # work records, not the kernel's tables
        current = self.instance.check_code if self.instance.pk else ""
        if current and current not in dict(checks.choices()):
            field = self.fields["check_code"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [*check_choices(), (current, current)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = recurrence.preset(data.get("preset") or "")
        if chosen is not None:
            data["rrule"] = chosen.rrule
            data["shift"] = chosen.shift
            if not data.get("due_time"):
                data["due_time"] = dt.time.fromisoformat(chosen.due_time)
                self.errors.pop("due_time", None)
        return data


__all__ = ["DUTY_FIELDS", "DutyForm"]
