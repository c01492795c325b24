"""Pages and API endpoints of the organisation: departments, teams, positions, people, roles."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from netdept.api.serializers import AccountSerializer
from netdept.core.registry import Page, register
from netdept.core.tabs import register_tab, related_tab
from netdept.org import forms, services, views_account, views_roles
from netdept.org.models import (
    AccountGrant,
    Department,
    Person,
    Position,
    Role,
    RoleAssignment,
    Team,
)
from netdept.org.serializers import RoleSerializer

register(
    Page(
        model=Department,
        nav_order=10,
        icon="bi-building",
        fields=["name", "code", "kind", "parent", "head", "phone", "location", "is_active"],
        columns=[
            "code",
            "name",
            "kind",
            "parent",
            "head",
            "phone",
            "location",
            "is_active",
            "created_at",
        ],
        default_columns=["code", "name", "kind", "parent", "head", "phone"],
        filters=["kind", "parent", "is_active"],
        search=["name", "code"],
        select_related=["parent", "head"],
        service=services.DepartmentService(),
    )
)
register(
    Page(
        model=Team,
        nav_order=20,
        icon="bi-people",
        fields=["name", "department", "lead", "description", "is_active"],
        columns=["name", "department", "lead", "description", "is_active", "created_at"],
        default_columns=["name", "department", "lead", "is_active"],
        filters=["department", "is_active"],
        search=["name", "description"],
        select_related=["department", "lead"],
        service=services.TeamService(),
    )
)
register(
    Page(
        model=Position,
        nav_order=30,
        icon="bi-briefcase",
        fields=["name", "department", "responsibilities", "is_active"],
        columns=["name", "department", "responsibilities", "is_active"],
        default_columns=["name", "department", "is_active"],
        filters=["department", "is_active"],
        search=["name", "responsibilities"],
        select_related=["department"],
    )
)
register(
    Page(
        model=Person,
        nav_order=40,
        icon="bi-person-badge",
        fields=[
            "name",
            "employee_no",
            "department",
            "team",
            "position",
            "manager",
            "phone",
            "email",
            "user",
            "is_active",
        ],
        columns=[
            "employee_no",
            "name",
            "department",
            "team",
            "position",
            "manager",
            "phone",
            "email",
            "user",
            "is_active",
            "created_at",
        ],
        default_columns=["employee_no", "name", "department", "team", "position", "phone"],
        filters=["department", "team", "position", "is_active"],
        search=["name", "employee_no", "phone", "email"],
        select_related=["department", "team", "position", "manager", "user"],
        form_class=forms.PersonForm,
        api_name="people",
        service=services.PersonService(),
    )
)
register(
    Page(
        model=Role,
        nav_group="system",
        nav_order=20,
        icon="bi-shield-lock",
        fields=["code", "name", "description", "scope", "permissions", "require_2fa", "is_active"],
        columns=["code", "name", "scope", "require_2fa", "is_active", "description"],
        default_columns=["code", "name", "scope", "require_2fa", "is_active"],
        filters=["scope", "is_active", "require_2fa"],
        search=["code", "name"],
        prefetch_related=["permissions__content_type"],  # the API's permission labels
        # the permissions are the role page's summary and grid, not a list of raw names
        detail_fields=["code", "name", "description", "scope", "require_2fa", "is_active"],
        form_class=forms.RoleForm,
        serializer_class=RoleSerializer,
        service=services.RoleService(),
        list_view_class=views_roles.RoleListView,
        detail_view_class=views_roles.RoleDetailView,
        edit_view_class=views_roles.RoleEditView,
    )
)
register(
    Page(
        model=RoleAssignment,
        nav_group="system",
        nav_order=30,
        icon="bi-person-check",
        fields=["user", "role", "note"],
        columns=["user", "role", "note", "created_at"],
        filters=["user", "role"],
        search=["user__username", "role__name", "note"],
        select_related=["user", "role"],
        service=services.RoleAssignmentService(),
    )
)
register(
    Page(
        model=get_user_model(),
        nav_group="system",
        nav_order=10,
        icon="bi-person-lock",
        fields=["username", "email", "is_active"],
        columns=["username", "email", "is_active", "last_login", "date_joined"],
        default_columns=["username", "email", "is_active", "last_login"],
        filters=["is_active"],
        search=["username", "email"],
        slug="account",
        form_class=forms.AccountForm,
        serializer_class=AccountSerializer,
        service=services.AccountService(),
        can_delete=False,  # never deleted (the audit trail names them): disabled, is_active
        detail_view_class=views_account.AccountDetailView,  # person, roles, lockout, 2FA
        detail_fields=["username", "email", "is_active", "last_login", "date_joined"],
    )
)


register(
    Page(
        model=AccountGrant,
        nav_group="system",
        nav_order=35,
        icon="bi-key",
        fields=["account", "action", "note"],
        columns=["account", "action", "note", "granted_by", "created_at", "used_at"],
        default_columns=["account", "action", "granted_by", "created_at", "used_at"],
        filters=["action", "account"],
        search=["account__username", "note"],
        select_related=["account", "granted_by"],
        detail_fields=["account", "action", "note", "granted_by", "created_at", "used_at"],
        service=services.AccountGrantService(),
        can_change=False,  # a grant is used once, then kept as it was
        can_delete=False,
    )
)

# Tabs of the department and team pages (netdept.core.tabs): the rows pointing at them.
PEOPLE_COLUMNS = ["name", "employee_no", "team", "position"]
register_tab(Department, related_tab("people", _("People"), Person, "department", PEOPLE_COLUMNS))
register_tab(Department, related_tab("teams", _("Teams"), Team, "department", ["name", "lead"]))
register_tab(Team, related_tab("members", _("Members"), Person, "team", PEOPLE_COLUMNS))

__all__ = ["_"]
