"""Finding people (``netdept/org/search.py``): the global search's people and the phone desk's
caller type-ahead (``people_matching``) — by name, phone and employee number, every word, best
matches first, only active people the user may view."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from netdept.core import search
from netdept.org.models import Person
from netdept.org.search import PeopleSearch, people_matching
from netdept.testing.factories import DepartmentFactory, TeamFactory, user_with_perms

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> dict[str, Any]:
    clinic = DepartmentFactory(name="门诊部")
    lab = DepartmentFactory(name="检验科")
    team = TeamFactory(department=clinic, name="护理组")

    def person(name: str, no: str, phone: str = "", dept: Any = clinic, **kw: Any) -> Person:
        p: Person = Person.objects.create(
            name=name, employee_no=no, phone=phone, department=dept, **kw
        )
        return p

    return {
        "clinic": clinic,
        "lab": lab,
        "zhang": person("张三", "N1001", "0571-88123456", team=team),
        "zhangsan2": person("张三丰", "N1002", "13800001111"),
        "wang": person("王张", "L2001", "8123", dept=lab),
        "gone": person("张三离职", "N1003", is_active=False),
    }


def names(qs: Any) -> list[str]:
    return [p.name for p in qs]


def test_by_name_phone_and_employee_number(people: dict[str, Any]) -> None:
    user = user_with_perms(["org.view_person"])
    assert names(people_matching("张三", user)) == ["张三", "张三丰"]  # exact name first
    assert sorted(names(people_matching("8123", user))) == sorted(["王张", "张三"])  # phone
    assert names(people_matching("n100", user)) == ["张三", "张三丰"]  # number's start
    assert names(people_matching("N1002", user)) == ["张三丰"]
    assert names(people_matching("L2001 8123", user)) == ["王张"]  # every word
    assert sorted(names(people_matching("张 8123", user))) == sorted(["张三", "王张"])
    assert names(people_matching("1001", user)) == []  # the number's start, not its middle
    assert names(people_matching("", user)) == [] and names(people_matching("  ", user)) == []


def test_ranking_exact_number_then_exact_name_then_start(people: dict[str, Any]) -> None:
    user = user_with_perms(["org.view_person"])
    Person.objects.create(name="N1001 的同事", employee_no="X1", department=people["clinic"])
    assert names(people_matching("N1001", user))[0] == "张三"
    assert names(people_matching("张", user))[:2] == ["张三", "张三丰"]  # names starting so


def test_only_active_people_the_user_may_view(people: dict[str, Any]) -> None:
    own_dept = user_with_perms(["org.view_person"], scope="department", department=people["lab"])
    assert names(people_matching("张", own_dept)) == ["王张"]
    nobody = user_with_perms(["org.view_team"])
    assert names(people_matching("张", nobody)) == []
    assert "张三离职" not in names(people_matching("张三", user_with_perms(["org.view_person"])))


def test_among_people_the_caller_authorised(people: dict[str, Any]) -> None:
    """The phone desk takes calls from anyone: it passes its own pool (still active only)."""
    own_dept = user_with_perms(["org.view_person"], scope="department", department=people["lab"])
    everyone = Person.objects.all()
    assert names(people_matching("张三", own_dept, among=everyone)) == ["张三", "张三丰"]
    assert names(people_matching("张", own_dept, among=Person.objects.none())) == []


def test_limit(people: dict[str, Any]) -> None:
    user = user_with_perms(["org.view_person"])
    assert len(people_matching("张", user, limit=2)) == 2
    assert len(people_matching("张", user, limit=0)) == 0


def test_people_in_the_global_search(people: dict[str, Any]) -> None:
    user = user_with_perms(["org.view_person"])
    result = search.run("张三", user)
    group = next(g for g in result.groups if g.key == "org.person")
    hit = group.hits[0]
    assert hit.label == "张三"
    assert hit.url == reverse("org:person_detail", args=[people["zhang"].pk])
    assert "N1001" in hit.detail and "0571-88123456" in hit.detail and "门诊部" in hit.detail
    assert group.more_url == reverse("org:person_list") + "?q=%E5%BC%A0%E4%B8%89"
    # the default provider of the people page is replaced, not added
    assert [g.key for g in result.groups].count("org.person") == 1
    assert not any(g.key == "page.org.person" for g in result.groups)
    assert not PeopleSearch().applies(user_with_perms(["org.view_team"]))
