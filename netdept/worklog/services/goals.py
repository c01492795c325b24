"""Goals (目标): department → team → person, each part of a larger one; progress rolled up.

A goal's progress is the weighted progress of every task in its subtree (its own tasks and
those of its sub-goals, at any depth), cancelled tasks left out: Σ(weight × progress) / Σ weight,
rounded down — so a goal shows 100 % only when every task is done. A goal without tasks keeps 0.
``roll_up(goal_id)`` recomputes the goal and every goal above it; the task service calls it
inside its transaction.

Rules of the goal's place in the tree (``GoalService.before_save``, used by the generated
pages and API): a team goal belongs under a department goal (or stands alone), a person's goal
under a team or department goal; a sub-goal is of a lower level than its parent, in the same
department, and not due after it; no goal is its own ancestor. A department goal has no team;
a team goal names its team; the team is of the goal's department.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.utils.translation import gettext as _

from netdept.core import audit
from netdept.core.models.audit import AuditAction
from netdept.core.services import ModelService
from netdept.worklog.models import Goal, GoalLevel, GoalStatus, Task, TaskStatus

RANK: Final = {GoalLevel.DEPARTMENT: 0, GoalLevel.TEAM: 1, GoalLevel.PERSON: 2}
MAX_DEPTH: Final = 10


def subtree_ids(goal_id: int) -> list[int]:
    """The goal and all goals below it (breadth first, bounded)."""
    ids = [goal_id]
    frontier = [goal_id]
    for _depth in range(MAX_DEPTH):
        frontier = list(
            Goal.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        if not frontier:
            break
        ids.extend(frontier)
    return ids


def weighted_progress(goal_id: int) -> int:
    """Σ(weight × progress) / Σ weight over the subtree's tasks, cancelled ones left out."""
    qs = Task.objects.filter(goal_id__in=subtree_ids(goal_id)).exclude(status=TaskStatus.CANCELLED)
    agg = qs.aggregate(
        w=Sum("weight"),
        wp=Sum(
            ExpressionWrapper(
                F("weight") * F("progress"),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            )
        ),
    )
    total = Decimal(agg["w"] or 0)
    if total <= 0:
        return 0
    return max(0, min(100, int(Decimal(agg["wp"] or 0) / total)))


def roll_up(goal_id: int) -> None:
    """Recompute the goal's progress and that of every goal above it (audited when changed)."""
    seen: set[int] = set()
    current: int | None = goal_id
    with transaction.atomic():
        while current is not None and current not in seen and len(seen) < MAX_DEPTH:
            seen.add(current)
            goal = Goal.objects.select_for_update().filter(pk=current).first()
            if goal is None:
                return
            value = weighted_progress(goal.pk)
            if value != goal.progress:
                audit.record(
                    AuditAction.UPDATE,
                    goal,
                    changes={"progress": [goal.progress, value]},
                    extra={"rolled_up": True},
                )
                goal.progress = value
                goal.save(update_fields=["progress", "updated_at"])
            current = goal.parent_id


def _ancestors(goal: Goal) -> list[Goal]:
    chain: list[Goal] = []
    node = goal.parent
    while node is not None and len(chain) <= MAX_DEPTH:
        chain.append(node)
        node = node.parent
    return chain


def check_goal(goal: Goal) -> None:
    """The goal's place in the tree (see the module's docstring); errors name the field."""
    errors: dict[str, list[str]] = {}
    if goal.starts_on and goal.due_on and goal.due_on < goal.starts_on:
        errors["due_on"] = [_("The goal cannot be due before it starts.")]
    if goal.level == GoalLevel.DEPARTMENT and goal.team_id:
        errors["team"] = [_("A department's goal has no team; leave the team empty.")]
    if goal.level == GoalLevel.TEAM and not goal.team_id:
        errors["team"] = [_("Choose the team whose goal this is.")]
    team = goal.team if goal.team_id else None
    if team is not None and goal.department_id and team.department_id != goal.department_id:
        errors["team"] = [_("This team is not of the goal's department.")]
    parent = goal.parent
    if parent is not None:
        if goal.pk and (parent.pk == goal.pk or any(a.pk == goal.pk for a in _ancestors(parent))):
            errors["parent"] = [_("A goal cannot be part of itself or of its own sub-goal.")]
        elif RANK[GoalLevel(parent.level)] >= RANK[GoalLevel(goal.level)]:
            errors["parent"] = [
                _("A %(level)s goal cannot be part of a %(parent)s goal.")
                % {"level": goal.get_level_display(), "parent": parent.get_level_display()}
            ]
        elif parent.department_id != goal.department_id:
            errors["parent"] = [_("The larger goal is of another department.")]
        elif goal.due_on and goal.due_on > parent.due_on:
            errors["due_on"] = [
                _("The larger goal is due %(date)s; this one cannot be due later.")
                % {"date": parent.due_on.isoformat()}
            ]
    if errors:
        raise ValidationError(errors)


class GoalService(ModelService[Goal]):
    """The generated pages' and API's goal service: the tree's rules, progress kept by tasks."""

    model = Goal

    def before_save(self, actor: Any, obj: Goal, data: Mapping[str, Any], creating: bool) -> None:
        check_goal(obj)
        if creating:
            obj.progress = 0
        else:
            obj.version += 1

    def after_save(self, actor: Any, obj: Goal, data: Mapping[str, Any], creating: bool) -> None:
        if obj.parent_id:
            roll_up(obj.parent_id)

    def before_delete(self, actor: Any, obj: Goal) -> None:
        if Task.objects.filter(goal=obj).exists() or Goal.objects.filter(parent=obj).exists():
            raise ValidationError(
                _("The goal has tasks or sub-goals; cancel it instead of deleting it.")
            )


def close(goal: Goal, *, actor: Any, status: str) -> Goal:
    """Mark the goal achieved, not achieved or cancelled (generic service, audited)."""
    if status not in (GoalStatus.ACHIEVED, GoalStatus.MISSED, GoalStatus.CANCELLED):
        raise ValidationError({"status": [_("Choose achieved, not achieved or cancelled.")]})
    return GoalService().update(actor, goal, {"status": status})
