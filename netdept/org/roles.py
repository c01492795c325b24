"""The built-in roles (三权分立: system administrator, security administrator and auditor are
separate), defined as rules over permissions so that modules added later are covered too.

Permissions are seeded into an ordinary built-in role once; an administrator who removes one
from the role keeps it removed (``RoleSeed`` remembers what was seeded).

The three privileged roles (``PRIVILEGED``) are different: their permission set is exactly
their rule, and their 2FA requirement is the site setting, always. Nobody can change them
through the UI or the API (``org.services.RoleService`` refuses), and every ``migrate`` brings
an existing database back to the rule (``enforce_privileged``, run by migration
``org.0003_separation_of_duties`` and by ``sync_builtin_roles`` after every migrate):

* system administrator: accounts (create, change, disable; never delete), the org chart,
  calendars and notification settings; roles, role assignments and grants read only;
* security administrator: security policy, roles, role assignments (granting roles) and the
  account-management grants that let the system administrator reset or disable a privileged
  account; accounts read only;
* auditor: reads everything, the audit trail included; changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from netdept.core.models.base import is_config_label
from netdept.org.models import Role, RoleSeed

# Apps whose objects are the department's work (every later module adds itself here).
DOMAIN_APPS: set[str] = {
    "workorders",
    "approvals",
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
# Violations and rewards are recorded by leads and the director, never by the person's peers.
SANCTIONS = {"violation", "reward"}
# The clock's records are imported by leads, never written by the people they judge.
ATTENDANCE = {"attendancerecord", "attendanceimport"}
ACCOUNT_ADMIN = {"user", "role", "roleassignment"}
# Granting rights: the security administrator's part (三权分立).
GRANTS = {"role", "roleassignment", "accountgrant"}
# The kernel and the platform modules (issue 9 moved these models out of core).
KERNEL_APPS = {"core", "tasks", "accounts", "notify", "workcal"}
CALENDAR = {"workcalendar", "calendaroverride"}  # workcal
# Notification settings run by the system administrator; the delivery log is read-only.
NOTIFY_ADMIN = {"notificationchannel", "allowedhost", "eventkindsetting", "notificationtemplate"}
NOTIFY_LOG = {"delivery", "notification"}

Rule = Callable[[str, str, str], bool]  # (app_label, model, action) → granted?


def _sysadmin(app: str, model: str, action: str) -> bool:
    if app == "auth":
        # Accounts are created, changed and disabled, never deleted (the audit trail names them).
        return model == "user" and action in {"view", "add", "change"}
    if app == "org":
        if model in ORG_DATA:
            return action in {"view", "add", "change", "delete"}
        return model in GRANTS and action == "view"  # grants are the security administrator's
    if app == "notify" and model in NOTIFY_LOG:
        return action == "view"
    return (app == "workcal" and model in CALENDAR) or (app == "notify" and model in NOTIFY_ADMIN)


def _secadmin(app: str, model: str, action: str) -> bool:
    if app == "accounts" and model == "securitypolicy":
        return True
    if app == "auth" and model == "user":
        return action == "view"
    if app == "org" and model in {"role", "roleassignment"}:
        return action in {"view", "add", "change", "delete"}
    if app == "org" and model == "accountgrant":
        return action in {"view", "add"}
    return False


def _auditor(app: str, model: str, action: str) -> bool:
    if app == "core" and model == "auditrecord":
        return action in {"view", "export", "view_history"}
    if app == "accounts" and model == "securitypolicy":
        return action == "view"
    if app in DOMAIN_APPS and action.startswith("view"):
        return True  # everything, internal notes included
    return action == "view" and app in {"org", "auth", *KERNEL_APPS}


def _director(app: str, model: str, action: str) -> bool:
    if app == "core" and model == "auditrecord":
        return action == "view_history"
    if app == "org":
        return model in ORG_DATA or (model in ACCOUNT_ADMIN and action == "view")
    if app == "workcal" and model in CALENDAR:
        return True
    return app in DOMAIN_APPS


def _team_lead(app: str, model: str, action: str) -> bool:
    if app == "core" and model == "auditrecord":
        return action == "view_history"
    if app == "org":
        return model in ORG_DATA and action == "view"
    if app == "workcal" and model in CALENDAR:
        return action == "view"
    return app in DOMAIN_APPS and action in {"view", "add", "change", "view_internal"}


def _config_write(app: str, model: str, action: str) -> bool:
    """A write (anything but reading) on a configuration model (``record_kind = "config"``,
    see ``core.models.base``): the engineer and the requester never get one."""
    return not action.startswith("view") and is_config_label(app, model)


def _engineer(app: str, model: str, action: str) -> bool:
    if _config_write(app, model, action):
        return False  # configuration is not work: team leads and the director set it
    if app == "core" and model == "auditrecord":
        return action == "view_history"
    if app == "org":
        return model in ORG_DATA and action == "view"
    if app == "workcal" and model in CALENDAR:
        return action == "view"
    if app == "duties" and model in SANCTIONS:
        return action == "view"  # recorded by leads, granted by leads; appealed by the person
    if app == "worklog" and model in ATTENDANCE:
        return action == "view"
    return app in DOMAIN_APPS and action in {"view", "add", "change", "view_internal"}


def _requester(app: str, model: str, action: str) -> bool:
    if _config_write(app, model, action):
        return False
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
    if app == "approvals":
        # Follow their department's requests and where each stands (deciding needs no
        # permission: being the approver is the right); pass their own approvals on while
        # away (the service keeps a requester to their own delegations).
        return (model, action) in {
            ("approvalrequest", "view"),
            ("approvalstep", "view"),
            ("approvaldecision", "view"),
            ("delegation", "view"),
            ("delegation", "add"),
            ("delegation", "change"),
        }
    return False


@dataclass(frozen=True)
class BuiltinRole:
    code: str
    name: str  # the name a new site's role gets (data afterwards: the site may rename it)
    scope: str
    description: str  # the description a new site's role gets (data afterwards)
    rule: Rule
    label: Any = ""  # the role's name in the reader's language
    explanation: Any = ""  # what the role is for, in the reader's language (the role page)


BUILTIN_ROLES = [
    BuiltinRole(
        "sysadmin",
        "系统管理员",
        "all",
        "管理账号（创建、停用、重置密码）与组织架构；不能授予角色，不能查看审计日志（三权分立）。",
        _sysadmin,
        _("System administrator"),
        _(
            "Runs the accounts and the organisation: creates, changes and disables login "
            "accounts (never deletes them) and sets their first password; keeps departments, "
            "teams, positions and people, the working calendars and the notification settings. "
            "Cannot grant roles and cannot read the audit trail (三员)."
        ),
    ),
    BuiltinRole(
        "secadmin",
        "安全管理员",
        "all",
        "授予角色、维护角色与登录和密码策略等安全设置；不能创建账号或重置密码（三权分立）。",
        _secadmin,
        _("Security administrator"),
        _(
            "Grants roles and keeps them, sets the security policy (passwords, lockout, "
            "sessions, two-factor sign-in) and gives the one-time grants that let the system "
            "administrator reset or disable a privileged account. Cannot create accounts or "
            "set passwords, and cannot read the audit trail (三员)."
        ),
    ),
    BuiltinRole(
        "auditor",
        "审计员",
        "all",
        "查看全部数据与审计日志，不能修改任何数据。",
        _auditor,
        _("Auditor"),
        _(
            "Reads everything, the audit trail included, and exports the audit trail; changes "
            "nothing. Hears at once when a privileged role is granted or removed (三员)."
        ),
    ),
    BuiltinRole(
        "director",
        "主任",
        "all",
        "部门负责人：审批、查看全部工作。",
        _director,
        _("Director"),
        _(
            "Heads the department: sees and manages the work of every team, keeps the "
            "organisation's data, the working calendars and the work settings (categories, "
            "SLA policies); reads roles and accounts but does not grant them."
        ),
    ),
    BuiltinRole(
        "team_lead",
        "组长",
        "team",
        "分配并检查本组工作。",
        _team_lead,
        _("Team lead"),
        _(
            "Assigns and checks the work of their own team and of the teams they lead: sees, "
            "files and changes its work orders, internal notes included, and keeps the work "
            "settings; reads the people of the organisation."
        ),
    ),
    BuiltinRole(
        "engineer",
        "工程师",
        "team",
        "处理工单、巡检、变更、备份与告警。",
        _engineer,
        _("Engineer"),
        _(
            "Handles the work of their own team: accepts, works on and resolves work orders, "
            "internal notes included; reads the settings but never changes them."
        ),
    ),
    BuiltinRole(
        "requester",
        "申请人",
        "department",
        "其他科室人员：提交并跟踪本人及本科室的工单、评价服务。",
        _requester,
        _("Requester"),
        _(
            "Staff of the departments served: files and follows the work orders of their own "
            "department, comments and attaches photos, confirms and rates the service; never "
            "sees internal notes and changes no settings."
        ),
    ),
]
BUILTIN_BY_CODE = {spec.code: spec for spec in BUILTIN_ROLES}


# Roles that run NetDept itself: a second factor is required by default (DESIGN: security).
PRIVILEGED = {"sysadmin", "secadmin", "auditor"}


def _split(perm: Any) -> tuple[str, str, str]:
    model = perm.content_type.model
    codename = perm.codename
    suffix = f"_{model}"
    action = codename[: -len(suffix)] if codename.endswith(suffix) else codename
    return perm.content_type.app_label, model, action


def privileged_2fa() -> bool:
    """Whether the privileged roles require a second factor (the site setting, default yes)."""
    return bool(settings.NETDEPT.get("PRIVILEGED_ROLES_REQUIRE_2FA", True))


def rule_of(code: str) -> Rule | None:
    return next((spec.rule for spec in BUILTIN_ROLES if spec.code == code), None)


def enforce_privileged(role_model: Any, permission_model: Any, require_2fa: bool) -> list[str]:
    """Bring each existing privileged role back to exactly its rule: its permissions, scope,
    2FA requirement and active flag. Takes the models so that a migration can pass its
    historical ones. Returns the codes of the roles that were changed."""
    perms = list(permission_model.objects.select_related("content_type"))
    changed: list[str] = []
    for spec in BUILTIN_ROLES:
        if spec.code not in PRIVILEGED:
            continue
        role = role_model.objects.filter(code=spec.code).first()
        if role is None:
            continue
        want = {p.pk for p in perms if spec.rule(*_split(p))}
        have = set(role.permissions.values_list("pk", flat=True))
        fields = {"scope": spec.scope, "require_2fa": require_2fa, "is_active": True}
        stale = [name for name, value in fields.items() if getattr(role, name) != value]
        if want != have or stale:
            changed.append(spec.code)
        if want != have:
            role.permissions.set(want)
        if stale:
            for name in stale:
                setattr(role, name, fields[name])
            role.save(update_fields=stale)
    return changed


def sync_builtin_roles() -> None:
    """Create missing built-in roles, seed permissions that were never seeded before into the
    ordinary ones, and hold the privileged ones to exactly their rule."""
    require_2fa = privileged_2fa()
    perms = list(Permission.objects.select_related("content_type"))
    with transaction.atomic():
        for spec in BUILTIN_ROLES:
            role, _created = Role.objects.get_or_create(
                code=spec.code,
                defaults={
                    "name": spec.name,
                    "scope": spec.scope,
                    "description": spec.description,
                    "require_2fa": spec.code in PRIVILEGED and require_2fa,
                },
            )
            seeded = set(RoleSeed.objects.filter(role=role).values_list("permission_id", flat=True))
            new = [p for p in perms if p.pk not in seeded and spec.rule(*_split(p))]
            if new:
                if spec.code not in PRIVILEGED:
                    role.permissions.add(*new)
                RoleSeed.objects.bulk_create(
                    [RoleSeed(role=role, permission=p) for p in new], ignore_conflicts=True
                )
        enforce_privileged(Role, Permission, require_2fa)
