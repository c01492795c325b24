"""The state machine of a meeting: held, minutes handed in, approved or returned by the chair,
cancelled — and the actions that record what the meeting decided: action items (tasks) and
commendations (the rewards ledger). The buttons of the meeting's page and the API actions
(``POST /api/v1/worklog/meetings/{id}/approve/``…) come from here; ``services.meetings``
owns every change (and checks the state inside its transaction)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from netdept.core.machines import (
    COMPUTED,
    MODEL,
    TEXTAREA,
    Field,
    Machine,
    Transition,
    Who,
    register,
)
from netdept.duties.models import RewardRule
from netdept.org.models import Person
from netdept.worklog.models import Meeting, MeetingStatus, Task
from netdept.worklog.services import meetings

S = MeetingStatus
H = "netdept.worklog.services.meetings."


def _runs(user: Any, meeting: Meeting) -> bool:
    return meetings.may_run(user, meeting)


def _chairs(user: Any, meeting: Meeting) -> bool:
    return meetings.is_chair(user, meeting)


def _commends(meeting: Meeting) -> bool:
    mtype = meeting.meeting_type
    return mtype is not None and mtype.records_commendations


def _people() -> Any:
    return Person.objects.filter(is_active=True).order_by("name")


def _reward_rules() -> Any:
    return RewardRule.objects.filter(is_active=True).order_by("name")


RUNNER = Who("worklog.run_meeting", test=_runs)
CHAIR = Who("worklog.chair_meeting", test=_chairs)


def _comment(required: bool, label: Any) -> Field:
    return Field(
        "comment", kind=TEXTAREA, rows=2, label=label, required=required,
        max_length=meetings.MAX_COMMENT,
    )  # fmt: skip


MEETING_MACHINE = register(
    Machine(
        Meeting,
        version_field="version",
        handler_checks_state=True,
        default_who=(RUNNER,),
        transitions=[
            Transition(
                "hold", _("Mark as held"), [S.SCHEDULED], S.HELD, H + "hold_action",
                icon="bi-check2-circle", style="primary", order=10, done=_("Marked as held."),
                refusal=_("This meeting is %(status)s."),
            ),
            Transition(
                "submit_minutes", _("Hand in the minutes"), [S.HELD], COMPUTED,
                H + "submit_action", icon="bi-send", style="primary", order=20,
                fields=[
                    Field("minutes", model_field="minutes", required=True, rows=8),
                    Field("decisions", model_field="decisions", required=False, rows=4),
                ],
                initial=lambda m: {"minutes": m.minutes, "decisions": m.decisions},
                done=_("Minutes handed in."), refusal=_("This meeting is %(status)s."),
            ),
            Transition(
                "approve", _("Approve the minutes"), [S.MINUTES_SUBMITTED], S.CLOSED,
                H + "approve_action", who=[CHAIR], icon="bi-check-lg", style="success",
                order=30, fields=[_comment(False, _("comment"))],
                done=_("Minutes approved."), refusal=_("This meeting is %(status)s."),
            ),
            Transition(
                "return_minutes", _("Return the minutes"), [S.MINUTES_SUBMITTED], S.HELD,
                H + "return_action", who=[CHAIR], icon="bi-arrow-return-left",
                style="outline-warning", order=40, fields=[_comment(True, _("what to change"))],
                done=_("Minutes returned."), refusal=_("This meeting is %(status)s."),
            ),
            Transition(
                "add_action_item", _("Add an action item"), [S.HELD, S.MINUTES_SUBMITTED],
                None, H + "action_item_action", icon="bi-list-task", order=50,
                fields=[
                    Field("title", model_field="title", of=Task, label=_("action item")),
                    Field("owner", model_field="owner", of=Task, queryset=_people),
                    Field("due_on", model_field="due_on", of=Task),
                    Field("description", model_field="description", of=Task, required=False,
                          rows=2),
                ],
                done=_("Action item added: it is a task of its owner now."),
                refusal=_("This meeting is %(status)s."),
            ),
            Transition(
                "commend", _("Record a commendation"),
                [S.HELD, S.MINUTES_SUBMITTED, S.CLOSED], None, H + "commend_action",
                who=[CHAIR], when=_commends, icon="bi-award", order=60,
                fields=[
                    Field("person", kind=MODEL, label=_("person"), queryset=_people),
                    Field("reason", kind=TEXTAREA, rows=2, label=_("reason"), max_length=500),
                    Field("rule", kind=MODEL, label=_("reward rule"), queryset=_reward_rules,
                          required=False),
                ],
                done=_("Commendation recorded in the rewards ledger."),
                refusal=_("This meeting is %(status)s."),
            ),
            Transition(
                "cancel", _("Cancel the meeting"), [S.SCHEDULED], S.CANCELLED,
                H + "cancel_action", icon="bi-x-circle", style="outline-danger", order=90,
                fields=[Field("reason", model_field="cancel_reason", required=True)],
                done=_("Meeting cancelled."), refusal=_("This meeting is %(status)s."),
            ),
        ],
    )
)  # fmt: skip
