"""The generated tests cover every registered page: the exact rows per scope (ScopeWorld) on the
list, the export and the API list, and a query-count baseline for the list and the API list;
and the data a class shares is really rolled back (per test and per class)."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from netdept.core.registry import PAGES, Page
from netdept.core.tests.test_meta_crud import _import_test_modules
from netdept.org.models import Department
from netdept.testing import queries
from netdept.testing.classdata import class_transaction
from netdept.testing.crud import CrudTests, crud_test_classes
from netdept.testing.factories import DepartmentFactory


def _classes_by_label() -> dict[str, list[type[CrudTests]]]:
    _import_test_modules()
    out: dict[str, list[type[CrudTests]]] = {}
    for cls in crud_test_classes():
        out.setdefault(cls.model._meta.label_lower, []).append(cls)
    return out


def test_every_registered_page_has_the_scoped_exact_rows_tests() -> None:
    by_label = _classes_by_label()
    problems: list[str] = []
    for label, page in sorted(PAGES.items()):
        classes = by_label.get(label)
        if not classes:
            problems.append(f"{label}: no CrudTests subclass (netdept.testing.crud)")
            continue
        for cls in classes:
            for door, name in (("ui", "test_ui_scoped"), ("api", "test_api_scoped")):
                if not getattr(page, door):
                    continue
                if getattr(cls, name) is not getattr(CrudTests, name):
                    problems.append(f"{cls.__qualname__}.{name} replaces the generated test")
            if cls.scopes is not None and not cls.scopes:
                problems.append(f"{cls.__qualname__}: scopes is empty (no scope is tested)")
            if "test_ui_list_queries" in vars(cls) or "test_api_list_queries" in vars(cls):
                problems.append(f"{cls.__qualname__} replaces a query-count test")
    assert not problems, "\n".join(problems)


def _keys(page: Page) -> list[str]:
    return [f"{page.label} {door}" for door, on in (("list", page.ui), ("api", page.api)) if on]


def test_every_registered_page_has_query_baselines() -> None:
    if queries.updating():
        pytest.skip("the baseline is being written")
    baselines = queries.load()
    missing = [key for page in PAGES.values() for key in _keys(page) if key not in baselines]
    assert not missing, (
        f"No query baseline for {', '.join(missing)} in netdept/testing/query_baselines.json: "
        "run `pytest --update-query-baselines -n 0 -k queries netdept` and commit the file"
    )


@pytest.mark.django_db
class TestClassData:
    """The class transaction: a row made for the class is there in every test of it, a row a
    test makes is gone in the next test, and after the class nothing is left."""

    code: ClassVar[str] = "CLASSDATA-1"
    shared: ClassVar[Any] = None

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def _class_rows(cls, django_db_setup: None, django_db_blocker: Any) -> Any:
        with class_transaction(django_db_blocker):
            with django_db_blocker.unblock():
                cls.shared = DepartmentFactory(code=cls.code)
            yield
        with django_db_blocker.unblock():
            assert not Department.objects.filter(code=cls.code).exists()

    def test_a_sees_the_class_row_and_makes_its_own(self) -> None:
        assert Department.objects.filter(pk=self.shared.pk).exists()
        DepartmentFactory(code="CLASSDATA-A")
        Department.objects.filter(pk=self.shared.pk).update(name="changed by a")

    def test_b_sees_neither_what_a_made_nor_what_it_changed(self) -> None:
        assert not Department.objects.filter(code="CLASSDATA-A").exists()
        assert Department.objects.get(pk=self.shared.pk).name == self.shared.name
