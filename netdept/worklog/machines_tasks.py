"""The state machine of a task (任务): the owner starts it, records progress and marks it done;
who manages it (who assigned it, the owner's lead, the director) reopens or cancels it; the
lead evaluates a done task (score 0–100 and comment; never the owner). The buttons of the task's
page and the API actions (``POST /api/v1/worklog/tasks/{id}/complete/``…) come from here;
``services.tasks`` owns every change. The overdue sweep (``sweep_tasks``) marks ``overdue_at``
without changing the status.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from netdept.core.machines import INTEGER, TEXTAREA, Field, Machine, Transition, Who, register
from netdept.worklog.models import Task, TaskStatus
from netdept.worklog.services import tasks

S = TaskStatus
H = "netdept.worklog.services.tasks."
OPEN = [S.TODO, S.DOING]


def _owner_or_manager(user: Any, task: Task) -> bool:
    return tasks.may_progress(tasks.person_of(user), task)


def _manager(user: Any, task: Task) -> bool:
    return tasks.may_manage(tasks.person_of(user), task)


def _evaluator(user: Any, task: Task) -> bool:
    return tasks.may_evaluate(tasks.person_of(user), task)


WORKER = Who("worklog.progress_task", test=_owner_or_manager)
MANAGER = Who("worklog.manage_task", test=_manager)
EVALUATOR = Who("worklog.evaluate_task", test=_evaluator)


def _not_scored(task: Task) -> bool:
    return task.score is None


TASK_MACHINE = register(
    Machine(
        Task,
        version_field="version",
        handler_checks_state=True,
        default_who=(MANAGER,),
        transitions=[
            Transition(
                "start", _("Start"), [S.TODO], S.DOING, H + "start_action", who=[WORKER],
                icon="bi-play", style="outline-primary", order=10,
                refusal=_("This task is %(status)s: it cannot be started."),
                done=_("Started."),
            ),
            Transition(
                "progress", _("Record progress"), OPEN, S.DOING, H + "progress_action",
                who=[WORKER], icon="bi-bar-chart-steps", style="outline-primary", order=20,
                fields=[
                    Field("progress", kind=INTEGER, label=_("progress (%)"), min_value=0,
                          max_value=99, help_text=_("0 to 99; mark the task done for 100.")),
                ],
                initial=lambda task: {"progress": task.progress},
                refusal=_("This task is %(status)s: progress is recorded on open tasks only."),
                done=_("Progress recorded."),
            ),
            Transition(
                "complete", _("Mark done"), OPEN, S.DONE, H + "complete_action", who=[WORKER],
                icon="bi-check2-circle", style="success", order=30,
                fields=[
                    Field("result", kind=TEXTAREA, label=_("result"), required=False,
                          max_length=tasks.MAX_RESULT, rows=3),
                ],
                refusal=_("This task is %(status)s: it cannot be marked done."),
                done=_("Marked done."),
            ),
            Transition(
                "evaluate", _("Evaluate"), [S.DONE], None, H + "evaluate_action",
                who=[EVALUATOR], icon="bi-star", style="primary", order=40,
                fields=[
                    Field("score", kind=INTEGER, label=_("score"), min_value=0, max_value=100,
                          help_text=_("0 to 100.")),
                    Field("comment", kind=TEXTAREA, label=_("evaluation"), required=False,
                          max_length=tasks.MAX_EVALUATION, rows=2),
                ],
                initial=lambda task: {"score": task.score, "comment": task.evaluation},
                refusal=_("This task is %(status)s: only a done task is evaluated."),
                done=_("Evaluated."),
            ),
            Transition(
                "reopen", _("Reopen"), [S.DONE], S.DOING, H + "reopen_action", who=[MANAGER],
                when=_not_scored, icon="bi-arrow-counterclockwise", style="outline-warning",
                order=50,
                fields=[
                    Field("reason", kind=TEXTAREA, label=_("reason"), required=True,
                          max_length=tasks.MAX_EVALUATION, rows=2),
                ],
                refusal=_("This task is %(status)s: it cannot be reopened."),
                done=_("Reopened."),
            ),
            Transition(
                "cancel", _("Cancel task"), OPEN, S.CANCELLED, H + "cancel_action",
                who=[MANAGER], icon="bi-x-circle", style="outline-secondary", order=60,
                fields=[
                    Field("reason", kind=TEXTAREA, label=_("reason"), required=True,
                          max_length=tasks.MAX_EVALUATION, rows=2),
                ],
                refusal=_("This task is %(status)s: it can no longer be cancelled."),
                done=_("Cancelled."),
            ),
        ],
    )
)  # fmt: skip
