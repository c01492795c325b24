"""Every registered page has generated CRUD + permission tests (netdept.testing.crud)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import netdept
from netdept.core.registry import PAGES
from netdept.testing.crud import crud_test_classes


def _import_test_modules() -> None:
    root = Path(netdept.__file__).parent
    # the apps' tests, and the example module's (netdept/testing/example, test settings only)
    for tests_dir in sorted([*root.glob("*/tests"), *root.glob("testing/*/tests")]):
        if not (tests_dir / "__init__.py").exists():
            continue
        package = ".".join(["netdept", *tests_dir.relative_to(root).parts])
        for info in pkgutil.walk_packages([str(tests_dir)], prefix=f"{package}."):
            if info.name.rsplit(".", 1)[-1].startswith("test_"):
                importlib.import_module(info.name)


def test_every_registered_model_has_crud_tests() -> None:
    _import_test_modules()
    covered = {cls.model._meta.label_lower for cls in crud_test_classes()}
    missing = sorted(label for label in PAGES if label not in covered)
    assert not missing, (
        "These registered models have no CrudTests subclass (netdept.testing.crud): "
        + ", ".join(missing)
    )
