"""The requester portal through Django's test client: filing with a photo, who sees what,
refused attachments, comments, confirmation with a rating, and the reopen window."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from netdept.testing.factories import DepartmentFactory, TeamFactory, user_with_role
from netdept.workorders import services
from netdept.workorders.models import Attachment, Status, WorkOrder
from netdept.workorders.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Each test its own files folder (kept uploads must not leak from one test to another)."""
    settings.MEDIA_ROOT = str(tmp_path / "files")
    return tmp_path


def make_png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG image, encoded here (red pixels, 8-bit RGB)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def photo(name: str = "网口.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_png(), content_type="image/png")


@pytest.fixture
def world() -> dict[str, Any]:
    team = TeamFactory(name="运维组")
    category = CategoryFactory(name="网络不通", default_team=team)
    dept = DepartmentFactory(name="心内科")
    other_dept = DepartmentFactory(name="放射科")
    requester = user_with_role("requester", department=dept)
    requester.person.phone = "13800138000"
    requester.person.save()
    return {
        "team": team,
        "category": category,
        "requester": requester,
        "colleague": user_with_role("requester", department=dept),
        "stranger": user_with_role("requester", department=other_dept),
        "engineer": user_with_role("engineer", team=team),
    }


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def form_data(world: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data = {
        "kind": "fault",
        "category": str(world["category"].pk),
        "description": "护士站电脑无法上网\n从今天早上开始",
        "location": "住院楼 5 层护士站",
        "device": "",
        "contact": "13800138000",
    }
    data.update(extra)
    return data


def file_order(world: dict[str, Any], **extra: Any) -> WorkOrder:
    c = client_for(world["requester"])
    resp = c.post(reverse("workorders:portal_new"), form_data(world, **extra))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    return WorkOrder.objects.latest("id")


def resolve(world: dict[str, Any], order: WorkOrder) -> WorkOrder:
    engineer = world["engineer"]
    order = services.accept(engineer, order)
    return services.resolve(engineer, order, solution="更换了交换机端口，已恢复。")


def stored_files() -> list[Path]:
    """The files of orders (not those kept for a form sent back with errors)."""
    root = Path(settings.MEDIA_ROOT) / "workorders"
    kept = root / "kept"
    if not root.exists():
        return []
    return [p for p in root.rglob("*") if p.is_file() and kept not in p.parents]


def kept_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "workorders" / "kept"
    return [p for p in root.iterdir() if p.is_file()] if root.exists() else []


# --- filing ----------------------------------------------------------------------------------
def test_the_form_is_prefilled_and_offers_only_the_portal_kinds(world):
    c = client_for(world["requester"])
    resp = c.get(reverse("workorders:portal_new"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'value="13800138000"' in html  # contact phone from the person
    assert 'value="fault"' in html and 'value="service"' in html
    assert 'value="consultation"' in html and 'value="lead"' not in html
    assert "multiple" in html and 'accept="image/*' in html and "capture=" in html
    assert world["category"].name in html


def test_a_requester_files_an_order_with_a_photo(world):
    before = set(stored_files())
    c = client_for(world["requester"])
    resp = c.post(reverse("workorders:portal_new"), {**form_data(world), "attachments": [photo()]})
    assert resp.status_code == 302
    order = WorkOrder.objects.get()
    assert resp["Location"] == reverse("workorders:portal_detail", args=[order.number])
    assert order.requester == world["requester"].person
    assert order.requester_department == world["requester"].person.department
    assert order.team == world["team"]
    assert order.title == "护士站电脑无法上网"  # the first line of the description
    assert order.source == "portal" and order.status == Status.NEW
    att = order.attachments.get()
    assert att.name == "网口.png" and att.content_type == "image/png"
    assert set(stored_files()) - before  # the file is stored (outside the web root)

    page = c.get(resp["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert order.number in html and "住院楼 5 层护士站" in html
    file_url = reverse("workorders:portal_attachment", args=[att.token])
    assert file_url in html
    got = c.get(file_url)
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == make_png()
    assert got["Content-Type"] == "image/png"


def test_a_category_of_another_kind_is_refused(world):
    world["category"].kind = "service"
    world["category"].save()
    c = client_for(world["requester"])
    resp = c.post(reverse("workorders:portal_new"), form_data(world, kind="fault"))
    assert resp.status_code == 422
    assert 'data-field="category"' in resp.content.decode()
    assert not WorkOrder.objects.exists()


def test_a_lead_cannot_be_filed_from_the_portal(world):
    c = client_for(world["requester"])
    resp = c.post(reverse("workorders:portal_new"), form_data(world, kind="lead"))
    assert resp.status_code == 422
    assert 'data-field="kind"' in resp.content.decode()
    assert not WorkOrder.objects.exists()


@override_settings(NETDEPT={**settings.NETDEPT, "ATTACHMENT_MAX_BYTES": 200})
def test_a_too_big_attachment_is_refused_and_nothing_is_saved(world):
    before = set(stored_files())
    c = client_for(world["requester"])
    big = SimpleUploadedFile("大图.png", make_png(40, 40) + b"\0" * 200, content_type="image/png")
    resp = c.post(
        reverse("workorders:portal_new"), {**form_data(world), "attachments": [photo(), big]}
    )
    assert resp.status_code == 422
    html = resp.content.decode()
    assert 'data-field="attachments"' in html and "大图.png" in html
    assert not WorkOrder.objects.exists()
    assert not Attachment.objects.exists()
    assert set(stored_files()) == before
    # the photo that passed is kept for the next attempt, the refused file is not
    assert [k.name for k in resp.context["kept"]] == ["网口.png"]


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("tool.exe", b"MZ\x90\x00" + b"\0" * 60, "application/octet-stream"),
        ("photo.png", b"MZ\x90\x00not a picture" + b"\0" * 60, "image/png"),  # lies about type
    ],
)
def test_a_file_of_a_type_not_allowed_is_refused_and_nothing_is_saved(
    world, name, content, content_type
):
    before = set(stored_files())
    c = client_for(world["requester"])
    bad = SimpleUploadedFile(name, content, content_type=content_type)
    resp = c.post(reverse("workorders:portal_new"), {**form_data(world), "attachments": [bad]})
    assert resp.status_code == 422
    html = resp.content.decode()
    assert 'data-field="attachments"' in html and name in html
    assert not WorkOrder.objects.exists()
    assert not Attachment.objects.exists()
    assert set(stored_files()) == before


def test_missing_fields_are_named(world):
    c = client_for(world["requester"])
    resp = c.post(reverse("workorders:portal_new"), {"kind": "fault"})
    assert resp.status_code == 422
    html = resp.content.decode()
    for field in ("category", "description", "location", "contact"):
        assert f'data-field="{field}"' in html
    assert not WorkOrder.objects.exists()


# --- who sees what ---------------------------------------------------------------------------
def test_the_department_sees_the_order_and_another_department_does_not(world):
    c = client_for(world["requester"])
    c.post(reverse("workorders:portal_new"), {**form_data(world), "attachments": [photo()]})
    order = WorkOrder.objects.get()
    att = order.attachments.get()
    detail = reverse("workorders:portal_detail", args=[order.number])
    file_url = reverse("workorders:portal_attachment", args=[att.token])

    for user in (world["requester"], world["colleague"]):
        cu = client_for(user)
        listing = cu.get(reverse("workorders:portal_home"))
        assert listing.status_code == 200 and order.number in listing.content.decode()
        assert cu.get(detail).status_code == 200
        assert cu.get(file_url).status_code == 200

    stranger = client_for(world["stranger"])
    listing = stranger.get(reverse("workorders:portal_home") + "?state=any")
    assert listing.status_code == 200 and order.number not in listing.content.decode()
    assert stranger.get(detail).status_code == 404
    assert stranger.get(file_url).status_code == 404
    # The staff attachment URL refuses them too.
    desk_file_url = reverse("workorders:attachment", args=[att.token])
    assert stranger.get(desk_file_url).status_code in (403, 404)
    assert (
        stranger.post(
            reverse("workorders:portal_comment", args=[order.number]), {"body": "我也看看"}
        ).status_code
        == 404
    )
    assert order.comments.count() == 0


def test_the_list_shows_team_due_time_and_last_public_comment(world):
    order = file_order(world)
    services.comment(world["engineer"], order, body="内部：怀疑是网线", internal=True)
    services.comment(world["engineer"], order, body="请保持电话畅通")
    html = client_for(world["colleague"]).get(reverse("workorders:portal_home")).content.decode()
    assert "运维组" in html
    assert "请保持电话畅通" in html
    assert "怀疑是网线" not in html
    order.refresh_from_db()
    due = order.response_due or order.resolution_due
    assert due is not None
    assert timezone.localtime(due).strftime("%m-%d %H:%M") in html


def test_the_home_page_shows_the_file_button_and_the_nav_entry(world):
    html = client_for(world["requester"]).get(reverse("home")).content.decode()
    assert 'id="home-wo-new"' in html
    assert reverse("workorders:portal_new") in html
    sidebar = html.split('id="nd-sidebar"', 1)[1].split("</aside>", 1)[0]
    assert reverse("workorders:portal_home") in sidebar and "bi-phone" in sidebar


def test_without_the_permission_there_is_no_portal():
    from netdept.testing.factories import UserFactory

    c = client_for(UserFactory())
    assert c.get(reverse("workorders:portal_new")).status_code == 403
    assert 'id="home-wo-new"' not in c.get(reverse("home")).content.decode()


# --- comments and more photos ----------------------------------------------------------------
def test_comments_are_public_and_internal_notes_never_show(world):
    order = file_order(world)
    services.comment(world["engineer"], order, body="内部备注：设备老化", internal=True)
    c = client_for(world["requester"])
    url = reverse("workorders:portal_comment", args=[order.number])
    resp = c.post(url, {"body": "下午两点后有人在"})
    assert resp.status_code == 302
    assert order.comments.filter(internal=False, body="下午两点后有人在").exists()
    html = c.get(reverse("workorders:portal_detail", args=[order.number])).content.decode()
    assert "下午两点后有人在" in html
    assert "设备老化" not in html

    empty = c.post(url, {"body": "   "})
    assert empty.status_code == 422 and 'data-field="body"' in empty.content.decode()
    assert order.comments.filter(internal=False).count() == 1


def test_more_photos_can_be_attached_and_bad_ones_are_refused(world):
    order = file_order(world)
    c = client_for(world["colleague"])
    url = reverse("workorders:portal_attach", args=[order.number])
    assert c.post(url, {"attachments": [photo("第二张.png")]}).status_code == 302
    assert order.attachments.filter(name="第二张.png").exists()
    bad = SimpleUploadedFile("virus.exe", b"MZ" + b"\0" * 50)
    resp = c.post(url, {"attachments": [photo("第三张.png"), bad]})
    assert resp.status_code == 422
    assert 'data-field="attachments"' in resp.content.decode()
    assert order.attachments.count() == 1  # all or nothing


# --- confirmation, rating, reopening ---------------------------------------------------------
def test_the_requester_confirms_and_rates(world):
    order = resolve(world, file_order(world))
    c = client_for(world["requester"])
    detail = reverse("workorders:portal_detail", args=[order.number])
    html = c.get(detail).content.decode()
    assert 'id="wo-confirm-form"' in html and 'id="confirm-rating-5"' in html
    assert "更换了交换机端口" in html or order.status == Status.RESOLVED

    resp = c.post(
        reverse("workorders:portal_confirm", args=[order.number]),
        {"rating": "5", "comment": "响应很快，谢谢！"},
    )
    assert resp.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.CLOSED
    assert order.rating == 5 and order.rating_comment == "响应很快，谢谢！"
    html = c.get(detail).content.decode()
    assert 'data-rating="5"' in html and 'id="wo-confirm-form"' not in html


@pytest.mark.parametrize("rating", ["0", "6", "-1", "五", "3.5"])
def test_a_rating_out_of_range_is_refused_and_nothing_changes(world, rating):
    order = resolve(world, file_order(world))
    c = client_for(world["requester"])
    resp = c.post(
        reverse("workorders:portal_confirm", args=[order.number]),
        {"rating": rating, "comment": "x"},
    )
    assert resp.status_code == 422
    assert 'data-field="rating"' in resp.content.decode()
    order.refresh_from_db()
    assert order.status == Status.RESOLVED and order.rating is None


def test_a_closed_order_can_be_rated_later(world):
    order = resolve(world, file_order(world))
    c = client_for(world["requester"])
    c.post(reverse("workorders:portal_confirm", args=[order.number]), {})
    order.refresh_from_db()
    assert order.status == Status.CLOSED and order.rating is None
    rate = reverse("workorders:portal_rate", args=[order.number])
    assert c.post(rate, {"rating": "9"}).status_code == 422
    assert c.post(rate, {"rating": "4", "comment": "还行"}).status_code == 302
    order.refresh_from_db()
    assert order.rating == 4


def test_an_open_order_cannot_be_confirmed(world):
    order = file_order(world)
    c = client_for(world["requester"])
    resp = c.post(reverse("workorders:portal_confirm", args=[order.number]), {"rating": "5"})
    assert resp.status_code == 422
    order.refresh_from_db()
    assert order.status == Status.NEW and order.rating is None


def test_reopen_within_the_window_and_not_after(world):
    order = resolve(world, file_order(world))
    c = client_for(world["requester"])
    url = reverse("workorders:portal_reopen", args=[order.number])
    html = c.get(reverse("workorders:portal_detail", args=[order.number])).content.decode()
    assert 'id="wo-reopen-form"' in html

    assert c.post(url, {"reason": "  "}).status_code == 422
    resp = c.post(url, {"reason": "下午又断网了"})
    assert resp.status_code == 302
    order.refresh_from_db()
    assert order.status not in (Status.RESOLVED, Status.CLOSED)
    assert order.reopen_count == 1

    order = services.resolve(world["engineer"], order, solution="重新配置了端口。")
    long_ago = timezone.now() - dt.timedelta(days=40)
    WorkOrder.objects.filter(pk=order.pk).update(resolved_at=long_ago)
    resp = c.post(url, {"reason": "还是不行"})
    assert resp.status_code == 422
    order.refresh_from_db()
    assert order.status == Status.RESOLVED and order.reopen_count == 1


def test_the_list_makes_no_query_per_order(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from netdept.workorders.tests.factories import CommentFactory, WorkOrderFactory

    person = world["requester"].person
    c = client_for(world["requester"])
    url = reverse("workorders:portal_home")

    def count(n: int) -> int:
        for _ in range(n):
            CommentFactory(order=WorkOrderFactory(requester=person, category=world["category"]))
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        # Only the work-order queries: the session and security middleware vary on their own.
        return sum("workorders_" in q["sql"] for q in ctx.captured_queries)

    assert count(2) == count(10) <= 3


# --- pre-filled contact, and a photo that survives a form sent back (issue 10) ---------------
def test_contact_and_location_are_prefilled_from_the_person_and_their_last_order(world):
    requester = world["requester"]
    c = client_for(requester)
    form = c.get(reverse("workorders:portal_new")).context["form"]
    assert form.initial["contact"] == "13800138000"
    file_order(world, location="门诊楼 2 层 挂号处")
    form = c.get(reverse("workorders:portal_new")).context["form"]
    assert form.initial["location"] == "门诊楼 2 层 挂号处"
    # no phone of their own: their department's; no order yet: the department's place
    dept = requester.person.department
    dept.phone, dept.location = "0571-8888", "行政楼 3 层"
    dept.save()
    colleague = world["colleague"]
    colleague.person.phone = ""
    colleague.person.save()
    html = client_for(colleague).get(reverse("workorders:portal_new")).content.decode()
    assert 'value="0571-8888"' in html and 'value="行政楼 3 层"' in html
    assert 'type="tel"' in html


def _kept_tokens(resp: Any) -> list[str]:
    return [k.token for k in resp.context["kept"]]


def test_a_photo_survives_a_validation_error(world):
    c = client_for(world["requester"])
    url = reverse("workorders:portal_new")
    resp = c.post(url, {**form_data(world, description=""), "attachments": [photo("插座.png")]})
    assert resp.status_code == 422
    html = resp.content.decode()
    assert 'data-field="description"' in html
    tokens = _kept_tokens(resp)
    assert len(tokens) == 1 and f'name="kept" value="{tokens[0]}"' in html and "插座.png" in html
    assert len(kept_files()) == 1 and not WorkOrder.objects.exists()
    # sent again, corrected, without choosing the photo again: it is attached
    resp = c.post(url, {**form_data(world), "kept": tokens, "kept_offered": tokens})
    assert resp.status_code == 302, resp.content.decode()[:1500]
    att = WorkOrder.objects.get().attachments.get()
    assert att.name == "插座.png" and att.content_type == "image/png"
    with att.file.open("rb") as fh:
        assert fh.read() == make_png()
    assert kept_files() == []  # the kept copy is gone


def test_kept_files_are_the_uploaders_only_and_can_be_left_out(world):
    c = client_for(world["requester"])
    url = reverse("workorders:portal_new")
    resp = c.post(
        url,
        {**form_data(world, location=""), "attachments": [photo("a.png"), photo("b.png")]},
    )
    a, b = _kept_tokens(resp)
    # someone else cannot use the tokens; a forged one is ignored
    other = client_for(world["colleague"])
    resp = other.post(url, {**form_data(world, location=""), "kept": [a, b, a[:-2] + "xx"]})
    assert resp.status_code == 422 and resp.context["kept"] == []
    assert len(kept_files()) == 2
    # b unticked: left out and deleted at once; a attached
    resp = c.post(url, {**form_data(world), "kept": [a], "kept_offered": [a, b]})
    assert resp.status_code == 302
    assert [x.name for x in WorkOrder.objects.get().attachments.all()] == ["a.png"]
    assert kept_files() == []


def test_kept_files_expire_and_are_swept(world):
    from netdept.workorders import kept_uploads

    c = client_for(world["requester"])
    url = reverse("workorders:portal_new")
    resp = c.post(url, {**form_data(world, location=""), "attachments": [photo()]})
    (token,) = _kept_tokens(resp)
    later = timezone.now() + dt.timedelta(seconds=kept_uploads.MAX_AGE + 60)
    assert kept_uploads.sweep(later) == 1 and kept_files() == []
    resp = c.post(url, {**form_data(world), "kept": [token]})
    assert resp.status_code == 302 and not WorkOrder.objects.get().attachments.exists()


def test_a_daily_job_sweeps_the_abandoned_kept_files(world):
    import os

    from netdept.tasks.scheduler import jobs
    from netdept.workorders import kept_uploads
    from netdept.workorders.tasks import sweep_kept_uploads

    job = jobs()["workorders.sweep_kept_uploads"]
    assert job.cron == "35 4 * * *" and job.queue == "default"
    c = client_for(world["requester"])
    c.post(
        reverse("workorders:portal_new"),
        {**form_data(world, location=""), "attachments": [photo()]},
    )
    (path,) = kept_files()
    assert sweep_kept_uploads.enqueue().return_value == 0  # still fresh: kept
    old = (timezone.now() - dt.timedelta(seconds=kept_uploads.MAX_AGE + 60)).timestamp()
    os.utime(path, (old, old))
    assert sweep_kept_uploads.enqueue().return_value == 1 and kept_files() == []


def test_kept_and_new_files_together_are_limited(world):
    from netdept.workorders.forms_portal import MAX_FILES

    c = client_for(world["requester"])
    url = reverse("workorders:portal_new")
    files = [photo(f"{i}.png") for i in range(MAX_FILES)]
    resp = c.post(url, {**form_data(world, location=""), "attachments": files})
    tokens = _kept_tokens(resp)
    assert len(tokens) == MAX_FILES
    resp = c.post(url, {**form_data(world), "kept": tokens, "attachments": [photo("more.png")]})
    assert resp.status_code == 422 and 'data-field="attachments"' in resp.content.decode()
    assert not WorkOrder.objects.exists()
    assert len(_kept_tokens(resp)) == MAX_FILES  # nothing lost, nothing more kept
