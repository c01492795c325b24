"""The state machine of a report: the person submits it, the reviewer accepts it or returns
it with a comment (the review flow of ``review_machine``, shared with daily logs). The buttons
of the report's page and the API actions (``POST /api/v1/worklog/reports/{id}/accept/``…)
come from here; ``services.reports`` owns every change (the closed period, the accepted
report, who may)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.worklog.models import Report
from netdept.worklog.review_machine import review_machine
from netdept.worklog.services import reports

REPORT_MACHINE = review_machine(
    Report,
    handlers="netdept.worklog.services.reports.",
    editable=reports.EDITABLE,
    writer=("worklog.submit_report", reports.may_write),
    reviewer=("worklog.review_report", reports.may_review),
    max_comment=reports.MAX_COMMENT,
    submit_refusal=_("This report is %(status)s: there is nothing to submit."),
    review_refusal=_("This report is %(status)s: it awaits no review."),
)
