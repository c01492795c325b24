"""Every page stays usable at 390 px (issue 10, "Bad input"): on the demo hospital's data, a
person holding every right opens each page a menu leads to — the lists, the forms, the first
row's page, the desk, the portal, the reports, the audit trail, the search — on a phone-sized
screen, and no page is wider than the screen (a wide table scrolls inside its own box)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission

from netdept.core.tests.test_language_pages import page_urls
from netdept.org import demo
from netdept.testing.factories import user_with_perms

pytestmark = pytest.mark.browser

#: how much wider than the screen a page may be (rounding of sub-pixel borders)
SLACK = 1


def test_every_page_fits_a_phone_screen(
    phone_page: Any, server: str, sign_in: Any, tmp_path: Path
) -> None:
    demo.load(data_dir=tmp_path)
    user = user_with_perms(
        [
            f"{app}.{codename}"
            for app, codename in Permission.objects.values_list(
                "content_type__app_label", "codename"
            )
        ]
    )
    sign_in(phone_page, user)
    urls = page_urls()
    assert len(urls) > 40
    too_wide = []
    for url in urls:
        response = phone_page.goto(server + url)
        assert response is not None and response.status < 500, url
        extra = phone_page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if extra > SLACK:
            too_wide.append(f"{url}: {extra} px wider than the screen")
            phone_page.shot(url.strip("/").replace("/", "-") or "home")
    assert not too_wide, "\n".join(too_wide)
