"""Approvals through the REST API, with the pages' permissions: another system submits a
request and polls it; the approver decides with their own token; the people a request concerns
read it, a stranger does not; refusals say why (not yours 403, already decided or withdrawn
409 naming who was first, the second factor 400 naming ``otp_code``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from netdept.approvals import services
from netdept.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    DecisionStatus,
    RequestStatus,
)
from netdept.approvals.tests import hospital
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.testing.clients import api_client
from netdept.testing.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def h() -> hospital.Hospital:
    h = hospital.build()
    r = hospital.rule(code="general", name="一般申请", is_default=True)
    hospital.step(r, "科室负责人审批", "department_head")
    return h


def url(name: str, *args: Any) -> str:
    return reverse(f"approvals-{name}", args=args)


def client(h: hospital.Hospital, key: str) -> Any:
    return api_client(h.user(key))


def submit(c: Any, **body: Any) -> Any:
    return c.post(url("requests-submit"), body, format="json")


def pending_decision(req_id: int) -> ApprovalDecision:
    return ApprovalDecision.objects.get(request_id=req_id, status=DecisionStatus.PENDING)


# --- submit, poll, decide ------------------------------------------------------------------------
def test_another_system_submits_polls_and_the_approver_decides_with_their_token(h):
    requester = client(h, "huangli")
    r = submit(requester, title="采购交换机", data={"amount": 3000, "risk": "low"})
    assert r.status_code == 201, r.json()
    body = r.json()
    req_id = body["id"]
    assert r["Location"] == url("requests-detail", req_id)
    assert body["status"] == "pending" and body["kind"] == "approvals.general"
    assert body["rule_code"] == "general" and body["requester"]["name"] == "黄丽"
    assert body["submitted_by"] == "huangli" and body["data"] == {"amount": 3000, "risk": "low"}
    assert body["current_step"] == "科室负责人审批"
    assert [x["name"] for x in body["holders"]] == ["陈志强"]
    (step,) = body["steps"]
    assert step["status"] == "pending" and step["decisions"][0]["holder"] == "陈志强"
    assert body["allowed_actions"] == ["withdraw"]

    # The approver's inbox, then the decision (200 with the decision and the outcome).
    approver = client(h, "chenzq")
    inbox = approver.get(url("inbox-list")).json()
    assert inbox["count"] == 1
    row = inbox["results"][0]
    assert row["request"]["id"] == req_id and row["request"]["title"] == "采购交换机"
    assert row["allow_bulk"] is False and row["step_name"] == "科室负责人审批"
    r = approver.post(url("decisions-approve", row["id"]), {"comment": "同意"}, format="json")
    assert r.status_code == 200, r.json()
    d = r.json()
    assert d["status"] == "approved" and d["request_status"] == "approved"
    assert d["decided_by"] == "陈志强" and d["comment"] == "同意" and d["decided_at"]
    assert d["allowed_actions"] == []

    # Polling shows the outcome, who decided and when.
    r = requester.get(url("requests-detail", req_id))
    assert r.status_code == 200
    polled = r.json()
    assert polled["status"] == "approved" and polled["decided_at"]
    assert polled["holders"] == [] and polled["allowed_actions"] == []
    decision = polled["steps"][0]["decisions"][0]
    assert decision["decided_by"] == "陈志强" and decision["comment"] == "同意"
    assert approver.get(url("inbox-list")).json()["count"] == 0
    rec = AuditRecord.objects.filter(object_type="approvals.approvaldecision").latest("seq")
    assert rec.extra["approval"] == "approve" and rec.extra.get("via") == "api"


def test_reject_needs_a_reason_and_return_for_changes_then_resubmit(h):
    req = client(h, "huangli")
    req_id = submit(req, title="借用投影仪").json()["id"]
    approver = client(h, "chenzq")
    d = pending_decision(req_id)
    r = approver.post(url("decisions-reject", d.pk), {}, format="json")
    assert r.status_code == 400 and "comment" in r.json()
    r = approver.post(url("decisions-return_for_changes", d.pk), {"comment": "写明用途"},
                      format="json")  # fmt: skip
    assert r.status_code == 200 and r.json()["request_status"] == "returned"
    detail = req.get(url("requests-detail", req_id)).json()
    assert detail["allowed_actions"] == ["withdraw", "resubmit"]
    r = req.post(url("requests-resubmit", req_id), {}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "pending" and [x["name"] for x in r.json()["holders"]] == [
        "陈志强"
    ]


def test_mine_lists_the_callers_own_requests(h):
    mine = client(h, "huangli")
    submit(mine, title="申请一")
    submit(client(h, "xuming"), title="别人的申请")
    r = mine.get(url("requests-mine"), {"status": "pending"})
    assert r.status_code == 200
    assert [row["title"] for row in r.json()["results"]] == ["申请一"]


# --- who reads what ------------------------------------------------------------------------------
def test_the_pages_rule_a_stranger_is_refused_the_concerned_read(h):
    """A named approver of another department reads and decides the request although their
    scope does not reach it; someone of that department with the view permission gets 404, a
    user without any permission on requests 403 (audited)."""
    r = hospital.rule(code="named", name="指定人员审批")
    hospital.step(r, "徐明审批", "person", person=h["xuming"])
    req_id = submit(client(h, "huangli"), title="跨科室申请", rule="named").json()["id"]
    d = pending_decision(req_id)
    assert d.approver == h["xuming"]

    approver = client(h, "xuming")  # 外科, scope: their own department
    assert approver.get(url("requests-detail", req_id)).status_code == 200
    assert approver.get(url("decisions-detail", d.pk)).status_code == 200
    step_id = d.step_id
    assert approver.get(url("request-steps-detail", step_id)).status_code == 200
    # …but the list (scoped like the page's) does not show another department's rows
    listed = approver.get(url("requests-list")).json()["results"]
    assert req_id not in {row["id"] for row in listed}

    stranger = api_client(user_with_role("requester", department=h.waike))
    assert stranger.get(url("requests-detail", req_id)).status_code == 404
    assert stranger.get(url("decisions-detail", d.pk)).status_code == 404
    assert stranger.post(url("decisions-approve", d.pk), {}, format="json").status_code == 404

    nobody_user = user_with_role("sysadmin")
    nobody = api_client(nobody_user)
    assert nobody.get(url("requests-detail", req_id)).status_code == 403
    assert nobody.get(url("requests-detail", 999_999)).status_code == 403  # no oracle
    assert "approvals." not in nobody.get(url("requests-detail", req_id)).json()["detail"]
    assert nobody.get(url("requests-list")).status_code == 403
    assert nobody.post(url("decisions-approve", d.pk), {}, format="json").status_code == 403
    assert AuditRecord.objects.filter(action=AuditAction.DENIED, actor=nobody_user).exists()

    r = approver.post(url("decisions-approve", d.pk), {"comment": "可以"}, format="json")
    assert r.status_code == 200 and r.json()["request_status"] == "approved"


def test_holders_of_the_view_permission_read_within_their_scope(h):
    req_id = submit(client(h, "huangli"), title="本科室申请").json()["id"]
    colleague = api_client(user_with_role("requester", department=h.neike))
    assert colleague.get(url("requests-detail", req_id)).status_code == 200
    auditor = client(h, "fengli")
    r = auditor.get(url("requests-detail", req_id))
    assert r.status_code == 200 and r.json()["allowed_actions"] == []
    assert auditor.get(url("requests-detail", 999_999)).status_code == 404


def test_a_decision_not_yours_is_403_naming_why(h):
    req_id = submit(client(h, "huangli"), title="申请").json()["id"]
    d = pending_decision(req_id)
    for key in ("wangjg", "huangli"):  # the director sees it; the requester sees their own
        r = client(h, key).post(url("decisions-approve", d.pk), {}, format="json")
        assert r.status_code == 403
        with translation.override("zh-hans"):
            assert r.json()["detail"] == _("This approval is not yours to decide.")
    assert pending_decision(req_id).pk == d.pk
    r = client(h, "xuming").post(url("requests-withdraw", req_id), {}, format="json")
    assert r.status_code == 404  # out of their scope, not concerned


def test_already_decided_is_409_naming_who_was_first(h):
    board = hospital.committee("网络管理委员会", [h["chenzq"], h["xuming"]], "any")
    r = hospital.rule(code="board", name="委员会审批")
    hospital.step(r, "委员会审批", "committee", committee=board)
    req_id = submit(client(h, "huangli"), title="规划", rule="board").json()["id"]
    mine = ApprovalDecision.objects.get(request_id=req_id, approver=h["chenzq"])
    late = ApprovalDecision.objects.get(request_id=req_id, approver=h["xuming"])
    ok = client(h, "chenzq").post(url("decisions-approve", mine.pk), {}, format="json")
    assert ok.status_code == 200
    r = client(h, "xuming").post(url("decisions-approve", late.pk), {}, format="json")
    assert r.status_code == 409
    assert r.json()["code"] == "conflict" and "陈志强" in r.json()["detail"]
    again = client(h, "chenzq").post(url("decisions-reject", mine.pk), {"comment": "x"},
                                     format="json")  # fmt: skip
    assert again.status_code == 409
    stale = client(h, "xuming").get(url("decisions-detail", late.pk)).json()
    assert stale["status"] == "not_needed" and stale["allowed_actions"] == []


def test_a_withdrawn_request_cannot_be_decided_nor_withdrawn_again(h):
    requester = client(h, "huangli")
    req_id = submit(requester, title="申请").json()["id"]
    d = pending_decision(req_id)
    r = requester.post(url("requests-withdraw", req_id), {"reason": "不需要了"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    r = client(h, "chenzq").post(url("decisions-approve", d.pk), {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    r = requester.post(url("requests-withdraw", req_id), {}, format="json")
    assert r.status_code == 400 and "status" in r.json()
    r = requester.post(url("requests-withdraw", req_id), {"expected_version": 1}, format="json")
    assert r.status_code == 409


def test_a_step_that_needs_the_second_factor_names_otp_code(h):
    r = hospital.rule(code="risky", name="高风险")
    hospital.step(r, "科室负责人审批", "department_head", require_2fa=True)
    req_id = submit(client(h, "huangli"), title="核心交换机变更", rule="risky").json()["id"]
    d = pending_decision(req_id)
    approver = client(h, "chenzq")
    assert approver.get(url("decisions-detail", d.pk)).json()["require_2fa"] is True
    r = approver.post(url("decisions-approve", d.pk), {"comment": "同意"}, format="json")
    assert r.status_code == 400 and "otp_code" in r.json()
    device = TOTPDevice.objects.create(user=h.user("chenzq"), name="TOTP", confirmed=True)
    r = approver.post(url("decisions-approve", d.pk), {"otp_code": "000000"}, format="json")
    assert r.status_code == 400 and "otp_code" in r.json()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down the next try after a wrong code
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    r = approver.post(url("decisions-approve", d.pk), {"otp_code": code}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["request_status"] == "approved"


# --- submitting for someone else ---------------------------------------------------------------
def test_submitting_for_someone_else_needs_the_add_permission_in_scope(h):
    r = submit(client(h, "huangli"), title="代人申请", requester=h["xuming"].employee_no)
    assert r.status_code == 403
    denied = AuditRecord.objects.filter(action=AuditAction.DENIED, actor=h.user("huangli"))
    assert denied.filter(extra__permission="approvals.add_approvalrequest").exists()
    # naming oneself needs nothing
    r = submit(client(h, "huangli"), title="本人申请", requester=h["huangli"].employee_no)
    assert r.status_code == 201

    director = client(h, "wangjg")
    r = director.post(url("requests-submit"), {"title": "代黄丽申请",
                      "requester": h["huangli"].employee_no}, format="json")  # fmt: skip
    assert r.status_code == 201, r.json()
    assert r.json()["requester"]["name"] == "黄丽" and r.json()["submitted_by"] == "wangjg"
    r = submit(director, title="x", requester="NOPE-1")
    assert r.status_code == 400 and "requester" in r.json()
    # a team lead (team scope) may not submit for someone outside their teams: refused like an
    # unknown number
    r = submit(client(h, "liuqiang"), title="x", requester=h["huangli"].employee_no)
    assert r.status_code == 400 and "requester" in r.json()
    r = submit(client(h, "liuqiang"), title="代组员申请", requester=h["lina"].employee_no)
    assert r.status_code == 201


# --- inbox and bulk approve ----------------------------------------------------------------------
def test_inbox_filters_paginates_and_bulk_approves_where_the_rule_allows(h):
    bulk = hospital.rule(code="bulk", name="可批量", allow_bulk=True)
    hospital.step(bulk, "科室负责人审批", "department_head")
    requester = client(h, "huangli")
    ids = [submit(requester, title=f"批量{i}", rule="bulk").json()["id"] for i in range(3)]
    single = submit(requester, title="逐个审批").json()["id"]
    approver = client(h, "chenzq")
    page = approver.get(url("inbox-list"), {"page_size": 2}).json()
    assert page["count"] == 4 and len(page["results"]) == 2 and page["next"]
    found = approver.get(url("inbox-list"), {"q": "逐个"}).json()["results"]
    assert [row["request"]["id"] for row in found] == [single]
    assert approver.get(url("inbox-list"), {"overdue": "true"}).json()["count"] == 0
    r = approver.get(url("inbox-list"), {"kind": "nope"})
    assert r.status_code == 400 and "kind" in r.json()

    bulk_ids = [pending_decision(i).pk for i in ids]
    one_by_one = pending_decision(single).pk
    r = approver.post(url("inbox-bulk-approve"), {"ids": [*bulk_ids, one_by_one]}, format="json")
    assert r.status_code == 400
    assert "一般申请" in str(r.json()["ids"]) and "逐个审批" in str(r.json()["ids"])
    assert ApprovalDecision.objects.filter(pk__in=bulk_ids, status="pending").count() == 3
    r = approver.post(url("inbox-bulk-approve"), {"ids": bulk_ids, "comment": "同意"},
                      format="json")  # fmt: skip
    assert r.status_code == 200 and r.json()["count"] == 3
    assert set(ApprovalRequest.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        RequestStatus.APPROVED
    }
    # decided already, or someone else's: not among the caller's pending approvals
    r = approver.post(url("inbox-bulk-approve"), {"ids": bulk_ids[:1]}, format="json")
    assert r.status_code == 404 and r.json()["ids"] == bulk_ids[:1]
    r = client(h, "xuming").post(url("inbox-bulk-approve"), {"ids": [one_by_one]}, format="json")
    assert r.status_code == 404


def test_inbox_queries_do_not_grow_with_its_rows(h):
    approver = client(h, "chenzq")
    requester = client(h, "huangli")
    submit(requester, title="一")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert approver.get(url("inbox-list")).status_code == 200
        return len(ctx.captured_queries)

    count()  # the token's first use is recorded once
    few = count()
    for i in range(5):
        submit(requester, title=f"更多{i}")
    assert count() == few


def test_list_answers_read_a_constant_number_of_queries(h):
    auditor = client(h, "fengli")
    requester = client(h, "huangli")
    submit(requester, title="一")

    def count(name: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert auditor.get(url(name), {"page_size": 100}).status_code == 200
        return len(ctx.captured_queries)

    count("requests-list")  # the token's first use is recorded once
    before = {n: count(n) for n in ("requests-list", "decisions-list", "request-steps-list")}
    for i in range(4):
        req_id = submit(requester, title=f"更多{i}").json()["id"]
        services.approve(h.user("chenzq"), pending_decision(req_id), "同意")
    after = {n: count(n) for n in before}
    assert after == before


def test_the_schema_lists_the_approvals_endpoints(h):
    r = client(h, "wangjg").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for name in ("requests-submit", "requests-mine", "inbox-list", "inbox-bulk-approve"):
        assert url(name) in paths, name
    assert url("decisions-approve", 1).replace("/1/", "/{id}/") in paths
    submit_op = paths[url("requests-submit")]["post"]
    assert {"201", "400", "403"} <= set(submit_op["responses"])
