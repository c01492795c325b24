"""The forms of goals and tasks (the API takes the same fields; ``registry_tasks``' services —
``services.goals.GoalService`` and ``TaskService`` — decide what is valid for both doors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from netdept.worklog.models import Goal, GoalStatus, Task

GOAL_FIELDS = [
    "title", "level", "parent", "department", "team", "owner", "starts_on", "due_on", "measure",
    "description", "status",
]  # fmt: skip
TASK_FIELDS = ["title", "owner", "due_on", "weight", "goal", "description"]

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GoalForm(forms.ModelForm[Goal]):
    class Meta:
        model = Goal
        fields = GOAL_FIELDS
        widgets = {
            "starts_on": _DATE,
            "due_on": _DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class TaskForm(forms.ModelForm[Task]):
    class Meta:
        model = Task
        fields = TASK_FIELDS
        widgets = {
            "due_on": _DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
            "weight": forms.NumberInput(attrs={"step": "0.5", "min": "0.01"}),
        }
        help_texts = {
            "weight": _("How much the task counts in its goal's progress (1 = normal)."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        goal = self.fields["goal"]
        assert isinstance(goal, forms.ModelChoiceField)
        if goal.queryset is not None:
            current = self.instance.goal_id if self.instance.pk else None
            active = goal.queryset.filter(status=GoalStatus.ACTIVE)
            goal.queryset = (
                active | goal.queryset.filter(pk=current) if current else active
            ).distinct()


__all__ = ["GOAL_FIELDS", "TASK_FIELDS", "GoalForm", "TaskForm"]
