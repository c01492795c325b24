"""Forms of projects with stage gates: a stage template's required documents are typed one
per line (the service, ``services.projects``, decides what is valid for the page and the API
alike)."""

from __future__ import annotations

from django import forms

from netdept.duties.forms_duties import ChecklistField
from netdept.worklog.models.projects import StageTemplate

TEMPLATE_FIELDS = [
    "flow", "order", "code", "name", "owner_role", "owner_position", "required_documents",
    "approval_rule",
]  # fmt: skip


class StageTemplateForm(forms.ModelForm[StageTemplate]):
    required_documents = ChecklistField(
        required=False,
        label=StageTemplate._meta.get_field("required_documents").verbose_name,
        help_text=StageTemplate._meta.get_field("required_documents").help_text,
    )

    class Meta:
        model = StageTemplate
        fields = TEMPLATE_FIELDS
