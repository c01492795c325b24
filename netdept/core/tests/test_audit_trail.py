"""The audit trail as people read it (issue 10, point 3): object types by their translated
names, actors by their person's name (login in a tooltip), changes as field label / before /
after with choice labels and linked objects, creation showing only what was set, times in the
viewer's zone — on the audit trail, the history tab of every page and the order page's; filters
with date pickers, object types and actors by name, wrong values as field errors; exports with
labels and second-precision local times; and a sign-in awaiting its second factor recorded as
such."""

from __future__ import annotations

import datetime as dt
import re
from base64 import b32decode
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from netdept.accounts.models import UserProfile
from netdept.core import audit, context, display, history
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.services import service_for
from netdept.core.tests.test_login_security import totp_code
from netdept.org.models import Role, RoleAssignment, Team
from netdept.testing.clients import api_client, csv_rows, ui_client, xlsx_rows
from netdept.testing.factories import (
    PASSWORD,
    DepartmentFactory,
    TeamFactory,
    UserFactory,
    user_with_perms,
    user_with_role,
)
from netdept.workorders import services as wo
from netdept.workorders.tests.factories import CategoryFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

AUDITOR_PERMS = ["core.view_auditrecord", "core.export_auditrecord"]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def text(response: Any) -> str:
    """The page's text without tags (a tooltip's login stays in its attribute)."""
    return unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def named(user: Any, name: str) -> Any:
    user.person.name = name
    user.person.save()
    return user


def in_zone(user: Any, zone: str) -> Any:
    UserProfile.objects.update_or_create(user=user, defaults={"time_zone": zone})
    return user


@pytest.fixture
def teams() -> dict[str, Any]:
    """A director (王主任) makes a team in 信息科, then moves it to 内科 and deactivates it."""
    it = DepartmentFactory(name="信息科")
    medicine = DepartmentFactory(name="内科")
    director = named(user_with_role("director", department=it, username="wangzr"), "王主任")
    svc = service_for(Team)
    with context.acting(director, "192.0.2.10", "web"):
        team = svc.create(director, {"name": "网络运维组", "department": it})
        svc.update(director, team, {"department": medicine, "is_active": False})
    return {"it": it, "medicine": medicine, "director": director, "team": team}


# --- the history tab ---------------------------------------------------------------------------
def test_history_shows_labels_names_links_and_only_what_creation_set(teams: dict[str, Any]) -> None:
    team, it, medicine = teams["team"], teams["it"], teams["medicine"]
    c = ui_client(teams["director"])
    r = c.get(reverse("org:team_history", args=[team.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    entries = r.context["entries"]
    update, create = entries  # newest first
    # the update: field label / before / after, the departments by name and linked
    assert [(ch.label, str(ch.before), str(ch.after)) for ch in update.changes] == [
        ("部门", "信息科", "内科"),
        ("启用", "是", "否"),
    ]
    assert f'href="{reverse("org:department_detail", args=[it.pk])}">信息科</a>' in html
    assert f'href="{reverse("org:department_detail", args=[medicine.pk])}">内科</a>' in html
    # the creation: only the fields that were set (no empty lead or description, no default)
    assert [ch.label for ch in create.changes] == ["名称", "部门"]
    assert "组长" not in text(r) and "说明" not in text(r)
    # the person's name, the login in a tooltip; the action's label
    assert create.actor == "王主任" and create.actor_login == "wangzr"
    assert 'title="登录名: wangzr">王主任</span>' in html
    assert create.action == "创建" and update.action == "更新"
    assert "{" not in text(r)  # no dict


def test_a_related_object_the_viewer_may_not_open_is_named_not_linked(
    teams: dict[str, Any],
) -> None:
    viewer = user_with_perms(["org.view_team", "core.view_history"])
    r = ui_client(viewer).get(reverse("org:team_history", args=[teams["team"].pk]))
    html = r.content.decode()
    assert "信息科" in html and "内科" in html
    assert reverse("org:department_detail", args=[teams["it"].pk]) not in html


def test_history_times_are_in_the_viewers_time_zone(teams: dict[str, Any]) -> None:
    rec = audit.history(teams["team"]).order_by("seq").first()
    assert rec is not None
    director = teams["director"]
    url = reverse("org:team_history", args=[teams["team"].pk])
    shanghai = timezone.localtime(rec.ts, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    assert shanghai in ui_client(director).get(url).content.decode()
    in_zone(director, "America/New_York")
    new_york = timezone.localtime(rec.ts, ZoneInfo("America/New_York"))
    html = ui_client(director).get(url).content.decode()
    assert new_york.strftime("%Y-%m-%d %H:%M:%S") in html
    assert shanghai not in html
    assert 'title="America/New_York"' in html


def test_the_order_history_tab_reads_like_the_order_page() -> None:
    """The work order's history (the same partial): the transition's name, the status label,
    the assignee's name linked to nothing they may not open, datetimes in the viewer's zone."""
    net = DepartmentFactory(name="网络部")
    team = TeamFactory(department=net, name="运维组")
    engineer = named(user_with_role("engineer", team=team, username="lisi"), "李四")
    director = in_zone(user_with_role("director", department=net), "Europe/London")
    order = WorkOrderFactory(
        category=CategoryFactory(default_team=team), team=team, assignee=engineer.person
    )
    with freeze_time("2026-12-01 06:30:15"):
        wo.accept(engineer, order)
    r = ui_client(director).get(reverse("workorders:order_tab", args=[order.number, "history"]))
    assert r.status_code == 200
    page = text(r)
    accept = r.context["entries"][0]
    assert accept.action == "受理"
    assert accept.actor == "李四" and accept.actor_login == "lisi"
    assert ("状态", "新建", "已受理") in [
        (c.label, str(c.before), str(c.after)) for c in accept.changes
    ]
    # 06:30:15 UTC is 06:30:15 in London in December (14:30:15 in Shanghai)
    assert "2026-12-01 06:30:15" in page and "14:30:15" not in page
    responded = next(c for c in accept.changes if c.label == "响应时间")
    assert str(responded.after) == "2026-12-01 06:30:15"


# --- the audit trail ---------------------------------------------------------------------------
def test_the_trail_names_types_actors_and_links_objects(teams: dict[str, Any]) -> None:
    reader = user_with_perms([*AUDITOR_PERMS, "org.view_team"])
    r = ui_client(reader).get(reverse("audit_list"), {"object_type": "org.team"})
    assert r.status_code == 200
    html, page = r.content.decode(), text(r)
    assert "组" in page and "org.team" not in page
    assert "王主任" in page and 'title="登录名: wangzr"' in html
    team_url = reverse("org:team_detail", args=[teams["team"].pk])
    assert f'href="{team_url}">网络运维组</a>' in html
    assert "{'" not in page and '{"' not in page  # changes as a table, not a dict
    assert "<th" in html and "nd-history-changes" in html
    # without the right to open teams: named, not linked
    blind = user_with_perms(AUDITOR_PERMS)
    assert team_url not in ui_client(blind).get(reverse("audit_list")).content.decode()


def test_the_filters_are_date_pickers_and_choices() -> None:
    UserFactory()  # a record of something
    c = ui_client(user_with_perms(AUDITOR_PERMS))
    r = c.get(reverse("audit_list"))
    html = r.content.decode()
    assert re.search(r'<input type="date" name="ts__gte"', html)
    assert re.search(r'<input type="date" name="ts__lte"', html)
    assert 'name="actor_name"' not in html  # the API's filter; the page asks for a name
    choices = dict(r.context["filterset"].form.fields["object_type"].choices)
    # only the types the trail holds, by their translated names
    assert choices.get("auth.user") == "用户" and "workorders.workorder" not in choices


def test_filter_by_day_in_the_viewers_zone() -> None:
    actor = user_with_role("director")
    with freeze_time("2026-12-01 15:30:00"):  # 23:30 in Shanghai, 10:30 in New York
        late = audit.record(AuditAction.SECURITY, actor, actor=actor, extra={"event": "x"})
    with freeze_time("2026-12-01 16:30:00"):  # 00:30 on 12-02 in Shanghai
        next_day = audit.record(AuditAction.SECURITY, actor, actor=actor, extra={"event": "y"})
    reader = user_with_perms(AUDITOR_PERMS)

    def seqs(params: dict[str, str]) -> set[int]:
        r = ui_client(reader).get(reverse("audit_list"), {**params, "action": "security"})
        assert r.status_code == 200, r.context["filterset"].form.errors
        return {e.record.seq for e in r.context["entries"]}

    day = {"ts__gte": "2026-12-01", "ts__lte": "2026-12-01"}
    assert seqs(day) == {late.seq}
    assert seqs({"ts__gte": "2026-12-02", "ts__lte": "2026-12-02"}) == {next_day.seq}
    in_zone(reader, "America/New_York")
    assert seqs(day) == {late.seq, next_day.seq}
    # the API takes a date and time too
    api = api_client(reader).get(
        "/api/v1/core/auditrecords/", {"ts__gte": "2026-12-01T16:00:00Z", "action": "security"}
    )
    assert [x["seq"] for x in api.json()["results"]] == [next_day.seq]


def test_filter_by_the_actors_name_or_login_and_by_object_type(teams: dict[str, Any]) -> None:
    other = named(user_with_role("engineer", username="zhaowu"), "赵五")
    with context.acting(other, "192.0.2.11", "web"):
        audit.record(AuditAction.SECURITY, other, actor=other, extra={"event": "x"})
    c = ui_client(user_with_perms(AUDITOR_PERMS))
    by_name = c.get(reverse("audit_list"), {"actor": "王主"}).context["entries"]
    assert by_name and {e.actor for e in by_name} == {"王主任"}
    by_login = c.get(reverse("audit_list"), {"actor": "zhaow"}).context["entries"]
    assert by_login and {e.actor for e in by_login} == {"赵五"}
    teams_only = c.get(reverse("audit_list"), {"object_type": "org.team"}).context["entries"]
    assert len(teams_only) == 2 and {e.object_type for e in teams_only} == {"组"}


def test_the_object_types_survive_the_api_schema(teams: dict[str, Any]) -> None:
    """The OpenAPI schema reads each filter's form field on the class; the trail's object types
    (chosen per request, from what the trail holds) must not be frozen by it as an empty list."""
    reader = user_with_perms(AUDITOR_PERMS)
    assert api_client(reader).get("/api/schema/", {"format": "json"}).status_code == 200
    r = ui_client(reader).get(reverse("audit_list"), {"object_type": "org.team"})
    assert r.status_code == 200
    assert {e.object_type for e in r.context["entries"]} == {"组"}


@pytest.mark.parametrize(
    "params",
    [
        {"ts__gte": "2026-13-45"},
        {"ts__lte": "yesterday"},
        {"ts__gte": "2026-12-01T25:00"},
        {"object_type": "no.such"},
        {"action": "hack"},
        {"actor": "x" * 151},
        {"ip": "999.1.1.1"},
        {"ts__gte": "%' OR 1=1 --"},
        {"actor": "a\x00b"},
        {"object_repr": "x" * 2000},
    ],
)
def test_a_wrong_value_is_a_field_error_on_the_page_and_in_the_api(params: dict[str, str]) -> None:
    reader = user_with_perms(AUDITOR_PERMS)
    r = ui_client(reader).get(reverse("audit_list"), params)
    assert r.status_code == 400
    name = next(iter(params))
    assert name in r.context["filterset"].form.errors
    assert 'class="invalid-feedback d-block"' in r.content.decode()
    export = ui_client(reader).get(reverse("audit_list"), {**params, "format": "csv"})
    assert export.status_code == 400 and export["Content-Type"].startswith("text/html")
    api = api_client(reader).get("/api/v1/core/auditrecords/", params)
    assert api.status_code == 400 and name in api.json()


def test_csv_and_excel_exports_carry_labels_and_local_seconds(teams: dict[str, Any]) -> None:
    reader = user_with_perms(AUDITOR_PERMS)
    c = ui_client(reader)
    first = audit.history(teams["team"]).order_by("seq").first()
    assert first is not None
    local = timezone.localtime(first.ts, SHANGHAI).replace(microsecond=0, tzinfo=None)
    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        r = c.get(reverse("audit_list"), {"object_type": "org.team", "format": fmt})
        assert r.status_code == 200
        rows = read(r.content)
        assert rows[0] == [
            "序号",
            "时间（Asia/Shanghai）",
            "操作人",
            "登录名",
            "来源 IP",
            "操作",
            "对象类型",
            "对象 ID",
            "对象",
            "修改内容",
            "详情",
        ]
        create = next(row for row in rows[1:] if str(row[0]) == str(first.seq))
        when = create[1] if fmt == "xlsx" else dt.datetime.fromisoformat(create[1])
        assert when == local  # to the second, in the reader's zone
        if fmt == "csv":
            assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", create[1])
        assert create[2:7] == ["王主任", "wangzr", "192.0.2.10", "创建", "组"]
        assert create[9] == "名称: 网络运维组; 部门: 信息科"
        update = next(row for row in rows[1:] if row[5] == "更新")
        assert update[9] == "部门: 信息科 → 内科; 启用: 是 → 否"
    exports = AuditRecord.objects.filter(action=AuditAction.EXPORT, actor=reader)
    assert [e.extra["format"] for e in exports.order_by("seq")] == ["csv", "xlsx"]
    assert exports.first().extra["filters"] == {"object_type": "org.team"}  # type: ignore[union-attr]


def test_exports_in_english_and_in_the_readers_zone(teams: dict[str, Any]) -> None:
    reader = in_zone(user_with_perms(AUDITOR_PERMS), "UTC")
    UserProfile.objects.filter(user=reader).update(language="en")
    r = ui_client(reader).get(reverse("audit_list"), {"object_type": "org.team", "format": "csv"})
    rows = csv_rows(r.content)
    assert rows[0][:3] == ["Sequence", "Time (UTC)", "Actor"]
    update = next(row for row in rows[1:] if row[5] == "Update")
    assert update[6] == "Team" and update[9] == "Department: 信息科 → 内科; Active: Yes → No"
    first = audit.history(teams["team"]).order_by("seq").first()
    assert first is not None
    create = next(row for row in rows[1:] if row[0] == str(first.seq))
    assert create[1] == first.ts.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def test_the_api_adds_readable_labels(teams: dict[str, Any]) -> None:
    reader = user_with_perms(["core.view_auditrecord"])
    with translation.override("zh-hans"):
        data = api_client(reader).get("/api/v1/core/auditrecords/", {"object_type": "org.team"})
    row = data.json()["results"][0]
    assert row["actor_name"] == "wangzr" and row["actor_display"] == "王主任"
    assert row["object_type"] == "org.team" and row["object_type_display"] == "组"
    assert row["action"] == "update" and row["action_display"] == "更新"
    one = api_client(reader).get(f"/api/v1/core/auditrecords/{row['seq']}/").json()
    assert one["actor_display"] == "王主任"


def test_records_without_an_account_and_of_a_removed_object() -> None:
    with context.acting(None, None, "command"):
        dept = service_for(Team).create(
            None, {"name": "临时组", "department": DepartmentFactory(name="总务科")}, check=False
        )
    service_for(Team).delete(None, Team.objects.get(pk=dept.pk), check=False)
    failed = Client().post("/accounts/login/", {"username": "nobody", "password": "x"})
    assert failed.status_code == 401
    entries = history.describe(AuditRecord.objects.order_by("seq"), user_with_role("auditor"))
    by_action = {e.record.action: e for e in entries}
    assert by_action["create"].actor == "命令行"
    assert by_action["delete"].object_url == ""  # gone: named, not linked
    assert [c.label for c in by_action["delete"].changes] == ["名称", "部门", "启用"]
    assert by_action["login_failed"].actor == "—"
    assert ("输入的登录名", "nobody") in by_action["login_failed"].details


def test_display_names_for_labels_and_former_labels() -> None:
    assert display.object_type_label("workorders.workorder") == "工单"
    assert display.object_type_label("core.workcalendar") == "工作日历"  # before issue 9
    assert display.object_type_label("gone.model") == "gone.model"
    with translation.override("en"):
        assert display.object_type_label("org.person") == "Person"


# --- sign-in awaiting the second factor --------------------------------------------------------
def test_a_sign_in_awaiting_its_second_factor_is_not_a_login() -> None:
    user = user_with_role("engineer", username="wangwu")
    device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
    c = Client(REMOTE_ADDR="198.51.100.20")
    r = c.post("/accounts/login/", {"username": "wangwu", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"].startswith("/accounts/2fa/verify/")
    mine = AuditRecord.objects.filter(actor=user).order_by("seq")
    assert list(mine.values_list("action", flat=True)) == [AuditAction.LOGIN_PENDING]
    assert mine.get().extra["awaiting"] == "totp" and mine.get().ip == "198.51.100.20"
    assert c.post("/accounts/2fa/verify/", {"token": totp_code(device)}).status_code == 302
    assert list(mine.values_list("action", flat=True)) == ["login_pending", "login"]
    login = mine.last()
    assert login is not None and login.extra["second_factor"] == "totp"
    assert login.ip == "198.51.100.20"
    # read as people read it
    entry = history.describe([mine.first()], user_with_role("auditor"))[0]  # type: ignore[list-item]
    assert entry.action == "登录待第二因素验证"
    assert ("等待", "验证器动态码（TOTP）") in entry.details
    # a password alone, without the code: only the pending record
    c2 = Client()
    c2.post("/accounts/login/", {"username": "wangwu", "password": PASSWORD})
    assert mine.filter(action="login").count() == 1
    assert mine.filter(action="login_pending").count() == 2
    assert audit.verify().ok


def test_a_sign_in_without_a_second_factor_is_a_login_at_once() -> None:
    user = user_with_role("engineer")
    Client().post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    actions = list(AuditRecord.objects.filter(actor=user).values_list("action", flat=True))
    assert actions == [AuditAction.LOGIN]


def test_permissions_are_named_by_module_and_action_not_raw() -> None:
    """A role's permissions in its history and a denied permission in the trail: labels."""
    role = Role.objects.get(code="engineer")
    perm = Permission.objects.get(content_type__app_label="core", codename="view_history")
    changed = audit.record(
        AuditAction.UPDATE, role, changes={"permissions": [[], [perm.pk]]}, actor=None
    )
    denied = audit.record(AuditAction.DENIED, role, extra={"permission": "core.view_history"})
    entries = {e.record.seq: e for e in history.describe([changed, denied], None)}
    after = str(entries[changed.seq].changes[0].after)
    assert after and "Can view" not in after and "|" not in after
    detail = dict(entries[denied.seq].details)["权限"]
    assert detail.endswith("(core.view_history)") and "Can view" not in detail


def test_an_exported_report_is_named() -> None:
    rec = audit.record(AuditAction.EXPORT, None, object_type_label="workorders.report")
    assert history.describe([rec], None)[0].object_type == "服务质量报表"
    assert display.object_type_label("workorders.report") == "服务质量报表"


def test_pages_of_the_trail_and_their_htmx_fragment() -> None:
    actor = user_with_role("director")
    for i in range(60):
        audit.record(AuditAction.SECURITY, actor, actor=actor, extra={"event": f"e{i}"})
    c = ui_client(user_with_perms(AUDITOR_PERMS))
    first = c.get(reverse("audit_list"), {"action": "security"})
    assert len(first.context["entries"]) == 50 and first.context["window"].has_next
    html = first.content.decode()
    assert 'hx-target="#list-table"' in html and "action=security&amp;page=2" in html
    second = c.get(
        reverse("audit_list"),
        {"action": "security", "page": "2"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="list-table",
    )
    assert second.status_code == 200 and len(second.context["entries"]) == 10
    assert "<form" not in second.content.decode() and "nd-audit-table" in second.content.decode()
    # a page beyond the last, or a forged cursor: the first page, not an error
    assert c.get(reverse("audit_list"), {"page": "99"}).status_code == 200
    assert c.get(reverse("audit_list"), {"after": "forged"}).status_code == 200


def test_a_sign_in_that_must_set_up_its_second_factor_is_a_login_once_set_up() -> None:
    user = user_with_role("engineer")
    role = Role.objects.create(code="needs-2fa", name="需要双因素", require_2fa=True)
    RoleAssignment.objects.create(user=user, role=role)
    c = Client()
    r = c.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert r["Location"].startswith("/accounts/2fa/setup/")
    mine = AuditRecord.objects.filter(actor=user, action__startswith="login").order_by("seq")
    assert [(x.action, x.extra.get("awaiting")) for x in mine] == [("login_pending", "totp_setup")]
    raw = c.get("/accounts/2fa/setup/").context["secret"].replace(" ", "")
    code = f"{TOTP(b32decode(raw + '=' * (-len(raw) % 8))).token():06d}"
    assert c.post("/accounts/2fa/setup/", {"token": code}).status_code == 302
    assert list(mine.values_list("action", flat=True)) == ["login_pending", "login"]
