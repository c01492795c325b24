"""The state machine of a daily log: the person submits it, the reviewer (their lead) accepts
it or returns it with a reason. The buttons of the log's page and the API actions
(``POST /api/v1/worklog/logs/{id}/submit/``, ``accept/``, ``return_for_changes/``) come from
here — the review flow shared with reports (``review_machine``); ``services.logs`` owns every
change."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.worklog.models.logs import DailyLog
from netdept.worklog.review_machine import review_machine
from netdept.worklog.services import logs

LOG_MACHINE = review_machine(
    DailyLog,
    handlers="netdept.worklog.services.logs.",
    editable=logs.WRITABLE,
    writer=("worklog.write_log", logs.may_write),
    reviewer=("worklog.review_log", logs.may_review),
    max_comment=logs.MAX_COMMENT,
    submit_refusal=_("This log is %(status)s: it can no longer be changed."),
    review_refusal=_("This log is %(status)s: it awaits no review."),
)
