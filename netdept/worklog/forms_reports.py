"""Forms of writing reports and of the team's page (the period)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netdept.org.models import Team
from netdept.worklog.models import Report, ReportKind
from netdept.worklog.models.logs import MAX_TEXT


def _area(label: Any, rows: int, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_TEXT,
        strip=True,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ReportWriteForm(forms.Form):
    """What the person writes; ``expected_version`` guards against a lost update."""

    done = _area(Report._meta.get_field("done").verbose_name, 8)
    in_progress = _area(Report._meta.get_field("in_progress").verbose_name, 4)
    problems = _area(Report._meta.get_field("problems").verbose_name, 3)
    next_plan = _area(
        Report._meta.get_field("next_plan").verbose_name,
        4,
        _("It is carried into your next report."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PeriodForm(forms.Form):
    """The team page's period: weekly or monthly, the period holding ``day``, one team."""

    kind = forms.ChoiceField(label=_("kind"), choices=ReportKind.choices, initial=ReportKind.WEEKLY)
    day = forms.DateField(
        label=_("period holding"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    team: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("team"), queryset=Team.objects.none(), required=False
    )

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = teams
        for f in self.fields.values():
            f.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if not isinstance(f.widget, forms.DateInput)
                else "form-control form-control-sm",
            )

    def clean_day(self) -> dt.date:
        day = self.cleaned_data.get("day")
        return day if isinstance(day, dt.date) else timezone.localdate()
