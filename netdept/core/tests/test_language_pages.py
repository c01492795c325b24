"""One language at a time, on every generated page: the list, the form and the first row's page
of every registered model, and the kernel's pages, read in Chinese and in English on the demo
hospital's data by the checker of the browser tests (``netdept.testing.language``)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse

from netdept.accounts.models import UserProfile
from netdept.core.registry import PAGES
from netdept.org import demo
from netdept.testing.clients import ui_client
from netdept.testing.factories import user_with_perms
from netdept.testing.language import LanguageChecker, database_words

pytestmark = pytest.mark.django_db


def page_urls() -> list[str]:
    """Every page a person with every right opens first, on the demo's data."""
    urls = [
        reverse("home"),
        reverse("search") + "?q=网络",
        reverse("audit_list"),
        reverse("preferences"),
    ]
    # the pages of their own, by name (a name that is gone is skipped, not failed)
    for name in (
        "workorders:desk",
        "workorders:new",
        "workorders:portal_home",
        "workorders:portal_new",
        "workorders:reports_home",
        "approvals:inbox",
        "approvals:mine",
        "notify:notifications_inbox",
        "notify:notifications_preferences",
        "notify:notifications_failed",
        "accounts:security_policy",
        "accounts:api_tokens",
    ):
        with contextlib.suppress(NoReverseMatch):
            urls.append(reverse(name))
    order = apps.get_model("workorders", "WorkOrder").objects.order_by("pk").first()
    if order is not None:
        urls.append(reverse("workorders:order", args=[order.number]))
    for page in PAGES.values():
        if not page.ui:
            continue
        try:
            urls.append(reverse(page.url_name("list")))
            if page.can_add:
                urls.append(reverse(page.url_name("add")))
            first = page.queryset().first()
            if first is not None:
                urls.append(reverse(page.url_name("detail"), args=[first.pk]))
        except NoReverseMatch:  # a page with views of its own
            continue
    return urls


def read(client: Any, checker: LanguageChecker, url: str) -> None:
    r = client.get(url)
    if "text/html" not in r.get("Content-Type", "") or r.status_code >= 500:
        assert r.status_code < 500, f"{url} answered {r.status_code}"
        return
    typed = url.partition("?")[2]
    checker.check_html(url, r.content.decode(), r.get("Content-Language", ""), typed)


# once: the language of a page's words does not depend on the database
@pytest.mark.once
def test_every_generated_page_speaks_one_language(tmp_path: Path) -> None:
    demo.load(data_dir=tmp_path)
    everything = [
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    ]
    user = user_with_perms(everything)
    client = ui_client(user)
    checker = LanguageChecker(data_words=lambda refresh: database_words(refresh))
    urls = page_urls()
    assert len(urls) > 40
    for lang in ("zh-hans", "en"):
        UserProfile.objects.update_or_create(user=user, defaults={"language": lang})
        for url in urls:
            read(client, checker, url)
    assert not checker.findings, "\n".join(str(f) for f in checker.findings)
