"""Tasks (任务): create, progress, complete, evaluate, cancel, reopen.

Every change here: one transaction on the locked row, the business rules checked (a refusal
names the field), an audit record with before → after, the goal's progress rolled up
(``services.goals.roll_up``) and the people concerned notified once the transaction commits.

Who may do what (the owner is never the evaluator):

* create (assign): the owner themselves; whoever stands above the owner (their team's lead,
  their manager, the heads above them: ``approvals.resolve.superiors``); a holder of
  ``worklog.add_task`` at department scope over the owner's department or at scope "all"
  (the director); for a meeting's action item its chair or minute-taker; for a project's task
  its manager, technical lead or the stage's owner;
* progress / complete: the owner, or whoever may manage the task (below);
* manage (edit, cancel, reopen): who assigned it, whoever stands above the owner, the
  director (``worklog.change_task`` at scope "all");
* evaluate: who assigned it (if not the owner), whoever stands above the owner, the director.

Status flow (``machines_tasks.TASK_MACHINE`` routes the buttons and API actions here):

    todo --progress--> doing --complete--> done --evaluate--> done (scored)
    todo / doing --cancel--> cancelled;   done (not yet scored) --reopen--> doing
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.notify import notify
from netdept.org.models import Person
from netdept.org.people import person_of as person_of  # re-exported: callers ask here
from netdept.worklog import notifications_tasks  # noqa: F401  (declares the event kinds)
from netdept.worklog.models import OPEN_TASK_STATUSES, Goal, GoalStatus, Task, TaskStatus

if TYPE_CHECKING:
    from netdept.worklog.models import Meeting, Project, ProjectStage

S = TaskStatus
MAX_TITLE: Final = 200
MAX_DESCRIPTION: Final = 10000
MAX_RESULT: Final = 4000
MAX_EVALUATION: Final = 1000
MAX_WEIGHT: Final = Decimal("9999.99")
#: permission of whoever manages every task (held at scope "all": the director)
SUPERVISE: Final = "worklog.change_task"
ADD: Final = "worklog.add_task"


class Conflict(ValidationError):
    """Someone changed the task since the page was drawn: reload and try again."""


# --- who ---------------------------------------------------------------------------------------


def user_of(person: Person | None) -> Any:
    return person.user if person is not None and person.user_id else None


def _leads_anyone(me: Person) -> bool:
    """Can ``me`` stand above anybody (someone's manager, a team's lead, a department's head,
    the director)? Asked once per person object: most people lead nobody, and then no chain
    of superiors needs walking."""
    from netdept.approvals.resolve import director
    from netdept.org.models import Department, Team

    known = me.__dict__.get("_worklog_leads")
    if known is None:
        boss = director()
        known = bool(
            (boss is not None and boss.pk == me.pk)
            or Person.objects.filter(manager=me).exists()
            or Team.objects.filter(lead=me).exists()
            or Department.objects.filter(head=me).exists()
        )
        me.__dict__["_worklog_leads"] = known
    return bool(known)


def is_above(me: Person | None, owner: Person) -> bool:
    """``me`` leads the owner's team or stands above them on the org chart (up to 5 levels)."""
    from netdept.approvals.resolve import superiors

    if me is None or me.pk == owner.pk:
        return False
    if owner.team_id and owner.team is not None and owner.team.lead_id == me.pk:
        return True
    if not _leads_anyone(me):
        return False
    # a page of many tasks asks for the same owners again: answered once per person object
    memo: dict[int, bool] = me.__dict__.setdefault("_worklog_above", {})
    if owner.pk not in memo:
        memo[owner.pk] = any(p.pk == me.pk for p in superiors(owner, 5))
    return memo[owner.pk]


def supervises_all(user: Any) -> bool:
    return user is not None and permissions.scope_of(user, SUPERVISE) == permissions.ALL


def _wide_add(me: Person, owner: Person) -> bool:
    """``me`` holds ``worklog.add_task`` at department scope over the owner, or at "all"."""
    user = user_of(me)
    if user is None or not user.is_active:
        return False
    scope = permissions.scope_of(user, ADD)
    if scope == permissions.ALL:
        return True
    if scope != permissions.DEPARTMENT:
        return False
    q = permissions.scope_q(Person, user, scope)
    return q is not None and Person.objects.filter(q, pk=owner.pk).exists()


def may_assign(
    me: Person | None,
    owner: Person,
    *,
    meeting: Meeting | None = None,
    project: Project | None = None,
    stage: ProjectStage | None = None,
) -> bool:
    if me is None or not me.is_active:
        return False
    if me.pk == owner.pk or is_above(me, owner) or _wide_add(me, owner):
        return True
    if meeting is not None and me.pk in (meeting.chair_id, meeting.minutes_by_id):
        return True
    if project is not None and me.pk in (project.manager_id, project.tech_lead_id):
        return True
    return stage is not None and stage.owner_id == me.pk


def may_manage(me: Person | None, task: Task) -> bool:
    """Edit, cancel, reopen: who assigned it, whoever stands above the owner, the director."""
    if me is None:
        return False
    if task.assigned_by_id == me.pk:
        return True  # who assigned it (one's own to-do included)
    return is_above(me, task.owner) or supervises_all(user_of(me))


def may_progress(me: Person | None, task: Task) -> bool:
    return me is not None and (me.pk == task.owner_id or may_manage(me, task))


def may_evaluate(me: Person | None, task: Task) -> bool:
    """The owner's lead, who assigned it, the director — never the owner."""
    if me is None or me.pk == task.owner_id:
        return False
    return task.assigned_by_id == me.pk or is_above(me, task.owner) or supervises_all(user_of(me))


# --- helpers -----------------------------------------------------------------------------------
def task_url(task: Task) -> str:
    try:
        return reverse("worklog:tasks_detail", args=[task.pk])
    except NoReverseMatch:  # the pages are not wired (a bare service test)
        return ""


def _refuse(field: str, text: str) -> ValidationError:
    return ValidationError({field: [text]})


def _deny(task: Task | None, by: Person | None, what: str) -> PermissionDenied:
    """A refused attempt, in the audit trail; returns the exception to raise."""
    audit.record(
        AuditAction.DENIED,
        task,
        actor=user_of(by),
        extra={"permission": what},
        object_type_label=None if task is not None else audit.object_type(Task),
        object_repr="" if task is None else None,
    )
    return PermissionDenied(what)


def clean_weight(value: Any) -> Decimal:
    try:
        weight = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise _refuse("weight", _("Enter the weight as a number, e.g. 1 or 2.5.")) from exc
    if not weight.is_finite() or weight <= 0 or weight > MAX_WEIGHT:
        raise _refuse(
            "weight", _("The weight must be above 0 and at most %(max)s.") % {"max": MAX_WEIGHT}
        )
    if weight != weight.quantize(Decimal("0.01")):
        raise _refuse("weight", _("Enter the weight with at most two decimal places."))
    return weight.quantize(Decimal("0.01"))


def clean_progress(value: Any) -> int:
    try:
        progress = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise _refuse("progress", _("Enter the progress as a whole number from 0 to 100.")) from exc
    if not 0 <= progress <= 100:
        raise _refuse("progress", _("Enter the progress as a whole number from 0 to 100."))
    return progress


def _text(field: str, value: Any, limit: int, *, required: bool = False) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        raise _refuse(field, _("This field is required."))
    if len(text) > limit:
        raise _refuse(
            field,
            _("Write at most %(limit)s characters (now %(count)s).")
            % {"limit": limit, "count": len(text)},
        )
    return text


def notify_on_commit(
    kind: str, task: Task, recipients: Sequence[Person], *, dedupe_key: str = "", **data: Any
) -> None:
    people = [p for p in recipients if p is not None]
    if not people:
        return
    payload = {
        "task": task.title,
        "owner": task.owner.name,
        "due": task.due_on,
        "task_id": task.pk,
        "status": task.status,
        **data,
    }
    link = task_url(task)

    def send() -> None:
        notify(kind, obj=task, recipients=people, data=payload, link=link, dedupe_key=dedupe_key)

    transaction.on_commit(send)


def _locked(task: Task, expected_version: int | None) -> Task:
    fresh = (
        Task.objects.select_for_update(of=("self",))
        .select_related("owner", "owner__team", "assigned_by", "goal")
        .get(pk=task.pk)
    )
    if expected_version is not None and int(expected_version) != fresh.version:
        raise Conflict(
            _("Someone changed this task in the meantime; reload the page and try again."),
            code="conflict",
        )
    return fresh


def _guard(task: Task, by: Person | None, allowed: Any, what: str) -> None:
    """Refuse (and audit the refusal, outside the refused transaction) unless
    ``allowed(by, task)``; the locked row is checked again inside (``_recheck``)."""
    fresh = Task.objects.select_related("owner", "owner__team").filter(pk=task.pk).first()
    if fresh is None:
        raise _refuse("task", _("This task no longer exists."))
    if not allowed(by, fresh):
        raise _deny(fresh, by, what)


def _recheck(ok: bool) -> None:
    if not ok:
        raise PermissionDenied(_("You may not change this task."))


def _finish(task: Task, before: dict[str, Any], by: Person | None, **extra: Any) -> Task:
    from netdept.worklog.services import goals

    task.version += 1
    task.full_clean()
    task.save()
    changes = audit.diff(before, audit.snapshot(task))
    audit.record(AuditAction.UPDATE, task, actor=user_of(by), changes=changes, extra=extra)
    if task.goal_id:
        goals.roll_up(task.goal_id)
    return task


def _refuse_status(task: Task) -> ValidationError:
    return _refuse(
        "status",
        _("The task is %(status)s; this cannot be done now.")
        % {"status": task.get_status_display()},
    )


# --- create ------------------------------------------------------------------------------------
def create_task(
    *,
    by: Person,
    title: str,
    owner: Person,
    due_on: dt.date,
    description: str = "",
    goal: Goal | None = None,
    meeting: Meeting | None = None,
    project: Project | None = None,
    stage: ProjectStage | None = None,
    weight: Decimal = Decimal(1),
) -> Task:
    """Assign a task to ``owner`` (``by`` may be the owner: one's own to-do). Refused with a
    message naming the field: an empty or too long title, an inactive owner, a due date in the
    past or after the goal's, a goal that is not active, a stage of another project, a weight
    that is not above 0. Notifies the owner (when someone else assigned it) on commit."""
    errors: dict[str, list[str]] = {}

    def check(fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:
            for name, errs in exc.message_dict.items():
                errors.setdefault(name, []).extend(errs)
            return None

    title_ = check(_text, "title", title, MAX_TITLE, required=True)
    description_ = check(_text, "description", description, MAX_DESCRIPTION)
    weight_ = check(clean_weight, weight)
    if owner is None or not owner.is_active:
        errors.setdefault("owner", []).append(_("Choose an active person as the owner."))
    today = timezone.localdate()
    if not isinstance(due_on, dt.date):
        errors.setdefault("due_on", []).append(_("Enter the due date."))
    elif due_on < today:
        errors.setdefault("due_on", []).append(
            _("The due date %(date)s is in the past.") % {"date": due_on.isoformat()}
        )
    elif goal is not None and due_on > goal.due_on:
        errors.setdefault("due_on", []).append(
            _("The goal is due %(date)s; the task cannot be due later.")
            % {"date": goal.due_on.isoformat()}
        )
    if goal is not None and goal.status != GoalStatus.ACTIVE:
        errors.setdefault("goal", []).append(
            _("The goal is %(status)s; tasks are added to active goals only.")
            % {"status": goal.get_status_display()}
        )
    if stage is not None:
        if project is None:
            project = stage.project
        elif stage.project_id != project.pk:
            errors.setdefault("stage", []).append(_("This stage belongs to another project."))
    if errors:
        raise ValidationError(errors)
    if not may_assign(by, owner, meeting=meeting, project=project, stage=stage):
        raise _deny(None, by, ADD)

    with transaction.atomic():
        task = Task(
            title=title_,
            description=description_,
            goal=goal,
            meeting=meeting,
            project=project,
            stage=stage,
            owner=owner,
            assigned_by=by,
            team=owner.team,
            department=owner.department,
            due_on=due_on,
            weight=weight_,
        )
        task.full_clean()
        task.save()
        after = audit.snapshot(task)
        audit.record(
            AuditAction.CREATE,
            task,
            actor=user_of(by),
            changes={k: [None, v] for k, v in after.items()},
        )
        if goal is not None:
            from netdept.worklog.services import goals

            goals.roll_up(goal.pk)
        if by.pk != owner.pk:
            notify_on_commit("worklog.task_assigned", task, [owner], by=by.name)
    return task


# --- edit --------------------------------------------------------------------------------------
EDITABLE: Final = ("title", "description", "due_on", "weight", "goal", "owner")


def update_task(
    task: Task, *, by: Person | None, data: dict[str, Any], expected_version: int | None = None
) -> Task:
    """Change the task's title, description, due date, weight, goal or owner (who manages it).
    A changed owner is told. A done or cancelled task is not edited (reopen it first)."""
    unknown = sorted(set(data) - set(EDITABLE))
    if unknown:
        raise _refuse(unknown[0], _("This field cannot be changed here."))
    _guard(task, by, may_manage, SUPERVISE)
    with transaction.atomic():
        task = _locked(task, expected_version)
        _recheck(may_manage(by, task))
        if task.status not in OPEN_TASK_STATUSES:
            raise _refuse_status(task)
        before = audit.snapshot(task)
        old_goal, old_owner = task.goal_id, task.owner_id
        if "title" in data:
            task.title = _text("title", data["title"], MAX_TITLE, required=True)
        if "description" in data:
            task.description = _text("description", data["description"], MAX_DESCRIPTION)
        if "weight" in data:
            task.weight = clean_weight(data["weight"])
        if "goal" in data:
            goal = data["goal"]
            if goal is not None and goal.status != GoalStatus.ACTIVE:
                raise _refuse("goal", _("Tasks are added to active goals only."))
            task.goal = goal
        if "owner" in data:
            owner = data["owner"]
            if owner is None or not owner.is_active:
                raise _refuse("owner", _("Choose an active person as the owner."))
            if owner.pk != task.owner_id and not may_assign(
                by, owner, project=task.project, stage=task.stage
            ):
                raise _refuse("owner", _("You may not assign tasks to this person."))
            task.owner, task.team, task.department = owner, owner.team, owner.department
        if "due_on" in data:
            due = data["due_on"]
            if not isinstance(due, dt.date):
                raise _refuse("due_on", _("Enter the due date."))
            if due != task.due_on and due < timezone.localdate():
                raise _refuse(
                    "due_on", _("The due date %(date)s is in the past.") % {"date": due.isoformat()}
                )
            if due != task.due_on:
                task.overdue_at = None  # a new due date: the sweep may tell again
            task.due_on = due
        if task.goal is not None and task.due_on > task.goal.due_on:
            raise _refuse(
                "due_on",
                _("The goal is due %(date)s; the task cannot be due later.")
                % {"date": task.goal.due_on.isoformat()},
            )
        _finish(task, before, by)
        if old_goal and old_goal != task.goal_id:
            from netdept.worklog.services import goals

            goals.roll_up(old_goal)
        if old_owner != task.owner_id and by is not None and by.pk != task.owner_id:
            notify_on_commit("worklog.task_assigned", task, [task.owner], by=by.name)
    return task


# --- progress, complete, reopen, cancel --------------------------------------------------------
def update_progress(
    task: Task, *, by: Person | None, progress: Any, expected_version: int | None = None
) -> Task:
    """Record progress 0–99 (100 is ``complete``); a task in "to do" starts."""
    value = clean_progress(progress)
    if value == 100:
        raise _refuse("progress", _("Mark the task done to reach 100 %."))
    _guard(task, by, may_progress, "worklog.progress_task")
    with transaction.atomic():
        task = _locked(task, expected_version)
        _recheck(may_progress(by, task))
        if task.status not in OPEN_TASK_STATUSES:
            raise _refuse_status(task)
        before = audit.snapshot(task)
        task.progress = value
        task.status = S.DOING
        return _finish(task, before, by)


def start(task: Task, *, by: Person | None, expected_version: int | None = None) -> Task:
    _guard(task, by, may_progress, "worklog.progress_task")
    with transaction.atomic():
        task = _locked(task, expected_version)
        _recheck(may_progress(by, task))
        if task.status != S.TODO:
            raise _refuse_status(task)
        before = audit.snapshot(task)
        task.status = S.DOING
        return _finish(task, before, by)


def complete(
    task: Task, *, by: Person | None, result: str = "", expected_version: int | None = None
) -> Task:
    """Done: progress 100, the result recorded (optional text)."""
    text = _text("result", result, MAX_RESULT)
    _guard(task, by, may_progress, "worklog.progress_task")
    with transaction.atomic():
        task = _locked(task, expected_version)
        _recheck(may_progress(by, task))
        if task.status not in OPEN_TASK_STATUSES:
            raise _refuse_status(task)
        before = audit.snapshot(task)
        task.status = S.DONE
        task.progress = 100
        task.done_at = timezone.now()
        if text:
            task.result = text
        return _finish(task, before, by)


def reopen(
    task: Task, *, by: Person | None, reason: str = "", expected_version: int | None = None
) -> Task:
    """A done task, not yet evaluated, back to "in progress" (who manages it)."""
    why = _text("reason", reason, MAX_EVALUATION, required=True)
    _guard(task, by, may_manage, SUPERVISE)
    with transaction.atomic():
        task = _locked(task, expected_version)
        _recheck(may_manage(by, task))
        if task.status != S.DONE or task.score is not None:
            raise _refuse(
                "status", _("Only a done task that has not been evaluated can be reopened.")
            )
        before = audit.snapshot(task)
        task.status = S.DOING
        task.done_at = None
        task.progress = min(task.progress, 99)
        return _finish(task, before, by, reason=why)


def cancel(
    task: Task, *, by: Person | None, reason: str = "", expected_version: int | None = None
) -> Task:
    why = _text("reason", reason, MAX_EVALUATION, required=True)
    _guard(task, by, may_manage, SUPERVISE)
    with transaction.atomic():
        task = _locked(task, expected_version)
        _recheck(may_manage(by, task))
        if task.status not in OPEN_TASK_STATUSES:
            raise _refuse_status(task)
        before = audit.snapshot(task)
        task.status = S.CANCELLED
        task.result = (task.result + "\n" if task.result else "") + why
        task.result = task.result[:MAX_RESULT]
        return _finish(task, before, by, reason=why)


def evaluate(
    task: Task,
    *,
    by: Person | None,
    score: Any,
    comment: str = "",
    expected_version: int | None = None,
) -> Task:
    """The lead's score 0–100 and comment on a done task (the assessment module reads them).
    Never the owner. A second evaluation replaces the first (both in the audit trail)."""
    try:
        value = int(str(score).strip())
    except (TypeError, ValueError) as exc:
        raise _refuse("score", _("Enter a score from 0 to 100.")) from exc
    if not 0 <= value <= 100:
        raise _refuse("score", _("Enter a score from 0 to 100."))
    text = _text("evaluation", comment, MAX_EVALUATION)
    _guard(task, by, may_evaluate, "worklog.evaluate_task")
    with transaction.atomic():
        task = _locked(task, expected_version)
        _recheck(may_evaluate(by, task))
        if task.status != S.DONE:
            raise _refuse("status", _("Only a done task can be evaluated."))
        before = audit.snapshot(task)
        task.score = value
        task.evaluation = text
        task.evaluated_by = by
        task.evaluated_at = timezone.now()
        _finish(task, before, by)
        notify_on_commit(
            "worklog.task_evaluated",
            task,
            [task.owner],
            by=by.name if by is not None else "",
            score=value,
            comment=text,
        )
        return task


# --- lists -------------------------------------------------------------------------------------
def open_tasks_of(person: Person | None) -> Any:
    """我的任务: the person's open tasks, the soonest due first."""
    if person is None:
        return Task.objects.none()
    return (
        Task.objects.filter(owner=person, status__in=OPEN_TASK_STATUSES)
        .select_related("goal", "project", "meeting")
        .order_by("due_on", "pk")
    )


# --- the machine's handlers: handler(user, task, **cleaned) ------------------------------------
def _me(user: Any) -> Person:
    me = person_of(user)
    if me is None:
        raise PermissionDenied(_("Your account is not linked to a person of the organisation."))
    return me


def start_action(user: Any, task: Task, *, expected_version: int | None = None) -> Task:
    return start(task, by=_me(user), expected_version=expected_version)


def progress_action(
    user: Any, task: Task, *, progress: Any, expected_version: int | None = None
) -> Task:
    return update_progress(task, by=_me(user), progress=progress, expected_version=expected_version)


def complete_action(
    user: Any, task: Task, *, result: str = "", expected_version: int | None = None
) -> Task:
    return complete(task, by=_me(user), result=result, expected_version=expected_version)


def evaluate_action(
    user: Any, task: Task, *, score: Any, comment: str = "", expected_version: int | None = None
) -> Task:
    return evaluate(
        task, by=_me(user), score=score, comment=comment, expected_version=expected_version
    )


def reopen_action(
    user: Any, task: Task, *, reason: str = "", expected_version: int | None = None
) -> Task:
    return reopen(task, by=_me(user), reason=reason, expected_version=expected_version)


def cancel_action(
    user: Any, task: Task, *, reason: str = "", expected_version: int | None = None
) -> Task:
    return cancel(task, by=_me(user), reason=reason, expected_version=expected_version)
