"""The duty configuration page (职责配置): list, detail, form, filters, export and API of
``Duty``, through the generic stack; its service is ``services.duties.DutyService``."""

from __future__ import annotations

from netdept.core.registry import Page, register
from netdept.duties.forms_duties import DUTY_FIELDS, DutyForm
from netdept.duties.models import Duty
from netdept.duties.services.duties import DutyService

register(
    Page(
        model=Duty,
        nav_group="duties",
        nav_order=20,
        icon="bi-calendar-check",
        slug="duties",
        api_name="duties",
        fields=DUTY_FIELDS,
        columns=[
            "name", "code", "assignee_kind", "rrule", "due_time", "shift", "evidence_kind",
            "reviewer_kind", "violation_on", "penalty_rule", "version", "pack", "is_active",
        ],
        default_columns=[
            "name", "assignee_kind", "rrule", "due_time", "evidence_kind", "violation_on",
            "is_active",
        ],
        filters=[
            "assignee_kind", "evidence_kind", "reviewer_kind", "violation_on", "shift", "pack",
            "is_active", "penalty_rule",
        ],
        search=["name", "code", "description"],
        select_related=[
            "person", "position", "role", "team", "department", "reviewer", "penalty_rule",
            "record_type",
        ],
        prefetch_related=["articles"],
        form_class=DutyForm,
        # duties come in by packs (netdept pack load) or the form; the spreadsheet import
        # cannot name a kind of record (a content type)
        importable=False,
        service=DutyService(),
    )
)  # fmt: skip
