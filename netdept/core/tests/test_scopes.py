"""Scope paths are checked at start-up (core.checks) and mean what they say (issue 8, point 3).

The generated CRUD tests (netdept.testing.crud) assert the exact rows of each scope for every
registered model; these tests cover the system check itself and the cases that the old paths
of ``Department`` and ``Team`` got wrong (ids that coincide across models).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from netdept.core import permissions
from netdept.core.checks import check_model, check_scope_paths
from netdept.core.scopes import PathError, resolve
from netdept.org.models import Department, Person, Position, RoleAssignment, Team
from netdept.testing.crud import ScopeWorld
from netdept.testing.factories import custom_role
from netdept.workorders.models import Category, WorkOrder

User = get_user_model()


def ids(errors: list[checks.CheckMessage]) -> list[str]:
    return [str(e.id) for e in errors]


# --- the check -------------------------------------------------------------------------------
def test_every_installed_model_passes_the_check() -> None:
    assert check_scope_paths() == []
    assert [
        m
        for m in checks.run_checks(tags=[checks.Tags.models])
        if (m.id or "").startswith("netdept")
    ] == []
    call_command("check", verbosity=0)


def test_the_check_is_registered_and_fails_start_up_for_a_wrong_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The bug of issue 8: a team path that compares department ids with team ids.
    monkeypatch.setattr(Department, "scope_paths", {"own": "pk", "team": "pk", "department": "pk"})
    errors = check_model(Department)
    assert ids(errors) == ["netdept.E002", "netdept.E002"]
    text = " ".join(e.msg for e in errors)
    assert "scope_paths['own'] = 'pk' ends at org.Department, not at auth.User" in text
    assert "scope_paths['team'] = 'pk' ends at org.Department, not at org.Team" in text
    found = [m for m in checks.run_checks(tags=[checks.Tags.models]) if m.obj is Department]
    assert ids(found) == ["netdept.E002", "netdept.E002"]
    with pytest.raises(SystemCheckError):
        call_command("check", verbosity=0)


@pytest.mark.parametrize(
    ("paths", "error", "words"),
    [
        ({"own": "nobody__user"}, "netdept.E002", "has no field 'nobody'"),
        ({"own": "department__nobody"}, "netdept.E002", "has no field 'nobody'"),
        ({"team": "name"}, "netdept.E002", "org.Person.name is not a relation"),
        ({"team": "pk__team"}, "netdept.E002", "'pk' must end the path"),
        ({"department": "team"}, "netdept.E002", "ends at org.Team, not at org.Department"),
        ({"own": "manager"}, "netdept.E002", "ends at org.Person, not at auth.User"),
        ({"everyone": "user"}, "netdept.E001", "unknown scope 'everyone'"),
    ],
)
def test_a_bad_path_is_named(
    monkeypatch: pytest.MonkeyPatch, paths: dict[str, str], error: str, words: str
) -> None:
    monkeypatch.setattr(Person, "scope_paths", paths)
    errors = check_model(Person)
    assert ids(errors) == [error]
    assert words in errors[0].msg
    assert errors[0].obj is Person


def test_record_kind_must_be_work_or_config_and_configuration_has_no_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Category, "record_kind", "settings")
    assert ids(check_model(Category)) == ["netdept.E003"]
    monkeypatch.setattr(Category, "record_kind", "config")
    monkeypatch.setattr(Category, "scope_paths", {"team": "default_team"})
    assert ids(check_model(Category)) == ["netdept.E004"]


def test_paths_resolve_through_forward_reverse_and_primary_key_relations() -> None:
    assert resolve(WorkOrder, "requester__user").target is User
    assert resolve(WorkOrder, "requester__user").multivalued is False
    assert resolve(Department, "teams").target is Team
    assert resolve(Department, "teams").multivalued is True
    assert resolve(Position, "holders__team") == resolve(Position, "holders__team")
    assert resolve(Team, "pk").target is Team
    with pytest.raises(PathError):
        resolve(Team, "members__nobody")


def test_every_model_declares_its_paths_against_the_scope_models() -> None:
    """The paths of the organisation models, as issue 8 fixed them."""
    assert resolve(Department, Department.scope_paths["own"]).target is User
    assert resolve(Department, Department.scope_paths["team"]).target is Team
    assert resolve(Team, Team.scope_paths["own"]).target is User
    assert resolve(Position, Position.scope_paths["own"]).target is User
    assert resolve(Position, Position.scope_paths["team"]).target is Team
    for model in apps.get_models():
        assert check_model(model) == [], model


# --- what the scopes reach -------------------------------------------------------------------
def _holder(world: ScopeWorld, perms: list[str], scope: str) -> Any:
    RoleAssignment.objects.create(user=world.user, role=custom_role(perms, scope))
    permissions.forget(world.user)
    return world.user


def _visible(model: Any, user: Any) -> list[int]:
    return list(
        permissions.restrict(model.objects.all(), user, "view").values_list("pk", flat=True)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ["own", "team", "department"])
def test_each_scope_reaches_exactly_its_rows_whatever_the_ids(scope: str) -> None:
    world = ScopeWorld.build()
    # the planted coincidences: an id of the user's is the id of a department out of reach
    assert world.team.pk == world.others[1].pk
    assert world.user.pk == world.others[2].pk
    assert world.led_team.pk == world.department.pk
    user = _holder(
        world,
        ["org.view_department", "org.view_team", "org.view_person", "org.view_position"],
        scope,
    )
    for model in (Department, Team, Person, Position):
        got = _visible(model, user)
        assert len(got) == len(set(got)), f"{model.__name__} at {scope}: a row twice"
        assert set(got) == world.reached(model, scope), f"{model.__name__} at {scope}"
        for pk in got:
            assert permissions.has_perm(
                user, f"org.view_{model._meta.model_name}", model.objects.get(pk=pk)
            )


@pytest.mark.django_db
def test_configuration_is_seen_whole_at_every_scope() -> None:
    world = ScopeWorld.build()
    categories = {Category.objects.create(name=f"类别{i}").pk for i in range(3)}
    user = _holder(world, ["workorders.view_category", "workorders.change_category"], "own")
    assert set(_visible(Category, user)) == categories
    assert permissions.has_perm(user, "workorders.change_category", Category.objects.first())
