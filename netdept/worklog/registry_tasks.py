"""The pages of goals and tasks (目标与任务): list, detail, form, filters, export and API of
``Goal`` and ``Task`` through the generic stack. A task's create and edit go through
``TaskService`` → ``services.tasks`` (who may assign to whom, due dates, the goal's roll-up);
its status changes only through the machine (``machines_tasks``). The board (看板) and my tasks
(我的任务) are ``views_tasks``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.core.context_processors import add_nav
from netdept.core.registry import Page, register
from netdept.core.services import ModelService, require
from netdept.core.tabs import register_tab, related_tab
from netdept.worklog.forms_tasks import GOAL_FIELDS, TASK_FIELDS, GoalForm, TaskForm
from netdept.worklog.machines_tasks import TASK_MACHINE
from netdept.worklog.models import Goal, Task, TaskStatus
from netdept.worklog.services import tasks
from netdept.worklog.services.goals import GoalService


class TaskService(ModelService[Task]):
    """The generated pages' and API's task service: creating assigns through
    ``services.tasks.create_task``, editing through ``update_task``; a task is deleted only
    while nothing was done on it (otherwise cancel it)."""

    model = Task

    def create(self, actor: Any, data: Mapping[str, Any], *, check: bool = True) -> Task:
        if check:
            require(actor, "add", Task)
        by = tasks.person_of(actor)
        if by is None:
            raise PermissionDenied(_("Your account is not linked to a person of the organisation."))
        unknown = sorted(set(data) - set(TASK_FIELDS))
        if unknown:
            raise ValidationError({unknown[0]: [_("This field cannot be set here.")]})
        kwargs = {k: v for k, v in data.items() if k in TASK_FIELDS and v is not None}
        kwargs.setdefault("description", "")
        return tasks.create_task(by=by, **kwargs)

    def update(self, actor: Any, obj: Task, data: Mapping[str, Any], *, check: bool = True) -> Task:
        if check:
            require(actor, "change", obj)
        changed = {k: v for k, v in data.items() if k not in ("description",) or v is not None}
        if "description" in changed and changed["description"] is None:
            changed["description"] = ""
        return tasks.update_task(obj, by=tasks.person_of(actor), data=dict(changed))

    def allows(self, actor: Any, action: str, obj: Task) -> bool:
        """Editing: who may manage the task (who assigned it, whoever stands above its owner,
        the director) — not its owner when someone else assigned it. Deleting an untouched
        task is the delete permission's (the director's)."""
        if action != "change":
            return True
        return tasks.may_manage(tasks.person_of(actor), obj)

    def before_delete(self, actor: Any, obj: Task) -> None:
        if obj.status != TaskStatus.TODO or obj.progress:
            raise ValidationError(
                _("Work was recorded on this task; cancel it instead of deleting it.")
            )

    def delete(self, actor: Any, obj: Task, *, check: bool = True) -> None:
        goal_id = obj.goal_id
        super().delete(actor, obj, check=check)
        if goal_id:
            from netdept.worklog.services.goals import roll_up

            roll_up(goal_id)


register(
    Page(
        model=Goal,
        nav_group="worklog",
        nav_order=50,
        icon="bi-bullseye",
        slug="goals",
        api_name="goals",
        fields=GOAL_FIELDS,
        columns=[
            "title", "level", "parent", "department", "team", "owner", "starts_on", "due_on",
            "progress", "status", "measure",
        ],
        default_columns=["title", "level", "team", "owner", "due_on", "progress", "status"],
        detail_fields=[
            "title", "level", "parent", "department", "team", "owner", "starts_on", "due_on",
            "measure", "progress", "status", "description",
        ],
        filters=["level", "status", "department", "team", "owner", "parent", "due_on"],
        search=["title", "description", "measure"],
        select_related=["parent", "department", "team", "owner"],
        form_class=GoalForm,
        importable=False,
        service=GoalService(),
        home_card=False,  # each person's own rows, or the lead's work: no count card
    )
)  # fmt: skip

register(
    Page(
        model=Task,
        nav_group="worklog",
        nav_order=52,
        icon="bi-list-task",
        slug="tasks",
        api_name="tasks",
        fields=TASK_FIELDS,
        columns=[
            "title", "owner", "team", "due_on", "status", "progress", "weight", "goal",
            "meeting", "project", "stage", "assigned_by", "done_at", "score", "evaluated_by",
            "overdue_at", "department",
        ],
        default_columns=["title", "owner", "due_on", "status", "progress", "goal", "score"],
        detail_fields=[
            "title", "owner", "team", "department", "assigned_by", "due_on", "weight", "status",
            "progress", "goal", "meeting", "project", "stage", "description", "done_at",
            "result", "score", "evaluation", "evaluated_by", "evaluated_at", "overdue_at",
            "violation",
        ],
        filters=[
            "status", "owner", "team", "department", "goal", "project", "meeting", "due_on",
            "assigned_by",
        ],
        search=["title", "description", "result"],
        select_related=[
            "owner", "team", "department", "goal", "meeting", "project", "stage", "assigned_by",
            "evaluated_by",
        ],
        form_class=TaskForm,
        machine=TASK_MACHINE,
        bulk_fields=["due_on", "goal"],
        importable=False,
        service=TaskService(),
        home_card=False,
    )
)  # fmt: skip

# the goal's page: its tasks and its sub-goals (only those the reader may see)
register_tab(
    Goal,
    related_tab(
        "tasks", gettext_lazy("Tasks"), Task, "goal",
        ["title", "owner", "due_on", "status", "progress", "weight", "score"],
        order=10, ordering=["due_on", "pk"],
    ),
)  # fmt: skip
register_tab(
    Goal,
    related_tab(
        "subgoals", gettext_lazy("Sub-goals"), Goal, "parent",
        ["title", "level", "owner", "due_on", "progress", "status"], order=20,
    ),
)  # fmt: skip

add_nav(
    "worklog",
    gettext_lazy("My tasks"),
    "worklog:my_tasks",
    "worklog.view_task",
    "bi-check2-square",
    50,
)
add_nav(
    "worklog",
    gettext_lazy("Task board"),
    "worklog:task_board",
    "worklog.view_task",
    "bi-kanban",
    51,
)
