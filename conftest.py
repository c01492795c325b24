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
