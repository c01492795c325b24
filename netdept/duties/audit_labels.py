"""The details the duties app writes in its audit records (``extra`` keys) and the codes they
hold, named so that the history and the audit trail read them in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.core.history import register_detail_labels
from netdept.duties.models import OccurrenceStatus

LABELS = {
    "duties": _("duty engine"),
    "duty": _("duty"),
    "occurrences": _("occurrences made"),
    "from": _("from"),
    "to": _("to"),
    "at": _("at"),
    "person": _("person"),
    "team": _("team"),
    "status": _("status"),
    "month": _("month"),
    "count": _("count"),
    "version": _("version"),
    "regulation": _("regulation"),
    "effective_date": _("effective date"),
    "superseded": _("superseded version"),
    "repointed": _("citations moved"),
    "unmatched": _("articles without a successor"),
    "read_confirmations_requested": _("read confirmations asked"),
    "approval_request": _("approval request"),
    "sanction": _("sanction"),
    "alternative": _("alternative sanction"),
    "step": _("step"),
    "penalties": _("penalties"),
    "fines": _("fines"),
    "what": _("what"),
    "overdue": _("became overdue"),
    "missed": _("missed"),
    "escalated": _("escalated"),
    "reminded": _("reminded"),
    **{
        code: label for code, label in OccurrenceStatus.choices if code not in ("overdue", "missed")
    },
}
VALUES = {
    "materialised": _("occurrences made ahead"),
    "sweep": _("the minute's sweep"),
    "coverage": _("pack coverage"),
}

register_detail_labels(LABELS, VALUES)
