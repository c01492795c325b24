"""Assigning orders to a team and a person, transfers and bulk assignment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from netdept.notify import notify
from netdept.org.models import Person, Team
from netdept.workorders.models import MAX_REASON, Priority, WorkOrder
from netdept.workorders.services.common import _text
from netdept.workorders.services.engine import _data, _to_handlers, _transition
from netdept.workorders.services.visibility import _require_staff


def _check_member(team: Team | None, assignee: Person | None) -> None:
    if assignee is None:
        return
    if not assignee.is_active:
        raise ValidationError({"assignee": [_("%(name)s is not active.") % {"name": assignee}]})
    if team is not None and assignee.team_id != team.pk and team.lead_id != assignee.pk:
        raise ValidationError(
            {
                "assignee": [
                    _("%(name)s is not a member of %(team)s.") % {"name": assignee, "team": team}
                ]
            }
        )


def assign(
    actor: Any,
    order: WorkOrder,
    *,
    team: Team | None = None,
    assignee: Person | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """Assign (or reassign) an open order to a team and/or a person of that team."""
    if team is None and assignee is None:
        raise ValidationError({"assignee": [_("Choose a team or a person.")]})
    if team is not None and not team.is_active:
        raise ValidationError({"team": [_("This team is no longer active.")]})

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        new_team = team or (o.team if o.team_id else None)
        if new_team is None and assignee is not None and assignee.team_id:
            new_team = assignee.team
        _check_member(new_team, assignee)
        o.team = new_team
        if assignee is not None:
            o.assignee = assignee
        elif (
            o.assignee is not None
            and new_team is not None
            and o.assignee.team_id != new_team.pk
            and new_team.lead_id != o.assignee_id
        ):
            o.assignee = None  # the old assignee is not in the new team

    def after(o: WorkOrder) -> None:
        recipients = _to_handlers(o)
        if recipients:
            notify(
                "workorders.assigned",
                obj=o,
                recipients=recipients,
                data=_data(o, reason=reason),
                severity="warning" if o.priority == Priority.P1 else "info",
            )

    return _transition(
        actor,
        order,
        "assign",
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        after=after,
        extra={"reason": reason} if reason else None,
        expected_version=expected_version,
    )


def transfer(
    actor: Any,
    order: WorkOrder,
    *,
    team: Team,
    reason: str,
    expected_version: int | None = None,
) -> WorkOrder:
    """Hand an open order to another team, with a reason; the assignee is cleared."""
    reason = _text(reason, "reason", limit=MAX_REASON)
    if team is None:
        raise ValidationError({"team": [_("This field is required.")]})
    if not team.is_active:
        raise ValidationError({"team": [_("This team is no longer active.")]})

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        if o.team_id == team.pk:
            raise ValidationError({"team": [_("The order is already with this team.")]})
        o.team = team
        o.assignee = None

    def after(o: WorkOrder) -> None:
        notify(
            "workorders.assigned",
            obj=o,
            recipients=[team],
            data=_data(o, reason=reason),
            severity="warning" if o.priority == Priority.P1 else "info",
        )

    return _transition(
        actor,
        order,
        "transfer",
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        after=after,
        extra={"reason": reason},
        expected_version=expected_version,
    )


def bulk_assign(
    actor: Any,
    orders: Iterable[WorkOrder],
    *,
    team: Team | None = None,
    assignee: Person | None = None,
) -> int:
    """Assign many orders at once: all or none."""
    count = 0
    with transaction.atomic():
        for order in orders:
            assign(actor, order, team=team, assignee=assignee)
            count += 1
    return count
