"""Shared pytest fixtures and options."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ARTIFACTS = Path(os.environ.get("NETDEPT_TEST_ARTIFACTS", Path(__file__).parent / "test-artifacts"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-query-baselines",
        action="store_true",
        default=False,
        help="write the query counts the tests measure into netdept/testing/"
        "query_baselines.json instead of checking them (see netdept.testing.queries)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--update-query-baselines"):
        # an environment variable, so that the xdist workers record too
        os.environ["NETDEPT_UPDATE_QUERY_BASELINES"] = "1"


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


#: markers of the long files (a minute or more each): the fuzzing, the browser, real processes
LONG = ("fuzz", "browser", "once")


def _long(item: pytest.Item) -> bool:
    """A test of the long kind: marked so, or one that commits for real (its database is
    emptied after it: the upgrades of old schemas, the races of concurrent writers)."""
    if any(item.get_closest_marker(name) for name in LONG):
        return True
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)):
        return True
    return "transactional_db" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The files with a long test run first, the rest in their order. With ``-n 2 --dist
    loadfile`` each worker takes the next file when it is done: a long file taken last keeps
    one worker busy while the other has nothing left; taken first, the short files even the
    two out at the end."""
    long_files = {item.nodeid.split("::", 1)[0] for item in items if _long(item)}
    items.sort(key=lambda item: item.nodeid.split("::", 1)[0] not in long_files)
