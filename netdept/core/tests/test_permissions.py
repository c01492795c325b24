"""The permission engine: widest scope wins, scopes narrow querysets, superuser grants nothing."""

import pytest

from netdept.core import permissions
from netdept.org.models import Department, Person, RoleAssignment, Team
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
    custom_role,
    user_with_perms,
)

pytestmark = pytest.mark.django_db


def test_no_role_no_rights_even_for_superuser_flag():
    user = UserFactory(is_superuser=True, is_staff=True)
    user.refresh_from_db()
    assert not user.is_superuser  # the flag is never stored
    user.is_superuser = True  # and even if set in memory, it grants nothing here
    assert not permissions.has_perm(user, "org.view_person")
    assert permissions.restrict(Person.objects.all(), user).count() == 0


def test_widest_scope_of_several_roles_wins():
    dept = DepartmentFactory()
    user = user_with_perms(["org.view_person"], scope="own", department=dept)
    assert permissions.scope_of(user, "org.view_person") == "own"
    RoleAssignment.objects.create(user=user, role=custom_role(["org.view_person"], "department"))
    permissions.forget(user)
    assert permissions.scope_of(user, "org.view_person") == "department"


def test_scopes_narrow_the_queryset():
    root = DepartmentFactory()
    child = DepartmentFactory(parent=root)
    other = DepartmentFactory()
    team = TeamFactory(department=root)
    mate = PersonFactory(department=root, team=team)
    in_child = PersonFactory(department=child)
    outsider = PersonFactory(department=other)

    def visible(scope: str) -> set[int]:
        user = user_with_perms(["org.view_person"], scope=scope, department=root, team=team)
        seen = permissions.restrict(Person.objects.filter(user__isnull=True), user)
        return set(seen.values_list("pk", flat=True))

    assert visible("own") == set()
    assert visible("team") == {mate.pk}
    assert visible("department") == {mate.pk, in_child.pk}
    assert {mate.pk, in_child.pk, outsider.pk} <= visible("all")


def test_object_level_check_follows_scope():
    dept = DepartmentFactory()
    team = TeamFactory(department=dept)
    other_team = TeamFactory(department=dept)
    user = user_with_perms(["org.change_team"], scope="team", department=dept, team=team)
    assert permissions.has_perm(user, "org.change_team", team)
    assert not permissions.has_perm(user, "org.change_team", other_team)
    assert permissions.has_perm(user, "org.change_team")  # the model-level question


def test_inactive_role_or_user_grants_nothing():
    user = user_with_perms(["org.view_department"])
    assert permissions.has_perm(user, "org.view_department")
    user.role_assignments.update(role=custom_role([], "all"))
    permissions.forget(user)
    assert not permissions.has_perm(user, "org.view_department")
    user2 = user_with_perms(["org.view_department"])
    user2.is_active = False
    user2.save()
    permissions.forget(user2)
    assert not user2.has_perm("org.view_department")


def test_department_tree_cycle_is_refused():
    a = DepartmentFactory()
    b = DepartmentFactory(parent=a)
    a.parent = b
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        a.full_clean()
    assert Department.subtree_ids(a.pk) == {a.pk, b.pk}
    assert Team.objects.count() == 0


def test_privileged_builtin_roles_require_2fa_by_default(settings):
    from netdept.org.models import Role
    from netdept.org.roles import PRIVILEGED, sync_builtin_roles

    settings.NETDEPT = {**settings.NETDEPT, "PRIVILEGED_ROLES_REQUIRE_2FA": True}
    Role.objects.all().delete()
    sync_builtin_roles()
    flagged = set(Role.objects.filter(require_2fa=True).values_list("code", flat=True))
    assert flagged == PRIVILEGED == {"sysadmin", "secadmin", "auditor"}
    # Built-in roles are complete after a fresh sync: the auditor reads the audit trail.
    auditor = Role.objects.get(code="auditor")
    assert auditor.permissions.filter(codename="view_auditrecord").exists()
    assert not auditor.permissions.filter(codename__startswith="change_").exists()
    sysadmin = Role.objects.get(code="sysadmin")
    assert not sysadmin.permissions.filter(
        codename__in=["view_auditrecord", "view_history"]
    ).exists()
