"""The built-in roles (三权分立: system administrator, security administrator and auditor are
separate), defined as rules over permissions so that modules added later are covered too.

Permissions are seeded into a built-in role once; an administrator who removes one from the
role keeps it removed (``RoleSeed`` remembers what was seeded).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.db import transaction

# Apps whose objects are the department's work (every later module adds itself here).
DOMAIN_APPS: set[str] = {
    "workorders",
    "inventory",
    "changes",
    "backups",
    "monitoring",
    "security",
    "duties",
    "worklog",
    "people",
    "opinion",
    "reports",
}
ORG_DATA = {"department", "team", "position", "person"}
ACCOUNT_ADMIN = {"user", "role", "roleassignment"}
CALENDAR = {"workcalendar", "calendaroverride"}
# Notification settings run by the system administrator; the delivery log is read-only.
NOTIFY_ADMIN = {"notificationchannel", "allowedhost", "eventkindsetting", "notificationtemplate"}
NOTIFY_LOG = {"delivery", "notification"}

Rule = Callable[[str, str, str], bool]  # (app_label, model, action) → granted?


def _sysadmin(app: str, model: str, action: str) -> bool:
    if app == "auth":
        return model == "user" and action in {"view", "add", "change", "delete"}
    if app == "org":
        return model in ORG_DATA | ACCOUNT_ADMIN and action in {"view", "add", "change", "delete"}
    if app == "core" and model in NOTIFY_LOG:
        return action == "view"
    return app == "core" and model in CALENDAR | NOTIFY_ADMIN


def _secadmin(app: str, model: str, action: str) -> bool:
    if app == "core" and model == "securitypolicy":
        return True
    if app == "auth" and model == "user":
        return action == "view"
    return app == "org" and model in {"role", "roleassignment"} and action == "view"


def _auditor(app: str, model: str, action: str) -> bool:
    if app == "core" and model == "auditrecord":
        return action in {"view", "export", "view_history"}
    if app == "core" and model == "securitypolicy":
        return action == "view"
    if app in DOMAIN_APPS and action.startswith("view"):
        return True  # everything, internal notes included
    return action == "view" and app in {"org", "core", "auth"}


def _director(app: str, model: str, action: str) -> bool:
    if app == "core" and model == "auditrecord":
        return action == "view_history"
    if app == "org":
        return model in ORG_DATA or (model in ACCOUNT_ADMIN and action == "view")
    if app == "core" and model in CALENDAR:
        return True
    return app in DOMAIN_APPS


def _team_lead(app: str, model: str, action: str) -> bool:
    if app == "core" and model == "auditrecord":
        return action == "view_history"
    if app == "org":
        return model in ORG_DATA and action == "view"
    if app == "core" and model in CALENDAR:
        return action == "view"
    return app in DOMAIN_APPS and action in {"view", "add", "change", "view_internal"}


def _engineer(app: str, model: str, action: str) -> bool:
    if app == "core" and model == "auditrecord":
        return action == "view_history"
    if app == "org":
        return model in ORG_DATA and action == "view"
    if app == "core" and model in CALENDAR:
        return action == "view"
    return app in DOMAIN_APPS and action in {"view", "add", "change", "view_internal"}


def _requester(app: str, model: str, action: str) -> bool:
    if app == "org":
        return model == "person" and action == "view"
    if app == "workorders":
        # File and follow orders, comment, attach photos; never internal notes.
        return (model, action) in {
            ("workorder", "view"),
            ("workorder", "add"),
            ("comment", "view"),
            ("comment", "add"),
            ("attachment", "view"),
            ("attachment", "add"),
            ("category", "view"),
        }
    return False


@dataclass(frozen=True)
class BuiltinRole:
    code: str
    name: str
    scope: str
    description: str
    rule: Rule


BUILTIN_ROLES = [
    BuiltinRole(
        "sysadmin",
        "系统管理员",
        "all",
        "管理账号、角色与组织架构；不能查看或修改审计日志（三权分立）。",
        _sysadmin,
    ),
    BuiltinRole("secadmin", "安全管理员", "all", "管理登录与密码策略等安全设置。", _secadmin),
    BuiltinRole("auditor", "审计员", "all", "查看全部数据与审计日志，不能修改任何数据。", _auditor),
    BuiltinRole("director", "主任", "all", "部门负责人：审批、查看全部工作。", _director),
    BuiltinRole("team_lead", "组长", "team", "分配并检查本组工作。", _team_lead),
    BuiltinRole("engineer", "工程师", "team", "处理工单、巡检、变更、备份与告警。", _engineer),
    BuiltinRole(
        "requester",
        "申请人",
        "department",
        "其他科室人员：提交并跟踪本人及本科室的工单、评价服务。",
        _requester,
    ),
]


# Roles that run NetDept itself: a second factor is required by default (DESIGN: security).
PRIVILEGED = {"sysadmin", "secadmin", "auditor"}


def _split(perm: Permission) -> tuple[str, str, str]:
    model = perm.content_type.model
    codename = perm.codename
    suffix = f"_{model}"
    action = codename[: -len(suffix)] if codename.endswith(suffix) else codename
    return perm.content_type.app_label, model, action


def sync_builtin_roles() -> None:
    """Create missing built-in roles and seed permissions that were never seeded before."""
    from django.conf import settings

    from netdept.org.models import Role, RoleSeed

    privileged_2fa = bool(settings.NETDEPT.get("PRIVILEGED_ROLES_REQUIRE_2FA", True))
    perms = list(Permission.objects.select_related("content_type"))
    with transaction.atomic():
        for spec in BUILTIN_ROLES:
            role, _created = Role.objects.get_or_create(
                code=spec.code,
                defaults={
                    "name": spec.name,
                    "scope": spec.scope,
                    "description": spec.description,
                    "require_2fa": spec.code in PRIVILEGED and privileged_2fa,
                },
            )
            seeded = set(RoleSeed.objects.filter(role=role).values_list("permission_id", flat=True))
            new = [p for p in perms if p.pk not in seeded and spec.rule(*_split(p))]
            if new:
                role.permissions.add(*new)
                RoleSeed.objects.bulk_create(
                    [RoleSeed(role=role, permission=p) for p in new], ignore_conflicts=True
                )
