"""The home page: the widget registry (``netdept.core.home``), the kernel's widgets (set-up
warnings, the auditor's privileged actions, the lists one maintains, one's recent changes),
what each role finds there, and a bounded number of queries per role."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from netdept.core import audit, home
from netdept.core.models.audit import AuditAction
from netdept.core.views import pages
from netdept.org.models import RoleAssignment
from netdept.testing import queries
from netdept.testing.crud import ui_client
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
    role,
    user_with_role,
)
from netdept.workorders.models import Status
from netdept.workorders.tests.factories import CategoryFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db


def page(user: Any) -> str:
    r = ui_client(user).get(reverse("home"))
    assert r.status_code == 200
    return r.content.decode()


def widget_keys(html: str) -> set[str]:
    import re

    return set(re.findall(r'data-widget="([\w-]+)"', html))


# --- the registry -------------------------------------------------------------------------------
@pytest.fixture
def scratch_widgets() -> Any:
    saved = dict(home._widgets)
    yield
    home._widgets.clear()
    home._widgets.update(saved)


def test_a_widget_is_shown_to_whom_it_applies_in_its_order(scratch_widgets: None) -> None:
    home._widgets.clear()
    seen: list[str] = []

    def ctx(name: str) -> Any:
        def make(request: Any) -> dict[str, Any] | None:
            seen.append(name)
            return None if name == "quiet" else {"name": name}

        return make

    home.register_home_widget(
        home.HomeWidget("b", "B", "core/home/recent.html", ctx("b"), order=20)
    )
    home.register_home_widget(
        home.HomeWidget("a", "A", "core/home/recent.html", ctx("a"), order=10)
    )
    home.register_home_widget(
        home.HomeWidget("quiet", "Q", "core/home/recent.html", ctx("quiet"), order=5)
    )
    home.register_home_widget(
        home.HomeWidget(
            "nobody", "N", "core/home/recent.html", ctx("nobody"), applies=lambda u: False
        )
    )
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    rendered = home.render_widgets(request)
    assert [w.key for w in rendered] == ["a", "b"]  # "quiet" had nothing, "nobody" never asked
    assert seen == ["quiet", "a", "b"]
    # the same key replaces (ready() may run twice)
    home.register_home_widget(home.HomeWidget("a", "A2", "core/home/recent.html", ctx("a")))
    assert [w.title for w in home.home_widgets() if w.key == "a"] == ["A2"]
    home.unregister_home_widget("a")
    assert "a" not in [w.key for w in home.home_widgets()]
    with pytest.raises(ValueError):
        home.HomeWidget("x", "X", "t.html", ctx("x"), size="huge")


def test_a_failing_widget_is_logged_and_the_others_stay(
    scratch_widgets: None, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(request: Any) -> dict[str, Any]:
        raise RuntimeError("boom")

    home.register_home_widget(
        home.HomeWidget("broken", "Broken", "core/home/recent.html", broken, order=1)
    )
    html = page(user_with_role("engineer", team=TeamFactory()))
    assert "nd-widget-failed" in html.split('id="home-broken"')[1]
    assert 'data-widget="workorders_queue"' in html  # the others are shown
    assert "home widget broken failed" in caplog.text


def test_the_alerts_of_the_modules_stay_on_top() -> None:
    def alert(request: Any) -> str:
        return mark_safe('<div class="alert" id="test-alert">!</div>')  # as render_to_string

    pages.register_home_alert(alert)
    try:
        html = page(user_with_role("engineer"))
        assert html.index('id="test-alert"') < html.index("row g-3")
    finally:
        pages._home_alerts.remove(alert)


def test_a_user_without_role_is_told_to_ask_for_one() -> None:
    user = UserFactory()
    PersonFactory(user=user)
    html = page(user)
    assert 'id="home-nothing"' in html
    assert not widget_keys(html)


# --- lists one maintains: no settings cards for who does not set them -------------------------
def test_the_engineer_sees_no_settings_cards_the_director_sees_right_counts() -> None:
    team = TeamFactory()
    for _ in range(5):
        CategoryFactory(default_team=team)
    engineer = user_with_role("engineer", team=team)
    html = page(engineer)
    assert "lists" not in widget_keys(html)
    assert reverse("workorders:category_list") not in html.split('id="main"')[1]
    director = user_with_role("director")
    html = page(director)
    assert "lists" in widget_keys(html)
    main = html.split('id="home-lists"')[1]
    card = main.split(f'href="{reverse("workorders:category_list")}"')[1]
    assert 'fs-4 fw-semibold">5<' in card.split("</a>")[0]


@pytest.mark.parametrize(
    ("code", "sees", "not_sees"),
    [
        ("sysadmin", {"org:person_list", "auth:account_list"}, {"org:role_list"}),
        ("secadmin", {"org:role_list", "org:roleassignment_list"}, {"org:person_list"}),
        ("team_lead", {"workorders:category_list"}, {"org:person_list"}),
    ],
)
def test_each_administrator_counts_what_they_set(code: str, sees: set, not_sees: set) -> None:
    html = page(user_with_role(code, team=TeamFactory()))
    lists = html.split('id="home-lists"')[1].split("</section>")[0]
    for name in sees:
        assert f'href="{reverse(name)}"' in lists, name
    for name in not_sees:
        assert f'href="{reverse(name)}"' not in lists, name


def test_readers_of_everything_who_set_nothing_get_no_cards() -> None:
    assert "lists" not in widget_keys(page(user_with_role("auditor")))
    assert "lists" not in widget_keys(page(user_with_role("requester")))


# --- the auditor --------------------------------------------------------------------------------
def test_the_auditor_sees_recent_privileged_actions() -> None:
    secadmin = user_with_role("secadmin")
    target = user_with_role("engineer")
    grant = RoleAssignment.objects.get(user=target)
    audit.record(AuditAction.CREATE, grant, actor=secadmin)
    audit.record(AuditAction.LOGIN_FAILED, None, object_repr="mallory", actor=None)
    audit.record(AuditAction.LOGIN_FAILED, None, object_repr="mallory", actor=None)
    order = WorkOrderFactory()
    audit.record(AuditAction.UPDATE, order, actor=target)  # work, not privileged
    auditor = user_with_role("auditor")
    html = page(auditor)
    assert "privileged_actions" in widget_keys(html)
    block = html.split('id="home-privileged_actions"')[1].split("</section>")[0]
    assert secadmin.person.name in block  # the actor by their person's name
    assert order.number not in block
    assert 'data-count="2"' in block  # two failed sign-ins
    assert "?action=login_failed" in block
    # the director reads history, not the audit trail: no such widget
    assert "privileged_actions" not in widget_keys(page(user_with_role("director")))


# --- set-up warnings ----------------------------------------------------------------------------
def test_set_up_warnings_go_to_who_can_fix_them() -> None:
    lonely = UserFactory()  # an account nobody granted a role
    PersonFactory(user=lonely)
    TeamFactory(lead=None)
    secadmin, sysadmin = user_with_role("secadmin"), user_with_role("sysadmin")
    sec = {w.key for w in home.setup_warnings(secadmin)}
    sys = {w.key for w in home.setup_warnings(sysadmin)}
    assert "account-without-role" in sec and "account-without-role" not in sys
    assert "team-without-lead" in sys and "team-without-lead" not in sec
    assert "no-channel" in sys and "no-channel" not in sec
    assert home.setup_warnings(user_with_role("engineer")) == []
    html = page(secadmin)
    assert 'data-setup="account-without-role"' in html
    assert reverse("org:roleassignment_add") in html


def test_recent_changes_of_the_reader() -> None:
    engineer = user_with_role("engineer")
    order = WorkOrderFactory()
    audit.record(AuditAction.UPDATE, order, actor=engineer)
    html = page(engineer)
    assert "recent" in widget_keys(html)
    assert order.number in html.split('id="home-recent"')[1]
    assert timezone.localtime().strftime("%Y-%m-%d") in html.split('id="home-recent"')[1]


# --- queries ------------------------------------------------------------------------------------
class World:
    """Orders of every role's concern: the engineer's, the team's, breached, requested."""

    def __init__(self) -> None:
        net = DepartmentFactory(name="网络部")
        self.team = TeamFactory(department=net)
        self.served = DepartmentFactory(name="门诊部")
        self.users = {
            "engineer": user_with_role("engineer", team=self.team),
            "team_lead": user_with_role("team_lead", team=self.team),
            "director": user_with_role("director", department=net),
            "requester": user_with_role("requester", department=self.served),
            "auditor": user_with_role("auditor", department=net),
            "sysadmin": user_with_role("sysadmin", department=net),
            "secadmin": user_with_role("secadmin", department=net),
        }
        self.team.lead = self.users["team_lead"].person
        self.team.save()
        self.category = CategoryFactory(default_team=self.team)

    def add(self, n: int) -> None:
        now = timezone.now()
        eng = self.users["engineer"]
        for i in range(n):
            person = PersonFactory(department=self.team.department, team=self.team)
            order = WorkOrderFactory(
                category=self.category,
                requester=self.users["requester"].person,
                assignee=eng.person if i % 2 else person,
                status=[Status.NEW, Status.IN_PROGRESS, Status.RESOLVED][i % 3],
                priority=1 + i % 4,
                resolution_due=now + timezone.timedelta(hours=i - n // 2),
            )
            audit.record(AuditAction.UPDATE, order, actor=eng)
            audit.record(AuditAction.LOGIN_FAILED, None, object_repr=f"x{i}")
            grant = RoleAssignment.objects.create(user=UserFactory(), role=role("engineer"))
            audit.record(AuditAction.CREATE, grant, actor=self.users["secadmin"])


@pytest.mark.parametrize(
    "code",
    ["engineer", "team_lead", "director", "requester", "auditor", "sysadmin", "secadmin"],
)
def test_home_queries(code: str) -> None:
    """The home page of each role makes as many queries with 3 orders as with 20, and no more
    than its baseline (``core home <role>``)."""
    world = World()
    c = ui_client(world.users[code])
    url = reverse("home")
    queries.assert_constant_and_within(f"core home {code}", lambda: c.get(url), world.add)
