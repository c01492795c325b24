"""The sidebar: exactly one entry highlighted (the longest address the page is under), and a
requester's menu without reports, desk or configuration."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from netdept.core.context_processors import active_url
from netdept.core.registry import page_for
from netdept.testing.clients import ui_client
from netdept.testing.factories import user_with_role
from netdept.workorders.models import Category, EscalationRule, PriorityRule, SlaPolicy

DESK, PORTAL = "/workorders/", "/workorders/portal/"


def test_the_longest_matching_entry_wins() -> None:
    urls = [DESK, PORTAL, "/workorders/category/", "/org/person/"]
    assert active_url("/", urls) == "/"
    assert active_url("/workorders/", urls) == DESK
    assert active_url("/workorders/WO-20261201-0001/", urls) == DESK
    assert active_url("/workorders/portal/new/", urls) == PORTAL
    assert active_url("/workorders/category/3/edit/", urls) == "/workorders/category/"
    assert active_url("/workorders/categoryx/", urls) == DESK  # a prefix of a word is no match
    assert active_url("/search/", urls) is None


def sidebar(html: str) -> str:
    match = re.search(r'<aside[^>]*id="nd-sidebar".*?</aside>', html, re.S)
    assert match, "no sidebar"
    return match.group(0)


def active_links(html: str) -> list[str]:
    return re.findall(r'<a class="[^"]*\bactive"[^>]*href="([^"]+)"', sidebar(html))


def list_url(model: Any) -> str:
    page = page_for(model)
    assert page is not None
    return reverse(page.url_name("list"))


@pytest.mark.django_db
def test_exactly_one_entry_is_highlighted() -> None:
    client = ui_client(user_with_role("director"))
    category = Category.objects.create(name="网络")
    cases = {
        "/": "/",
        reverse("workorders:desk"): DESK,
        reverse("workorders:portal_new"): PORTAL,
        reverse("workorders:reports_home"): reverse("workorders:reports_home"),
        list_url(Category): list_url(Category),
        f"{list_url(Category)}{category.pk}/": list_url(Category),
        list_url(SlaPolicy): list_url(SlaPolicy),
    }
    for path, expected in cases.items():
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert active_links(html) == [expected], path
        assert sidebar(html).count('aria-current="page"') == 1, path


@pytest.mark.django_db
def test_a_requester_sees_no_desk_and_no_configuration() -> None:
    html = ui_client(user_with_role("requester")).get(PORTAL).content.decode()
    menu = sidebar(html)
    assert PORTAL in menu
    for model in (Category, SlaPolicy, PriorityRule, EscalationRule):
        assert f'href="{list_url(model)}"' not in menu, model
    assert f'href="{DESK}"' not in menu
    assert f'href="{reverse("workorders:new")}"' not in menu


@pytest.mark.django_db
def test_a_requester_sees_no_reports() -> None:
    html = ui_client(user_with_role("requester")).get(PORTAL).content.decode()
    assert f'href="{reverse("workorders:reports_home")}"' not in sidebar(html)


@pytest.mark.django_db
def test_the_skip_link_and_the_favicon() -> None:
    html = ui_client(user_with_role("engineer")).get("/").content.decode()
    body = html.split("<body", 1)[1]
    first_link = re.search(r"<a [^>]*>", body)
    assert first_link and 'href="#main"' in first_link.group(0)
    assert 'id="main"' in html
    assert re.search(r'<link rel="icon" href="[^"]*favicon\.svg"', html)


@pytest.mark.django_db
def test_a_requester_cannot_open_the_reports_by_address() -> None:
    requester = ui_client(user_with_role("requester"))
    assert requester.get(reverse("workorders:reports_home")).status_code == 403
    engineer = ui_client(user_with_role("engineer"))
    assert engineer.get(reverse("workorders:reports_home")).status_code == 200
