"""Bad input to the approvals API: a 400 naming the field (never a 500, never a half-made
request), and odd JSON of every kind — wrong types, huge strings, NUL bytes, deep nesting —
answered with a 4xx by every endpoint of approvals."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from netdept.approvals.models import ApprovalDecision, ApprovalRequest, DecisionStatus
from netdept.approvals.tests import hospital
from netdept.testing.clients import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def h() -> hospital.Hospital:
    h = hospital.build()
    r = hospital.rule(code="general", name="一般申请", is_default=True)
    hospital.step(r, "科室负责人审批", "department_head", condition_field="amount",
                  condition_op="gt", condition_value="5000")  # fmt: skip
    hospital.step(r, "主任审批", "director", order=20)
    return h


def url(name: str, *args: Any) -> str:
    return reverse(f"approvals-{name}", args=args)


def post(c: Any, name: str, body: Any, *args: Any) -> Any:
    return c.post(url(name, *args), body, format="json")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x", "kind": "nope.kind"}, "kind"),
        ({"title": "x", "kind": "example.scrap"}, "kind"),  # a kind its module submits
        ({"title": "x", "kind": ""}, "kind"),
        ({"data": {"amount": 1}}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"title": "x", "rule": "no-such-rule"}, "rule"),
        ({"title": "x", "data": {"amount": "abc"}}, "data"),
        ({"title": "x", "data": {"amount": True}}, "data"),
        ({"title": "x", "data": {"amount": [1]}}, "data"),
        ({"title": "x", "data": {"amount": "1e400"}}, "data"),
        ({"title": "x", "data": {"amount": "NaN"}}, "data"),
        ({"title": "x", "data": {"days": 10**40}}, "data"),
        ({"title": "x", "data": {"risk": "extreme"}}, "data"),
        ({"title": "x", "data": {"type": 5}}, "data"),
        ({"title": "x", "data": {"type": "x" * 201}}, "data"),
        ({"title": "x", "data": {"type": "a\x00"}}, "data"),
        ({"title": "x", "data": {"colour": "red"}}, "data"),
        ({"title": "x", "data": ["amount", 1]}, "data"),
        ({"title": "x", "data": "amount=1"}, "data"),
        ({"title": "x", "emergency": "perhaps"}, "emergency"),
        ({"title": "x", "emergency": True}, "emergency"),  # the rule does not allow it
        ({"title": "x", "requester": ["H001"]}, "requester"),
        ({"title": "x", "requester": "x" * 31}, "requester"),
        ({"title": ["x"]}, "title"),
        ({"title": {"zh": "x"}}, "title"),
    ],
)
def test_submit_refuses_bad_input_naming_the_field(h, body: dict[str, Any], field: str):
    before = ApprovalRequest.objects.count()
    r = post(api_client(h.user("huangli")), "requests-submit", body)
    assert r.status_code == 400, (r.status_code, r.content[:300])
    assert field in r.json(), r.json()
    assert ApprovalRequest.objects.count() == before


def test_the_field_inside_data_is_named_and_numbers_may_be_texts(h):
    c = api_client(h.user("huangli"))
    r = post(c, "requests-submit", {"title": "x", "data": {"amount": "abc", "risk": "high"}})
    assert r.status_code == 400 and list(r.json()["data"]) == ["amount"]
    r = post(c, "requests-submit", {"title": "采购", "data": {"amount": "6000.50", "risk": "high",
                                                              "days": None}})  # fmt: skip
    assert r.status_code == 201, r.json()
    assert r.json()["data"] == {"amount": 6000.5, "risk": "high"}
    # the condition (amount over 5000) brought the department head's step
    assert [s["name"] for s in r.json()["steps"]] == ["科室负责人审批", "主任审批"]
    r = post(c, "requests-submit", {"title": "小额", "data": {"amount": 100}})
    assert [s["name"] for s in r.json()["steps"]] == ["主任审批"]


def test_a_kind_without_a_default_rule_names_rule(h):
    from netdept.approvals.models import ApprovalRule

    ApprovalRule.objects.update(is_default=False)
    r = post(api_client(h.user("huangli")), "requests-submit", {"title": "x"})
    assert r.status_code == 400 and "rule" in r.json()


def test_a_user_without_a_person_is_refused_naming_requester(h):
    from netdept.testing.factories import UserFactory

    r = post(api_client(UserFactory()), "requests-submit", {"title": "x"})
    assert r.status_code == 400 and "requester" in r.json()


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return {"title": value, "comment": value, "reason": value, "ids": value}


NOT_OBJECTS: list[Any] = [[], "text", 17, True, [{"title": "x"}], nested(40), nested(3)]
HUGE = "题" * 100_000
DECIDE_ODD: list[Any] = [
    {"comment": ["x"]},
    {"comment": {"text": "x"}},
    {"comment": "c" * 3000},
    {"comment": "\x00"},
    {"comment": HUGE},
    {"otp_code": {"a": 1}},
    {"otp_code": "9" * 1000},
    {"expected_version": "abc"},
    {"expected_version": -1},
    {"expected_version": [1]},
    {"expected_version": 2**70},  # a version that is not the decision's: 409
]
ODD: dict[str, list[Any]] = {
    "submit": [
        {"x" * 5000: 1},
        {"\x00": "\x00"},
        {"title": "\x00" * 10},
        {"title": HUGE},
        {"title": "x", "data": {"amount": {"$gt": 0}}},
        {"title": "x", "data": {"\x00amount": 1}},
        {"title": "x", "data": {str(i): i for i in range(500)}},
        {"title": "x", "kind": "\x00"},
        {"title": "x", "rule": "r" * 10_000},
        {"title": "x", "requester": "\x00"},
        {"title": "x", "emergency": {"yes": True}},
    ],
    "approve": DECIDE_ODD,
    "reject": [{}, {"comment": "   "}, *DECIDE_ODD],
    "return_for_changes": [{}, {"comment": "   "}, *DECIDE_ODD],
    "withdraw": [
        {"reason": ["x"]},
        {"reason": "r" * 5000},
        {"reason": "\x00"},
        {"expected_version": "x"},
        {"expected_version": 99},  # not the request's version: 409
    ],
    "resubmit": [{}, {"expected_version": "abc"}, {"data": "x"}],  # not returned: 400
    "bulk": [
        {},
        {"ids": "1,2"},
        {"ids": []},
        {"ids": [0]},
        {"ids": [-1, 2**64]},
        {"ids": ["a"]},
        {"ids": [None]},
        {"ids": list(range(1, 1000))},
        {"ids": [1], "comment": "c" * 3000},
        {"ids": [1], "comment": "\x00"},
    ],
}


def test_every_approvals_endpoint_answers_odd_json_with_a_4xx(h):
    requester = api_client(h.user("huangli"))
    req_id = post(requester, "requests-submit", {"title": "样本", "data": {"amount": 9000}}).json()[
        "id"
    ]
    d = ApprovalDecision.objects.get(request_id=req_id, status=DecisionStatus.PENDING)
    approver = api_client(h.user("chenzq"))
    targets = {
        "submit": (requester, url("requests-submit")),
        "withdraw": (requester, url("requests-withdraw", req_id)),
        "resubmit": (requester, url("requests-resubmit", req_id)),
        "approve": (approver, url("decisions-approve", d.pk)),
        "reject": (approver, url("decisions-reject", d.pk)),
        "return_for_changes": (approver, url("decisions-return_for_changes", d.pk)),
        "bulk": (approver, url("inbox-bulk-approve")),
        "inbox": (approver, url("inbox-list")),  # no POST: 405
        "list": (approver, url("requests-list")),  # no POST: 405
    }
    for name, (c, path) in targets.items():
        for body in [*NOT_OBJECTS, *ODD.get(name, [])]:
            r = c.post(path, body, format="json")
            assert 400 <= r.status_code < 500, (path, repr(body)[:80], r.status_code)
            assert r["Content-Type"].startswith("application/json"), path
        # text that is not JSON, and JSON that is not UTF-8
        for raw in (b"{", b"\xff\xfe\x00", b'{"title": "x"' + b" " * 10, b"[" * 5000):
            r = c.generic("POST", path, raw, content_type="application/json")
            assert 400 <= r.status_code < 500, (path, raw[:10], r.status_code)
    d.refresh_from_db()
    assert d.status == DecisionStatus.PENDING  # nothing was decided…
    assert ApprovalRequest.objects.get(pk=req_id).status == "pending"  # …nor withdrawn
    assert ApprovalRequest.objects.count() == 1  # …nor submitted


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "x"},
        {"page_size": "-5"},
        {"overdue": "perhaps"},
        {"emergency": "\x00"},
        {"requester": "abc"},
        {"requester": "99999999999999999999999"},
        {"kind": "k" * 5000},
        {"ordering": "password"},
        {"after": "garbage"},
        {"q": "\x00"},
    ],
)
def test_inbox_query_parameters_are_4xx_or_ignored(h, params: dict[str, str]):
    r = api_client(h.user("chenzq")).get(url("inbox-list"), params)
    assert r.status_code in (200, 400, 404), (params, r.status_code)
    assert r["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("pk", ["abc", "0", "-1", "99999999999999999999999", "１２"])
def test_odd_ids_in_the_path_are_404(h, pk: str):
    c = api_client(h.user("chenzq"))
    base = url("decisions-list")
    assert c.get(f"{base}{pk}/").status_code == 404
    assert c.post(f"{base}{pk}/approve/", {}, format="json").status_code == 404
    assert c.get(f"{url('requests-list')}{pk}/").status_code == 404
