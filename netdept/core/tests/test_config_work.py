"""Configuration is not work (issue 8, point 4).

Each model says once whether it is configuration (``record_kind = "config"``, see
``core.models.base``). The built-in engineer and requester roles get no add / change / delete
on configuration and see no configuration menu; team leads and the director set it (their
scope does not narrow configuration: it belongs to the whole department). Work models keep
their rights.
"""

from __future__ import annotations

import importlib
import itertools
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.urls import reverse

from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.models.base import CONFIG, WORK, is_config, record_kind
from netdept.core.registry import PAGES, Page
from netdept.org.models import Role, RoleSeed
from netdept.org.roles import BUILTIN_ROLES, _split, rule_of, sync_builtin_roles
from netdept.testing.crud import api_client, form_data, ui_client
from netdept.testing.factories import TeamFactory, user_with_perms, user_with_role
from netdept.workorders.models import (
    Category,
    EscalationRule,
    PriorityRule,
    SlaPolicy,
    WorkOrder,
)
from netdept.workorders.tests.factories import (
    CategoryFactory,
    EscalationRuleFactory,
    SlaPolicyFactory,
)

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)
CONFIG_PAGES = ["workorders.category", "workorders.priorityrule", "workorders.slapolicy"]
CONFIG_PAGES += ["workorders.escalationrule"]
WORK_ORDER_CONFIG = [Category, PriorityRule, SlaPolicy, EscalationRule]


def page(label: str) -> Page:
    return PAGES[label]


def new_data(model: Any, team: Any) -> dict[str, Any]:
    """A valid new row of ``model`` that only points at what a team lead of ``team`` sees."""
    i = next(_seq)
    if model is Category:
        return {
            "name": f"配置类别{i}",
            "kind": "fault",
            "parent": None,
            "default_team": team.pk,
            "description": "",
            "is_active": True,
        }
    if model is PriorityRule:
        PriorityRule.objects.filter(impact=3, urgency=3).delete()  # free one cell
        return {"impact": 3, "urgency": 3, "priority": 4}
    if model is SlaPolicy:
        return {
            "name": f"SLA {i}",
            "priority": 2,
            "category": None,
            "kind": "",
            "response_minutes": 30,
            "resolution_minutes": 240,
            "calendar": None,
            "warn_percent": 80,
            "is_active": True,
        }
    return {"percent": 500 + i, "target": "director", "is_active": True}


def existing(model: Any) -> Any:
    if model is Category:
        return CategoryFactory()
    if model is PriorityRule:
        return PriorityRule.objects.get(impact=1, urgency=1)  # seeded after migrate
    if model is SlaPolicy:
        return SlaPolicyFactory()
    return EscalationRuleFactory(percent=700 + next(_seq), target="team_lead")


def changed(model: Any, obj: Any, team: Any) -> dict[str, Any]:
    if model is Category:
        return {**new_data(Category, team), "name": f"{obj.name}-改"}
    if model is PriorityRule:
        return {"impact": obj.impact, "urgency": obj.urgency, "priority": 1}
    if model is SlaPolicy:
        return {**new_data(SlaPolicy, team), "name": f"{obj.name}-改"}
    return {"percent": obj.percent, "target": "director", "is_active": False}


def urls(model: Any, obj: Any = None) -> dict[str, str]:
    p = page(model._meta.label_lower)
    base = f"{p.app_label}-{p.slug}"
    out = {"list": reverse(p.url_name("list")), "add": reverse(p.url_name("add"))}
    out["api"] = reverse(f"{base}-list")
    if obj is not None:
        out["edit"] = reverse(p.url_name("edit"), args=[obj.pk])
        out["delete"] = reverse(p.url_name("delete"), args=[obj.pk])
        out["api_obj"] = reverse(f"{base}-detail", args=[obj.pk])
    return out


def snapshot(model: Any) -> list[tuple[Any, ...]]:
    return list(model.objects.order_by("pk").values_list())


@pytest.fixture
def team() -> Any:
    return TeamFactory()


def person_of(code: str, team: Any) -> Any:
    return user_with_role(code, team=team)


# --- the declaration -------------------------------------------------------------------------
def test_each_model_is_declared_configuration_or_work() -> None:
    for model in WORK_ORDER_CONFIG:
        assert record_kind(model) == CONFIG, model
    for label in ("workcal.workcalendar", "workcal.calendaroverride", "notify.notificationchannel"):
        assert is_config(apps.get_model(label))
    for label in ("workorders.workorder", "workorders.comment", "org.person", "auth.user"):
        assert record_kind(apps.get_model(label)) == WORK
    assert {label for label, p in PAGES.items() if p.is_config} >= set(CONFIG_PAGES)


def test_the_rules_give_engineers_and_requesters_no_configuration_writes() -> None:
    perms = list(Permission.objects.select_related("content_type"))
    config_writes = [
        p
        for p in perms
        if not _split(p)[2].startswith("view") and is_config(p.content_type.model_class())
    ]
    assert {"workorders.add_slapolicy", "workorders.change_category"} <= {
        f"{p.content_type.app_label}.{p.codename}" for p in config_writes
    }
    for code in ("engineer", "requester"):
        rule = rule_of(code)
        assert rule is not None
        assert [p.codename for p in config_writes if rule(*_split(p))] == [], code
        role = Role.objects.get(code=code)
        held = set(role.permissions.values_list("pk", flat=True))
        assert not held & {p.pk for p in config_writes}, code
    for code in ("team_lead", "director"):
        role = Role.objects.get(code=code)
        held = {p.codename for p in role.permissions.all()}
        for model in WORK_ORDER_CONFIG:
            name = model._meta.model_name
            assert {f"add_{name}", f"change_{name}", f"view_{name}"} <= held, (code, name)


def test_work_models_keep_their_rights() -> None:
    engineer = {p.codename for p in Role.objects.get(code="engineer").permissions.all()}
    assert {"view_workorder", "add_workorder", "change_workorder"} <= engineer
    assert {"add_comment", "add_workrecord", "add_attachment", "view_internal_comment"} <= engineer
    assert {"view_category", "view_slapolicy", "view_priorityrule"} <= engineer  # reading stays
    requester = {p.codename for p in Role.objects.get(code="requester").permissions.all()}
    assert {"view_workorder", "add_workorder", "add_comment", "view_category"} <= requester


# --- pages and API ---------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["engineer", "requester"])
@pytest.mark.parametrize("model", WORK_ORDER_CONFIG, ids=lambda m: m.__name__)
def test_engineers_and_requesters_cannot_write_configuration(code: str, model: Any, team: Any):
    user = person_of(code, team)
    obj = existing(model)
    u = urls(model, obj)
    new, change = new_data(model, team), changed(model, obj, team)
    before = snapshot(model)
    ui, api = ui_client(user), api_client(user)
    assert ui.get(u["add"]).status_code == 403
    assert ui.post(u["add"], form_data(new)).status_code == 403
    assert ui.get(u["edit"]).status_code == 403
    assert ui.post(u["edit"], form_data(change)).status_code == 403
    assert ui.post(u["delete"]).status_code == 403
    r = api.post(u["api"], new, format="json")
    assert r.status_code == 403
    assert "detail" in r.json()
    assert api.put(u["api_obj"], change, format="json").status_code == 403
    assert api.patch(u["api_obj"], {}, format="json").status_code == 403
    assert api.delete(u["api_obj"]).status_code == 403
    assert snapshot(model) == before  # nothing saved, nothing deleted
    denied = AuditRecord.objects.filter(action=AuditAction.DENIED, actor=user)
    assert denied.count() >= 9


@pytest.mark.parametrize("code", ["team_lead", "director"])
@pytest.mark.parametrize("model", WORK_ORDER_CONFIG, ids=lambda m: m.__name__)
def test_team_leads_and_the_director_set_configuration(code: str, model: Any, team: Any):
    user = person_of(code, team)
    ui, api = ui_client(user), api_client(user)
    u = urls(model)
    assert ui.get(u["add"]).status_code == 200
    data = new_data(model, team)
    before = set(model.objects.values_list("pk", flat=True))
    r = ui.post(u["add"], form_data(data))
    assert r.status_code == 302, r.content[:1500]
    (created,) = model.objects.exclude(pk__in=before)
    assert AuditRecord.objects.filter(
        action=AuditAction.CREATE, actor=user, object_id=str(created.pk)
    ).exists()

    r = ui.post(urls(model, created)["edit"], form_data(changed(model, created, team)))
    assert r.status_code == 302, r.content[:1500]

    if model is PriorityRule:
        created.delete()  # the cell is free again for the API
    data = new_data(model, team)
    before = set(model.objects.values_list("pk", flat=True))
    r = api.post(u["api"], data, format="json")
    assert r.status_code == 201, r.json()
    (created,) = model.objects.exclude(pk__in=before)
    r = api.put(urls(model, created)["api_obj"], changed(model, created, team), format="json")
    assert r.status_code == 200, r.json()
    # every row is theirs to set, whatever the role's scope (a team lead's is "team")
    other = existing(model)
    assert ui.get(urls(model, other)["edit"]).status_code == 200


# --- navigation ------------------------------------------------------------------------------
def sidebar(user: Any) -> str:
    """The home page: its navigation and its cards (one per list the user reaches)."""
    r = ui_client(user).get(reverse("home"))
    assert r.status_code == 200
    html = r.content.decode()
    return html[html.index('id="nd-sidebar"') :]


@pytest.mark.parametrize(
    ("code", "sees_config"),
    [("engineer", False), ("requester", False), ("team_lead", True), ("director", True)],
)
def test_configuration_menus_only_for_those_who_set_them(code: str, sees_config: bool, team):
    html = sidebar(person_of(code, team))
    for label in CONFIG_PAGES:
        href = f'href="{reverse(PAGES[label].url_name("list"))}"'
        assert (href in html) is sees_config, (code, label)
    if code != "requester":
        assert f'href="{reverse("workorders:desk")}"' in html  # work menus stay
    else:
        assert f'href="{reverse("workorders:portal_home")}"' in html


def test_readers_of_everything_see_configuration_menus_scoped_readers_do_not() -> None:
    """A role reading everything (scope "all", as the auditor) keeps the menus; the same
    reading at a narrower scope (as the engineer's) does not."""
    perms = [f"{label.split('.')[0]}.view_{label.split('.')[1]}" for label in CONFIG_PAGES]
    html = sidebar(user_with_perms(perms, "all"))
    for label in CONFIG_PAGES:
        assert f'href="{reverse(PAGES[label].url_name("list"))}"' in html
    html = sidebar(user_with_perms(perms, "team"))
    for label in CONFIG_PAGES:
        assert f'href="{reverse(PAGES[label].url_name("list"))}"' not in html
    # a menu of work is listed to any reader
    html = sidebar(user_with_perms(["org.view_person"], "own"))
    assert f'href="{reverse(PAGES["org.person"].url_name("list"))}"' in html


def test_the_engineer_lists_configuration_when_reaching_it(team: Any) -> None:
    """Reading stays (forms need it): the page answers, without an add button."""
    user = person_of("engineer", team)
    cat = CategoryFactory()
    r = ui_client(user).get(urls(Category)["list"])
    assert r.status_code == 200
    html = r.content.decode()
    assert reverse(page("workorders.category").url_name("detail"), args=[cat.pk]) in html
    assert f'href="{urls(Category)["add"]}"' not in html


# --- existing databases ----------------------------------------------------------------------
def test_the_migration_removes_seeded_configuration_writes() -> None:
    """Before issue 8 the engineer's role was seeded with configuration writes; the migration
    removes them (views stay), and they are not seeded back."""
    migration = importlib.import_module("netdept.org.migrations.0004_config_not_work")
    engineer = Role.objects.get(code="engineer")
    writes = list(
        Permission.objects.filter(
            content_type__app_label="workorders",
            codename__in=["add_slapolicy", "change_category", "delete_escalationrule"],
        )
    )
    engineer.permissions.add(*writes)
    RoleSeed.objects.bulk_create(
        [RoleSeed(role=engineer, permission=p) for p in writes], ignore_conflicts=True
    )
    custom = Role.objects.create(code="site-config", name="配置员", scope="team")
    custom.permissions.add(*writes)  # a site's own role keeps what it was given

    migration.remove_config_writes(apps, None)

    held = set(engineer.permissions.values_list("codename", flat=True))
    assert not held & {"add_slapolicy", "change_category", "delete_escalationrule"}
    assert {"view_slapolicy", "view_category", "add_workorder"} <= held
    assert custom.permissions.count() == len(writes)
    sync_builtin_roles()
    held = set(engineer.permissions.values_list("codename", flat=True))
    assert not held & {"add_slapolicy", "change_category", "delete_escalationrule"}


def test_builtin_roles_cover_every_role_rule() -> None:
    assert {spec.code for spec in BUILTIN_ROLES} >= {"engineer", "requester", "team_lead"}
    assert WorkOrder._meta.label_lower not in {label for label, p in PAGES.items() if p.is_config}
