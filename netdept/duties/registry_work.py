"""The generated pages and API of duty occurrences and their evidence, and the navigation of
doing duties (my duties, 待我复核).

Occurrences are written by the engine (materialisation, the sweep) and by the services of
doing (submit, review, excuse): their pages and endpoints are read-only, the machine's buttons
and API actions are the only way to change one. The occurrence's page is the phone page of
``views_work`` (it takes the generic detail path ``occurrences/<pk>/``); evidence files are
served by ``views_work.evidence_file_view`` after a permission check.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.core.context_processors import add_nav
from netdept.core.registry import Page, register
from netdept.duties.machines import OCCURRENCE_MACHINE
from netdept.duties.models import Evidence, Occurrence

register(
    Page(
        model=Occurrence,
        nav_group="duties",
        nav_order=30,
        icon="bi-calendar-check",
        slug="occurrences",
        api_name="occurrences",
        fields=[],
        columns=[
            "duty", "person", "team", "due_at", "status", "submitted_at", "done_at", "reviewer",
            "reviewed_at", "review_comment", "number", "by_check", "missed_at", "duty_version",
        ],
        default_columns=["duty", "person", "due_at", "status", "submitted_at", "reviewer"],
        detail_fields=[
            "duty", "person", "team", "period_start", "due_at", "missed_at", "status",
            "submitted_at", "done_at", "reviewer", "reviewed_at", "review_comment", "text",
            "number", "checklist_done", "by_check", "duty_version",
        ],
        filters=["status", "duty", "person", "team", "reviewer", "due_at", "by_check"],
        search=["duty__name", "person__name", "text"],
        select_related=["duty", "person", "team", "reviewer"],
        can_add=False,
        can_change=False,
        can_delete=False,
        machine=OCCURRENCE_MACHINE,
        importable=False,
        home_card=False,
    )
)  # fmt: skip

register(
    Page(
        model=Evidence,
        nav_group="duties",
        nav_order=35,
        icon="bi-paperclip",
        slug="evidence",
        api_name="evidence",
        fields=[],
        columns=[
            "occurrence", "kind", "file_name", "record_type", "record_id", "record_label",
            "note", "added_by", "created_at",
        ],
        default_columns=["occurrence", "kind", "file_name", "record_label", "added_by"],
        filters=["kind", "occurrence", "added_by"],
        search=["file_name", "record_label", "note"],
        select_related=["occurrence", "occurrence__duty", "occurrence__person", "record_type",
                        "added_by"],
        can_add=False,
        can_change=False,
        can_delete=False,
        importable=False,
        home_card=False,
    )
)  # fmt: skip

add_nav("duties", _("My duties"), "duties:mine", "", "bi-list-check", 5)
add_nav("duties", _("Duties to review"), "duties:review_queue", "", "bi-clipboard-check", 6)
