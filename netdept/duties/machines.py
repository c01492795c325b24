"""The state machine of a duty occurrence: the person submits it (with its evidence), the
reviewer accepts it or returns it with a reason, a lead excuses it. The buttons of the
occurrence's page and the API actions (``POST /api/v1/duties/occurrences/{id}/accept/``…) come
from here; ``services.occurrences`` owns every change. The sweep of the engine reaches
``overdue`` and ``missed`` on its own (no transition of this machine).

Submitting is a transition too (its form here carries the text, number and one file); the
phone page and the API's ``submit`` endpoint use the richer form of ``forms_work`` (several
photos, the checklist, linked records) and call the same service.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from netdept.core.machines import (
    COMPUTED,
    FILE,
    TEXTAREA,
    Field,
    Machine,
    Transition,
    Who,
    register,
)
from netdept.duties.models import EvidenceKind, Occurrence, OccurrenceStatus
from netdept.duties.services import occurrences

S = OccurrenceStatus
H = "netdept.duties.services.occurrences."


def _assignee(user: Any, occ: Occurrence) -> bool:
    return occurrences.may_submit(user, occ)


def _reviewer(user: Any, occ: Occurrence) -> bool:
    return occurrences.may_review(user, occ)


def _excuser(user: Any, occ: Occurrence) -> bool:
    return occurrences.may_excuse(user, occ)


ASSIGNEE = Who("duties.submit", test=_assignee)
REVIEWER = Who("duties.review", test=_reviewer)
EXCUSER = Who("duties.excuse", test=_excuser)


def _asks(*kinds: str) -> Any:
    def when(occ: Occurrence) -> bool:
        return occ.duty.evidence_kind in kinds

    return when


def comment(required: bool, label: Any, name: str = "comment") -> Field:
    return Field(
        name,
        kind=TEXTAREA,
        rows=2,
        label=label,
        required=required,
        max_length=occurrences.MAX_COMMENT,
    )


OCCURRENCE_MACHINE = register(
    Machine(
        Occurrence,
        version_field="version",
        handler_checks_state=True,
        default_who=(ASSIGNEE,),
        external_states=[S.OVERDUE, S.MISSED],
        transitions=[
            Transition(
                "submit", _("Submit"), list(occurrences.SUBMITTABLE), COMPUTED,
                H + "submit_action", who=[ASSIGNEE], icon="bi-send", style="primary", order=10,
                fields=[
                    Field("text", model_field="text", label=_("what was done"), required=False),
                    Field("number", model_field="number", label=_("quantity"), required=False,
                          when=_asks(EvidenceKind.NUMBER)),
                    Field("file", kind=FILE, label=_("photo or file"), required=False,
                          when=_asks(EvidenceKind.FILE, EvidenceKind.PHOTO)),
                ],
                refusal=_("This duty is %(status)s: there is nothing to submit."),
                done=_("Submitted."),
                api=False,  # the API's submit endpoint takes every kind of evidence (api_work)
            ),
            Transition(
                "accept", _("Accept as done"), [S.SUBMITTED], COMPUTED, H + "accept_action",
                who=[REVIEWER], icon="bi-check-lg", style="success", order=20,
                fields=[comment(False, _("review comment"))],
                refusal=_("This duty is %(status)s: it awaits no review."),
                done=_("Accepted."),
            ),
            Transition(
                "return_for_changes", _("Return for changes"), [S.SUBMITTED], S.RETURNED,
                H + "return_action", who=[REVIEWER], icon="bi-arrow-return-left",
                style="outline-warning", order=30,
                fields=[comment(True, _("what to change"))],
                refusal=_("This duty is %(status)s: it awaits no review."),
                done=_("Returned for changes."),
            ),
            Transition(
                "excuse", _("Excuse"), list(occurrences.EXCUSABLE), S.EXCUSED,
                H + "excuse_action", who=[EXCUSER], icon="bi-slash-circle",
                style="outline-secondary", order=40,
                fields=[comment(True, _("reason"), "reason")],
                refusal=_("This duty is %(status)s: it can no longer be excused."),
                done=_("Excused."),
            ),
        ],
    )
)  # fmt: skip
