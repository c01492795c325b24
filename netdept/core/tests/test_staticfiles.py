"""The static files' middleware reads the index of the files once per process and settings
(``netdept.core.staticfiles``), and serves them as WhiteNoise does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, override_settings

from netdept.core.staticfiles import StaticFilesMiddleware

CSS = "/static/netdept/netdept.css"
SOURCE = Path(__file__).resolve().parents[1] / "static" / "netdept" / "netdept.css"


def make() -> StaticFilesMiddleware:
    return StaticFilesMiddleware(lambda request: None)


def test_a_second_middleware_takes_the_index_without_reading_the_files_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = make()
    assert CSS in first.files and len(first.files) > 50

    def no_reading(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the static files were listed again")

    monkeypatch.setattr(finders, "get_finders", no_reading)
    second = make()
    assert second.files.keys() == first.files.keys()
    assert second.files[CSS] is first.files[CSS]


@pytest.mark.django_db
def test_the_files_are_served_with_their_headers_and_new_settings_read_anew() -> None:
    r = Client().get(CSS)
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == SOURCE.read_bytes()
    assert r["Content-Type"].startswith("text/css")
    assert Client().get(CSS, HTTP_IF_MODIFIED_SINCE=r["Last-Modified"]).status_code == 304
    before = make().files[CSS]
    with override_settings(WHITENOISE_MAX_AGE=1234):
        again, third = make(), make()
        assert again.files[CSS] is not before  # other settings: read anew
        assert third.files[CSS] is again.files[CSS]  # and kept for them
        assert "max-age=1234" in Client().get(CSS)["Cache-Control"]
    assert "max-age=1234" not in (Client().get(CSS).get("Cache-Control") or "")
