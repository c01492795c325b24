"""The forms of the daily log's page: the log's own text (summary, problems, plan for the next
day), one entry (what was done, time spent, state), and the day picker of the team's logs.
Limits come from the model; the service checks them again."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from netdept.worklog.models.logs import (
    MAX_ENTRY_MINUTES,
    MAX_ENTRY_TEXT,
    MAX_TEXT,
    DailyLog,
    EntryState,
)


class LogTextForm(forms.Form):
    summary = forms.CharField(
        label=_("summary"), required=False, max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    problems = forms.CharField(
        label=_("problems"), required=False, max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    plan = forms.CharField(
        label=_("plan for the next day"), required=False, max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    @classmethod
    def for_log(cls, log: DailyLog) -> LogTextForm:
        return cls(
            initial={
                "summary": log.summary,
                "problems": log.problems,
                "plan": log.plan,
                "expected_version": log.version,
            }
        )


class EntryForm(forms.Form):
    text = forms.CharField(
        label=_("what was done"), max_length=MAX_ENTRY_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    minutes = forms.IntegerField(
        label=_("time spent (minutes)"), required=False, min_value=0,
        max_value=MAX_ENTRY_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip
    state = forms.ChoiceField(label=_("state"), choices=EntryState.choices, initial=EntryState.DONE)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class DayForm(forms.Form):
    day = forms.DateField(
        label=_("day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def day_or(self, default: dt.date) -> dt.date:
        if self.is_valid() and self.cleaned_data.get("day"):
            value: dt.date = self.cleaned_data["day"]
            return value
        return default
