"""Deep pages of the desk: beyond the first pages the desk's links carry keyset cursors (as
cheap at page 4,000 of a million orders as on page 1); every page they lead to holds exactly
the rows the page number would (OFFSET), for every sort of the desk, both ways, with ties and
empty due times."""

from __future__ import annotations

import datetime
import random
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.utils import timezone

from netdept.core.paginate import Paginator
from netdept.testing.crud import ui_client
from netdept.testing.factories import DepartmentFactory, TeamFactory, user_with_role
from netdept.workorders import services, views_desk
from netdept.workorders.models import Status, WorkOrder
from netdept.workorders.tests.factories import CategoryFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

DESK = "/workorders/"
PER_PAGE = 4
SORTS = [
    "-created_at",
    "created_at",
    "priority",
    "-priority",
    "resolution_due",
    "-resolution_due",
    "number",
    "-status",
]


@pytest.fixture
def director(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(views_desk, "PER_PAGE", PER_PAGE)
    monkeypatch.setattr(views_desk, "OFFSET_PAGES", 2)  # page 3 on: cursors
    net = DepartmentFactory(name="网络部")
    team = TeamFactory(department=net)
    cat = CategoryFactory(default_team=team)
    rng = random.Random(7)
    now = timezone.now()
    stamps = [now - datetime.timedelta(hours=rng.randint(0, 5)) for _ in range(6)]  # ties
    statuses = [Status.NEW, Status.ACCEPTED, Status.IN_PROGRESS, Status.CLOSED]
    for i in range(37):
        due = now + datetime.timedelta(hours=rng.randint(-9, 9))
        o = WorkOrderFactory(
            category=cat,
            priority=rng.randint(1, 4),
            status=rng.choice(statuses),
            resolution_due=None if i % 5 == 0 else due,
        )
        WorkOrder.objects.filter(pk=o.pk).update(created_at=rng.choice(stamps))
    return user_with_role("director", department=net)


def _page(c: Any, params: dict[str, str]) -> tuple[list[str], Any]:
    r = c.get(DESK, params)
    assert r.status_code == 200
    return [o.number for o, _due in r.context["rows"]], r.context["pager"]


def _params(link: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(link).query))


@pytest.mark.parametrize("sort", SORTS)
def test_cursor_pages_are_the_offset_pages(director: Any, sort: str) -> None:
    c = ui_client(director)
    base = {"queue": "all", "sort": sort}
    total = WorkOrder.objects.count()
    pages = -(-total // PER_PAGE)
    by_number = [_page(c, {**base, "page": str(n)})[0] for n in range(1, pages + 1)]
    flat = [n for page in by_number for n in page]
    assert len(flat) == len(set(flat)) == total, "every order once"
    # what OFFSET reads on the same total order (the generic paginator's, NULLs largest)
    tie = "-pk" if sort.startswith("-") else "pk"
    paginator = Paginator(services.visible_orders(director).order_by(sort, tie), PER_PAGE)
    offset = [[o.number for o in paginator.page(page=n).rows] for n in range(1, pages + 1)]
    assert by_number == offset

    # forwards along the desk's own links: cursors from page 3 on
    rows, pager = _page(c, base)
    walked, cursors = [rows], 0
    while pager["next"]:
        params = _params(pager["next"])
        cursors += "after" in params
        assert params["sort"] == sort and params["queue"] == "all"
        rows, pager = _page(c, params)
        walked.append(rows)
    assert walked == by_number
    assert cursors == pages - 2 and pager["window"].number == pages

    # and back from the last page
    back = [rows]
    while pager["previous"]:
        rows, pager = _page(c, _params(pager["previous"]))
        back.append(rows)
    assert back[::-1] == by_number


def test_a_tampered_cursor_is_page_one_never_a_500(director: Any) -> None:
    c = ui_client(director)
    first, _pager = _page(c, {"queue": "all"})
    for bad in ("nonsense", "a" * 5000, "eyJ2IjpbXX0:1abc:xyz"):
        assert _page(c, {"queue": "all", "after": bad})[0] == first
    # a page number past the end gives a page that exists (the counted pages' last one), also
    # right past the last row and far beyond MAX_PAGE
    total = WorkOrder.objects.count()
    pages = -(-total // PER_PAGE)
    last, _pager = _page(c, {"queue": "all", "page": str(pages)})
    for beyond in (pages + 1, pages + 2, 999_999_999):
        assert _page(c, {"queue": "all", "page": str(beyond)})[0] == last, beyond
