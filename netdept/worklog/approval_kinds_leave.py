"""The approval kind of leave requests, declared once (imported by ``wiring``):

``worklog.leave`` — a person's leave; its conditions may test the working days and the leave
type (a rule can add the director's step over three days). What happens on each outcome is
``services.leave.leave_decided``. The default rule (one step: the person's superior) is
written after ``migrate`` when the kind has none: a site's or a pack's own rules are never
touched, and a second run changes nothing.
"""

from __future__ import annotations

from typing import Any, Final

from django.apps import AppConfig, apps
from django.db import transaction
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from netdept.approvals.kinds import NUMBER, TEXT, ApprovalKind, Condition, register_kind
from netdept.approvals.models import ApprovalRule, ApprovalStepRule, Approver
from netdept.worklog.models.leave import LeaveRequest
from netdept.worklog.services.leave import LEAVE_KIND

#: (code, name, description, the one step's name) — data in the site's language
DEFAULT_RULE: Final = (
    "worklog-leave",
    "请假审批",
    "请假由直接上级审批；审批人记录请假方式（当面、电话等）。",
    "直接上级审批",
)


def _title(leave: LeaveRequest) -> str:
    return (
        f"{leave.person.name} · {leave.leave_type.name} · "
        f"{leave.working_days:g} · {leave.starts_at:%Y-%m-%d}"
    )


def _data(leave: LeaveRequest) -> dict[str, Any]:
    return {"days": leave.working_days, "type": leave.leave_type.code}


def register() -> None:
    register_kind(
        ApprovalKind(
            code=LEAVE_KIND,
            label=_("leave request"),
            model=LeaveRequest,
            fields={
                "days": Condition(_("working days"), NUMBER),
                "type": Condition(_("leave type (code)"), TEXT),
            },
            data=_data,
            requester=lambda leave: leave.person,
            title=_title,
            on_decided="netdept.worklog.services.leave.leave_decided",
            description=_(
                "A person's leave: the approver records how it was requested (in person, by "
                "phone…); approved, the person's approvals go to their delegate and their "
                "duties pause."
            ),
        )
    )


def ensure_default_rule(using: str = "default") -> None:
    """The default rule when the kind has none: one step, the person's superior."""
    code, name, description, step = DEFAULT_RULE
    with transaction.atomic(using=using):
        if ApprovalRule.objects.using(using).filter(kind=LEAVE_KIND).exists():
            return
        if ApprovalRule.objects.using(using).filter(code=code).exists():
            return  # the code is taken by another kind's rule: the site decides
        rule = ApprovalRule.objects.using(using).create(
            name=name, code=code, kind=LEAVE_KIND, is_default=True, description=description
        )
        ApprovalStepRule.objects.using(using).create(
            rule=rule, order=10, name=step, approver=Approver.SUPERIORS, levels=1
        )


def _after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    ensure_default_rule(using=using)


register()
post_migrate.connect(
    _after_migrate, sender=apps.get_app_config("worklog"), dispatch_uid="worklog.leave_rule"
)
