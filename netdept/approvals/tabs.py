"""The steps of a rule on the rule's page (a tab, ``netdept.core.tabs``), with an "add step"
link that opens the step form with the rule already chosen (``?rule=<id>``, read by
``StepEditView``, the step page's edit view)."""

from __future__ import annotations

from typing import Any

from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from netdept.approvals.models import ApprovalRule, ApprovalStepRule
from netdept.core import permissions
from netdept.core.tabs import Tab, register_tab, related_tab
from netdept.core.views.generic import ObjectEditView

ADD_STEP = "approvals.add_approvalsteprule"

_rows = related_tab(
    "steps",
    _("Steps"),
    ApprovalStepRule,
    "rule",
    ["order", "name", "approver", "condition_field", "time_limit_hours", "require_2fa"],
    order=10,
    ordering=["order", "pk"],
)


def add_step_url(rule: ApprovalRule) -> str:
    return f"{reverse('approvals:rule-steps_add')}?rule={rule.pk}"


def steps(request: HttpRequest, rule: ApprovalRule) -> SafeString:
    """The rule's steps in order, and the "add step" link for those who may add one."""
    body = _rows.view(request, rule)
    link = ""
    if permissions.has_perm(request.user, ADD_STEP):
        link = format_html(
            '<p class="mb-2"><a class="btn btn-sm btn-outline-primary" href="{}" '
            'id="nd-add-step"><i class="bi bi-plus-lg"></i> {}</a></p>',
            add_step_url(rule),
            _("Add step"),
        )
    return mark_safe(f"{link}{body}")  # noqa: S308  (both parts are escaped HTML)


STEPS_TAB = register_tab(
    ApprovalRule,
    Tab(
        key="steps",
        label=_("Steps"),
        view=steps,
        permission=_rows.permission,
        order=10,
        badge=_rows.badge,
        icon="bi-list-ol",
    ),
)


class StepEditView(ObjectEditView):
    """The generic create / edit view of a rule's step; a new step takes its rule from
    ``?rule=<id>`` (the "add step" link of the rule's page) when the user may see that rule."""

    def get_form(self, obj: Any) -> Any:
        form = super().get_form(obj)
        wanted = self.request.GET.get("rule", "")
        if obj is None and not form.is_bound and wanted.isascii() and wanted.isdigit():
            field = form.fields["rule"]
            assert isinstance(field, ModelChoiceField)
            if field.queryset is not None and field.queryset.filter(pk=int(wanted)).exists():
                form.initial["rule"] = int(wanted)
                last = ApprovalStepRule.objects.filter(rule_id=int(wanted)).order_by("-order")
                top = last.values_list("order", flat=True).first()
                form.initial["order"] = (top or 0) + 10
        return form
