"""Shared pytest fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ARTIFACTS = Path(os.environ.get("NETDEPT_TEST_ARTIFACTS", Path(__file__).parent / "test-artifacts"))


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
