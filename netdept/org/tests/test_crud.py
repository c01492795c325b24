"""Generated CRUD + permission tests of every organisation page (see netdept.testing.crud)."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from netdept.core import audit
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.org.models import (
    AccountGrant,
    Department,
    GrantAction,
    Person,
    Position,
    Role,
    RoleAssignment,
    Team,
)
from netdept.testing.crud import CrudTests, api_client, form_data, ui_client, user_with_perms
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    PositionFactory,
    TeamFactory,
    UserFactory,
)

User = get_user_model()
_seq = itertools.count(1)
STRONG_PASSWORD = "Xy-12345678ab"


def n() -> int:
    return next(_seq)


class TestDepartmentCrud(CrudTests):
    model = Department

    def make(self) -> Any:
        return DepartmentFactory()

    def valid_data(self) -> dict[str, Any]:
        i = n()
        return {
            "name": f"信息中心{i}",
            "code": f"XX{i:05d}",
            "kind": "network",
            "parent": DepartmentFactory().pk,
            "phone": "0571-8888",
            "location": "行政楼 3 楼",
            "is_active": True,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "name": f"{obj.name}（新）",
            "code": obj.code,
            "kind": "served",
            "parent": None,
            "phone": "0571-9999",
            "location": "",
            "is_active": False,
        }

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        if scope == "department":
            return DepartmentFactory(parent=department)  # a sub-department is in scope too
        return department  # own and team: the user's department (of the user's teams)

    def make_out_of_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        if scope == "department":
            return DepartmentFactory(parent=self.world.others[0])
        # own, team: a department below the user's holds none of the user's teams
        return DepartmentFactory(parent=department)


class TestTeamCrud(CrudTests):
    bulk_field = "is_active"  # update_data()'s team/lead belong to the edited row's department
    model = Team
    extra_perms = ["org.view_department", "org.view_person"]

    def make(self) -> Any:
        return TeamFactory()

    def valid_data(self) -> dict[str, Any]:
        dept = DepartmentFactory()
        lead = PersonFactory(department=dept)
        return {
            "name": f"运维组{n()}",
            "department": dept.pk,
            "lead": lead.pk,
            "description": "负责网络运维",
            "is_active": True,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "name": f"{obj.name}-改",
            "department": obj.department_id,
            "lead": PersonFactory(department=obj.department).pk,
            "description": "新的描述",
            "is_active": False,
        }

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        if scope == "department":
            return TeamFactory(department=self.world.sub_department)
        if scope == "team":  # a team the user leads
            return TeamFactory(department=department, lead=user.person)
        return team

    def make_out_of_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        # team and own: another team of the same department is out of reach
        return TeamFactory(department=department) if scope != "department" else self.make()


class TestPositionCrud(CrudTests):
    model = Position
    extra_perms = ["org.view_department"]

    def make(self) -> Any:
        return PositionFactory()

    def valid_data(self) -> dict[str, Any]:
        return {
            "name": f"网络工程师{n()}",
            "department": DepartmentFactory().pk,
            "responsibilities": "巡检、变更、备份",
            "is_active": True,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "name": f"{obj.name}-改",
            "department": obj.department_id,
            "responsibilities": "新的职责",
            "is_active": True,
        }

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        if scope == "own":
            return user.person.position
        if scope == "team":  # held by someone of the user's team
            position = PositionFactory(department=department)
            PersonFactory(department=department, team=team, position=position)
            return position
        return PositionFactory(department=department)

    def make_out_of_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        if scope == "department":
            return self.make()
        # own, team: a position of the user's department held by nobody of the user's team
        position = PositionFactory(department=department)
        PersonFactory(department=department, team=self.world.sub_team, position=position)
        return position


class TestPersonCrud(CrudTests):
    bulk_field = "is_active"  # update_data()'s team/lead belong to the edited row's department
    model = Person
    scopes = ("department", "team", "own")
    extra_perms = [
        "org.view_department",
        "org.view_team",
        "org.view_position",
        "auth.view_user",
    ]

    def make(self) -> Any:
        return PersonFactory()

    def valid_data(self) -> dict[str, Any]:
        dept = DepartmentFactory()
        return {
            "name": f"张三{n()}",
            "employee_no": f"N{n():06d}",
            "department": dept.pk,
            "team": TeamFactory(department=dept).pk,
            "position": PositionFactory(department=dept).pk,
            "manager": PersonFactory(department=dept).pk,
            "phone": "13800000000",
            "email": "zhangsan@example.org",
            "user": UserFactory().pk,
            "is_active": True,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "name": f"{obj.name}-改",
            "employee_no": obj.employee_no,
            "department": obj.department_id,
            "team": TeamFactory(department=obj.department).pk,
            "position": None,
            "manager": None,
            "phone": "13900000000",
            "email": "new@example.org",
            "user": None,
            "is_active": False,
        }

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        if scope == "own":
            return user.person
        if scope == "team":
            return PersonFactory(department=department, team=team)
        return PersonFactory(department=department)

    def make_out_of_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        if scope == "team":  # same department, another team
            return PersonFactory(department=department, team=TeamFactory(department=department))
        if scope == "own":  # same team, someone else
            return PersonFactory(department=department, team=team)
        return self.make()


def _perm(label: str) -> Permission:
    app, codename = label.split(".")
    return Permission.objects.get(content_type__app_label=app, codename=codename)


class TestRoleCrud(CrudTests):
    model = Role  # no scope paths: a scoped role holder sees no role at all

    def make(self) -> Any:
        i = n()
        role = Role.objects.create(code=f"role-{i}", name=f"角色{i}", scope="team")
        role.permissions.add(_perm("org.view_team"))
        return role

    def valid_data(self) -> dict[str, Any]:
        i = n()
        return {
            "code": f"pm-{i}",
            "name": f"项目经理{i}",
            "description": "网站组项目经理",
            "scope": "team",
            "permissions": [_perm("org.view_team").pk, _perm("org.view_person").pk],
            "require_2fa": True,
            "is_active": True,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "code": obj.code,
            "name": f"{obj.name}-改",
            "description": "",
            "scope": "department",
            "permissions": [_perm("org.view_position").pk],
            "require_2fa": False,
            "is_active": True,
        }


class TestRoleAssignmentCrud(CrudTests):
    model = RoleAssignment
    extra_perms = ["auth.view_user", "org.view_role"]

    def make(self) -> Any:
        return RoleAssignment.objects.create(
            user=UserFactory(), role=Role.objects.get(code="engineer")
        )

    def valid_data(self) -> dict[str, Any]:
        return {
            "user": UserFactory().pk,
            "role": Role.objects.get(code="engineer").pk,
            "note": "入职",
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "user": obj.user_id,
            "role": Role.objects.get(code="team_lead").pk,
            "note": "升任组长",
        }

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        engineer = Role.objects.get(code="engineer")
        if scope == "own":
            return RoleAssignment.objects.create(user=user, role=engineer)
        other = UserFactory()
        PersonFactory(department=department, team=team if scope == "team" else None, user=other)
        return RoleAssignment.objects.create(user=other, role=engineer)


class TestAccountCrud(CrudTests):
    model = User
    not_stored = {"password"}

    def make(self) -> Any:
        return UserFactory()

    def valid_data(self) -> dict[str, Any]:
        i = n()
        return {
            "username": f"wangwu{i}",
            "email": f"wangwu{i}@example.org",
            "is_active": True,
            "password": STRONG_PASSWORD,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {"username": obj.username, "email": "changed@example.org", "is_active": False}

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        if scope == "own":
            return user
        other = UserFactory()
        PersonFactory(department=department, team=team if scope == "team" else None, user=other)
        return other

    # --- account specifics ------------------------------------------------------------------
    def _assert_password_never_audited(self, user: Any) -> None:
        user.refresh_from_db()
        assert user.check_password(STRONG_PASSWORD)
        for rec in AuditRecord.objects.all():
            text = f"{rec.changes} {rec.extra} {rec.object_repr}"
            assert user.password not in text
            assert STRONG_PASSWORD not in text
        create = audit.history(user).get(action=AuditAction.CREATE)
        assert create.changes["password"] == [None, audit.MASK]

    def test_ui_create_sets_a_hashed_password_never_audited(self) -> None:
        admin = self.user("view", "add", "change")
        data = self.valid_data()
        r = ui_client(admin).post(self.ui_url("add"), form_data(data))
        assert r.status_code == 302
        user = User.objects.get(username=data["username"])
        self._assert_password_never_audited(user)
        # a password change is recorded (masked) too, and the new one works
        r = ui_client(admin).post(
            self.ui_url("edit", user),
            form_data({**self.update_data(user), "is_active": True, "password": "Zq-98765432cd"}),
        )
        assert r.status_code == 302
        user.refresh_from_db()
        assert user.check_password("Zq-98765432cd")
        assert "Zq-98765432cd" not in str(list(AuditRecord.objects.values_list("changes")))

    def test_api_create_sets_a_hashed_password_never_audited_or_returned(self) -> None:
        admin = self.user("view", "add")
        data = self.valid_data()
        r = api_client(admin).post(self.api_url(), data, format="json")
        assert r.status_code == 201, r.json()
        assert "password" not in r.json()
        user = User.objects.get(username=data["username"])
        self._assert_password_never_audited(user)
        r = api_client(admin).get(self.api_url(user))
        assert "password" not in r.json()

    def test_create_requires_a_password_satisfying_the_policy(self) -> None:
        admin = self.user("view", "add")
        for password in ("", "short", "alllowercaseletters"):
            data = {**self.valid_data(), "password": password}
            r = ui_client(admin).post(self.ui_url("add"), form_data(data))
            assert r.status_code == 422
            assert "password" in r.context["form"].errors
            r = api_client(admin).post(self.api_url(), data, format="json")
            assert r.status_code == 400
            assert "password" in r.json()
            assert not User.objects.filter(username=data["username"]).exists()


__all__ = ["user_with_perms"]


def _privileged_account() -> Any:
    """An account holding the auditor's role: the only kind a grant may name."""
    account = UserFactory()
    RoleAssignment.objects.create(user=account, role=Role.objects.get(code="auditor"))
    return account


class TestAccountGrantCrud(CrudTests):
    """Grants are created and read; never edited or deleted (the page says so)."""

    model = AccountGrant
    extra_perms = ["auth.view_user"]

    def make(self) -> Any:
        return AccountGrant.objects.create(
            account=_privileged_account(), action=GrantAction.RESET_PASSWORD, note="忘记密码"
        )

    def valid_data(self) -> dict[str, Any]:
        return {
            "account": _privileged_account().pk,
            "action": GrantAction.DISABLE,
            "note": "离职",
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {"account": obj.account_id, "action": obj.action, "note": "改"}

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        if scope == "own":
            # made directly: giving the viewer a privileged role would widen what they see
            account = user
        else:
            account = UserFactory()
            PersonFactory(
                department=department, team=team if scope == "team" else None, user=account
            )
            RoleAssignment.objects.create(user=account, role=Role.objects.get(code="auditor"))
        return AccountGrant.objects.create(
            account=account, action=GrantAction.RESET_PASSWORD, note="忘记密码"
        )
