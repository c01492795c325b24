"""The pages where people approve, through HTTP: 待我审批 (only mine, filters, overdue, bulk
approval where the rule allows it), the decision page (approve, reject, return, the engine's
refusals on the page, who may see it), the request page (where it is, withdraw, submit again)
and the notifications' links (sign-in required, no decision by an anonymous link)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from netdept.approvals import links, services
from netdept.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    DecisionStatus,
    RequestStatus,
)
from netdept.approvals.tests import hospital
from netdept.org.models import Person
from netdept.testing.clients import denials, ui_client
from netdept.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def h() -> hospital.Hospital:
    return hospital.build()


def head_rule(code: str = "head", **kw: Any) -> Any:
    """One step: the requester's department head."""
    r = hospital.rule(code=code, **kw)
    hospital.step(r, "科室负责人审批", "department_head")
    return r


def submit(
    h: hospital.Hospital, who: str, r: Any, title: str = "申请", **kw: Any
) -> ApprovalRequest:
    return services.submit(h.user(who), kind="approvals.general", rule=r, title=title, **kw)


def pending(req: ApprovalRequest) -> ApprovalDecision:
    return req.decisions.get(status=DecisionStatus.PENDING)


def html(response: Any) -> str:
    return str(response.content.decode())


def decide_url(d: ApprovalDecision, name: str) -> str:
    return reverse("approvals:decision_do", args=[d.pk, name])


# --- 待我审批 ------------------------------------------------------------------------------------
def test_the_inbox_lists_only_my_pending_decisions_most_urgent_first(h):
    r = head_rule()
    late = submit(h, "huangli", r, "内科打印机采购")
    early = submit(h, "huangli", r, "内科交换机更换")
    ApprovalDecision.objects.filter(pk=pending(early).pk).update(
        due_at=timezone.now() + dt.timedelta(hours=1)
    )
    ApprovalDecision.objects.filter(pk=pending(late).pk).update(
        due_at=timezone.now() + dt.timedelta(hours=5)
    )
    director = hospital.rule(code="dir")
    hospital.step(director, "主任审批", "director")
    submit(h, "xuming", director, "外科服务器扩容")

    page = html(ui_client(h.user("chenzq")).get(reverse("approvals:inbox")))
    assert "内科打印机采购" in page and "内科交换机更换" in page
    assert "外科服务器扩容" not in page
    assert page.index("内科交换机更换") < page.index("内科打印机采购")
    assert "黄丽" in page and "科室负责人审批" in page

    other = html(ui_client(h.user("wangjg")).get(reverse("approvals:inbox")))
    assert "外科服务器扩容" in other and "内科打印机采购" not in other


def test_the_inbox_filters_by_kind_emergency_requester_and_overdue_and_marks_the_overdue(h):
    r = head_rule(emergency_allowed=True)
    slow = submit(h, "huangli", r, "超时的申请")
    ApprovalDecision.objects.filter(pk=pending(slow).pk).update(
        due_at=timezone.now() - dt.timedelta(hours=2)
    )
    submit(h, "huangli", r, "紧急的申请", emergency=True)
    c = ui_client(h.user("chenzq"))
    url = reverse("approvals:inbox")

    page = html(c.get(url))
    assert page.count('data-badge="overdue"') == 1
    assert page.count('data-badge="emergency"') == 1

    overdue = html(c.get(url, {"overdue": "true"}))
    assert "超时的申请" in overdue and "紧急的申请" not in overdue
    urgent = html(c.get(url, {"emergency": "true"}))
    assert "紧急的申请" in urgent and "超时的申请" not in urgent
    assert "超时的申请" in html(c.get(url, {"kind": "approvals.general"}))
    nurse = Person.objects.create(
        name="王芳", employee_no="H100", department=h.neike, user=UserFactory.create()
    )
    services.submit(nurse.user, kind="approvals.general", rule=r, title="王芳的申请")
    page = html(c.get(url))
    theirs = html(c.get(url, {"requester": nurse.pk}))
    assert "王芳的申请" in theirs and "超时的申请" not in theirs
    # the requester filter offers the requesters of my approvals, not everyone
    assert f'<option value="{h["huangli"].pk}"' in page
    assert f'<option value="{nurse.pk}"' in page
    assert f'<option value="{h["xuming"].pk}"' not in page
    assert "超时的申请" not in html(c.get(url, {"q": "紧急"}))


def test_bulk_approve_takes_only_rules_that_allow_it(h):
    bulk = head_rule("bulk", allow_bulk=True)
    single = head_rule("single")
    a = submit(h, "huangli", bulk, "可批量一")
    b = submit(h, "huangli", bulk, "可批量二")
    c_req = submit(h, "huangli", single, "须逐条审批")
    c = ui_client(h.user("chenzq"))

    page = html(c.get(reverse("approvals:inbox")))
    assert f'id="ap-tick-{pending(a).pk}"' in page and f'id="ap-tick-{pending(b).pk}"' in page
    assert f'id="ap-tick-{pending(c_req).pk}"' not in page

    refused = c.post(
        reverse("approvals:inbox_bulk_approve"),
        {"ids": [pending(a).pk, pending(c_req).pk], "comment": "同意"},
        follow=True,
    )
    assert "须逐条审批" in html(refused)
    a.refresh_from_db()
    c_req.refresh_from_db()
    assert a.status == c_req.status == RequestStatus.PENDING  # nothing decided

    ids = [pending(a).pk, pending(b).pk]
    done = c.post(reverse("approvals:inbox_bulk_approve"), {"ids": ids, "comment": "同意"})
    assert done.status_code == 302
    for req in (a, b):
        req.refresh_from_db()
        assert req.status == RequestStatus.APPROVED
    assert (
        ApprovalDecision.objects.filter(
            pk__in=ids, comment="同意", decided_by=h.user("chenzq")
        ).count()
        == 2
    )


def test_bulk_approve_never_takes_someone_elses_decision(h):
    r = head_rule("bulk", allow_bulk=True)
    req = submit(h, "huangli", r)
    d = pending(req)
    r = ui_client(h.user("wangjg")).post(
        reverse("approvals:inbox_bulk_approve"),
        {"ids": [d.pk, "9" * 40, "x"], "next_query": "kind=approvals.general\r\nX: y"},
    )
    assert r.status_code == 302 and "\n" not in r["Location"]
    d.refresh_from_db()
    assert d.status == DecisionStatus.PENDING


def test_the_inbox_makes_the_same_number_of_queries_for_3_and_20_rows(h):
    r = head_rule()
    c = ui_client(h.user("chenzq"))
    url = reverse("approvals:inbox")
    c.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url, {"per_page": 50}).status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        submit(h, "huangli", r, f"申请{i}")
    few = count()
    for i in range(17):
        submit(h, "xuming" if i % 2 else "huangli", r, f"更多{i}")
    assert count() == few


# --- the decision page ------------------------------------------------------------------------
def test_approve_from_the_decision_page(h):
    req = submit(h, "huangli", head_rule(), "内科打印机采购", data={"amount": 3200})
    d = pending(req)
    c = ui_client(h.user("chenzq"))
    page = html(c.get(links.decision_url(d)))
    assert "内科打印机采购" in page and "黄丽" in page and "内科" in page
    assert 'id="ap-form-approve"' in page and 'id="ap-form-reject"' in page
    assert 'id="ap-form-return_for_changes"' in page
    assert 'name="otp_code"' not in page  # the step does not ask for the second factor
    assert "3200" in page

    r = c.post(decide_url(d, "approve"), {"comment": "同意采购", "expected_version": d.version})
    assert r.status_code == 302 and r["Location"] == links.decision_url(d)
    d.refresh_from_db()
    req.refresh_from_db()
    assert d.status == DecisionStatus.APPROVED and d.comment == "同意采购"
    assert req.status == RequestStatus.APPROVED
    after = c.get(r["Location"])
    assert len(list(after.context["messages"])) == 1
    assert 'id="ap-form-approve"' not in html(after)


def test_reject_needs_a_reason_and_return_sends_it_back(h):
    req = submit(h, "huangli", head_rule())
    d = pending(req)
    c = ui_client(h.user("chenzq"))

    r = c.post(decide_url(d, "reject"), {"comment": "", "expected_version": d.version})
    assert r.status_code == 422
    assert 'data-field="comment"' in html(r)
    d.refresh_from_db()
    assert d.status == DecisionStatus.PENDING

    r = c.post(decide_url(d, "return_for_changes"),
               {"comment": "请补充预算", "expected_version": d.version})  # fmt: skip
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.RETURNED


def test_the_forms_answer_htmx_in_place(h):
    req = submit(h, "huangli", head_rule())
    d = pending(req)
    hx = {"HTTP_HX_REQUEST": "true"}
    c = ui_client(h.user("chenzq"))
    r = c.post(decide_url(d, "reject"), {"comment": ""}, **hx)
    assert r.status_code == 200 and 'id="ap-form-reject"' in html(r)
    assert 'data-field="comment"' in html(r) and "<html" not in html(r)
    r = ui_client(h.user("huangli")).post(decide_url(d, "approve"), {}, **hx)
    assert r.status_code == 200 and "ap-conflict" in html(r)
    r = c.post(decide_url(d, "approve"), {"comment": "同意"}, **hx)
    assert r.status_code == 204 and r["HX-Redirect"] == links.decision_url(d)
    d.refresh_from_db()
    assert d.status == DecisionStatus.APPROVED


def test_reject_from_the_decision_page(h):
    req = submit(h, "huangli", head_rule())
    d = pending(req)
    r = ui_client(h.user("chenzq")).post(
        decide_url(d, "reject"), {"comment": "预算不足", "expected_version": d.version}
    )
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.REJECTED


def test_the_second_factor_field_shows_only_where_the_step_asks_for_it(h):
    r = hospital.rule(code="2fa")
    hospital.step(r, "高风险审批", "department_head", require_2fa=True)
    d = pending(submit(h, "huangli", r))
    c = ui_client(h.user("chenzq"))
    assert 'name="otp_code"' in html(c.get(links.decision_url(d)))
    refused = c.post(decide_url(d, "approve"), {"expected_version": d.version})
    assert refused.status_code == 422 and 'data-field="otp_code"' in html(refused)
    d.refresh_from_db()
    assert d.status == DecisionStatus.PENDING


def test_a_decision_already_taken_names_who_was_first(h):
    members = [h["zhangwei"], h["lina"]]
    r = hospital.rule(code="any")
    com = hospital.committee("网络管理委员会", members, "any")
    hospital.step(r, "委员会审批", "committee", committee=com)
    req = submit(h, "huangli", r)
    first = req.decisions.get(approver=h["zhangwei"])
    second = req.decisions.get(approver=h["lina"])
    seen = second.version
    ui_client(h.user("zhangwei")).post(decide_url(first, "approve"),
                                       {"expected_version": first.version})  # fmt: skip
    r2 = ui_client(h.user("lina")).post(decide_url(second, "approve"), {"expected_version": seen})
    assert r2.status_code == 409
    assert "张伟" in html(r2)
    second.refresh_from_db()
    assert second.status == DecisionStatus.NOT_NEEDED
    page = html(ui_client(h.user("lina")).get(links.decision_url(second)))
    assert 'id="ap-not-pending"' in page and "张伟" in page


def test_a_withdrawn_request_cannot_be_decided_and_the_page_says_why(h):
    req = submit(h, "huangli", head_rule())
    d = pending(req)
    services.withdraw(h.user("huangli"), req, "不需要了")
    r = ui_client(h.user("chenzq")).post(decide_url(d, "approve"), {})
    assert r.status_code == 409
    assert r.context["conflict"]
    d.refresh_from_db()
    assert d.status == DecisionStatus.NOT_NEEDED


def test_someone_who_may_see_but_not_decide_is_told_so_on_the_page(h):
    req = submit(h, "huangli", head_rule())
    d = pending(req)
    c = ui_client(h.user("huangli"))  # the requester sees the decision page…
    page = html(c.get(links.decision_url(d)))
    assert 'id="ap-form-approve"' not in page
    r = c.post(decide_url(d, "approve"), {"comment": "自己批"})  # …and cannot decide
    assert r.status_code == 403
    assert r.context["refused"]
    assert 'id="ap-refused"' in html(r)
    d.refresh_from_db()
    assert d.status == DecisionStatus.PENDING
    # the director sees every decision, and may not take one that is not theirs either
    r = ui_client(h.user("wangjg")).post(decide_url(d, "approve"), {"expected_version": d.version})
    assert r.status_code == 403 and r.context["refused"]
    d.refresh_from_db()
    assert d.status == DecisionStatus.PENDING


def test_who_may_open_a_decision(h):
    req = submit(h, "huangli", head_rule())
    d = pending(req)
    url = links.decision_url(d)
    for key in ("chenzq", "huangli", "wangjg"):  # approver, requester, the director (view: all)
        assert ui_client(h.user(key)).get(url).status_code == 200, key
    # people whose view permission does not reach the requester (外科, an engineer's team): 404
    assert ui_client(h.user("xuming")).get(url).status_code == 404
    assert ui_client(h.user("zhangwei")).get(url).status_code == 404
    # an account without the permission at all: 403, audited
    nobody = UserFactory.create(username="nobody")
    assert ui_client(nobody).get(url).status_code == 403
    assert denials(nobody).exists()
    assert ui_client(nobody).post(decide_url(d, "approve"), {}).status_code == 403
    d.refresh_from_db()
    assert d.status == DecisionStatus.PENDING


def test_the_delegate_is_shown_as_acting_for_the_person(h):
    now = timezone.now()
    services.DelegationService().create(
        None,
        {"delegator": h["chenzq"], "delegate": h["liuqiang"],
         "starts_at": now - dt.timedelta(hours=1), "ends_at": now + dt.timedelta(days=1)},
        check=False,
    )  # fmt: skip
    d = pending(submit(h, "huangli", head_rule()))
    assert d.approver == h["liuqiang"] and d.on_behalf_of == h["chenzq"]
    c = ui_client(h.user("liuqiang"))
    assert 'data-on-behalf-of="陈志强"' in html(c.get(reverse("approvals:inbox")))
    page = html(c.get(links.decision_url(d)))
    assert "刘强" in page and "陈志强" in page
    assert ui_client(h.user("chenzq")).get(links.decision_url(d)).status_code == 200


def test_the_decision_and_request_pages_make_a_bounded_number_of_queries(h):
    """A longer chain, or a committee of more members, costs no more queries."""

    def counts(n_steps: int, members: list[str], code: str) -> tuple[int, int]:
        r = hospital.rule(code=code)
        com = hospital.committee(f"委员会{code}", [h[k] for k in members], "all")
        hospital.step(r, "委员会审批", "committee", committee=com)
        for i in range(n_steps):
            hospital.step(r, f"主任审批{i}", "director", order=20 + i)
        req = submit(h, "huangli", r)
        d = req.decisions.get(approver=h["zhangwei"])
        c = ui_client(h.user("zhangwei"))
        c.get(links.decision_url(d))
        out = []
        for url in (links.decision_url(d), links.request_url(req)):
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url).status_code == 200
            out.append(len(ctx.captured_queries))
        return out[0], out[1]

    small = counts(1, ["zhangwei", "lina"], "s")
    big = counts(6, ["zhangwei", "lina", "liuqiang", "wangjg", "xuming"], "b")
    assert small == big


# --- the notifications' links -------------------------------------------------------------------
def test_an_anonymous_link_asks_to_sign_in_and_decides_nothing(h):
    req = submit(h, "huangli", head_rule())
    d = pending(req)
    anonymous = Client()
    for url in (links.decision_url(d), links.request_url(req), links.inbox_url()):
        r = anonymous.get(url)
        assert r.status_code == 302 and reverse("login") in r["Location"], url
    r = anonymous.post(decide_url(d, "approve"), {"expected_version": d.version})
    assert r.status_code == 302 and reverse("login") in r["Location"]
    r = anonymous.post(reverse("approvals:inbox_bulk_approve"), {"ids": [d.pk]})
    assert r.status_code == 302 and reverse("login") in r["Location"]
    d.refresh_from_db()
    assert d.status == DecisionStatus.PENDING


def test_the_links_open_the_pages_where_people_approve(h):
    req = submit(h, "huangli", head_rule())
    d = pending(req)
    assert links.decision_url(d) == reverse("approvals:decisions_detail", args=[d.pk])
    assert links.request_url(req) == reverse("approvals:requests_detail", args=[req.pk])
    assert links.inbox_url() == reverse("approvals:inbox")


# --- the request page ---------------------------------------------------------------------------
def test_the_request_page_says_where_it_is_and_who_holds_it(h):
    r = hospital.rule(code="two")
    hospital.step(r, "科室负责人审批", "department_head", order=10)
    hospital.step(r, "主任审批", "director", order=20)
    req = submit(h, "huangli", r, "内科新增信息点")
    c = ui_client(h.user("huangli"))
    page = html(c.get(links.request_url(req)))
    assert 'id="ap-holders"' in page and "陈志强" in page
    assert "科室负责人审批" in page and "主任审批" in page
    assert 'id="ap-form-withdraw"' in page and 'id="ap-form-resubmit"' not in page
    services.approve(h.user("chenzq"), pending(req), "同意")
    page = html(c.get(links.request_url(req)))
    assert "王建国" in page.split('id="ap-holders"')[1].split("</p>")[0]
    # an approver of it sees it; a stranger does not
    assert ui_client(h.user("chenzq")).get(links.request_url(req)).status_code == 200
    assert ui_client(h.user("xuming")).get(links.request_url(req)).status_code == 404


def test_withdraw_and_submit_again_from_the_request_page(h):
    req = submit(h, "huangli", head_rule())
    services.return_for_changes(h.user("chenzq"), pending(req), "请补充说明")
    req.refresh_from_db()
    c = ui_client(h.user("huangli"))
    page = html(c.get(links.request_url(req)))
    assert 'id="ap-form-resubmit"' in page and "请补充说明" in page
    url = reverse("approvals:request_do", args=[req.pk, "resubmit"])
    assert c.post(url, {"expected_version": req.version}).status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.PENDING and pending(req).approver == h["chenzq"]

    stale = req.version
    url = reverse("approvals:request_do", args=[req.pk, "withdraw"])
    assert c.post(url, {"reason": "不需要了", "expected_version": stale}).status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.WITHDRAWN
    again = c.post(url, {"reason": "再撤", "expected_version": req.version})
    assert again.status_code in (409, 422)
    # the approver may not withdraw it
    other = submit(h, "huangli", head_rule("h2"))
    r = ui_client(h.user("chenzq")).post(
        reverse("approvals:request_do", args=[other.pk, "withdraw"]), {"reason": "x"}
    )
    assert r.status_code == 403 and r.context["refused"]
    other.refresh_from_db()
    assert other.status == RequestStatus.PENDING


def test_my_requests_lists_mine_with_who_holds_them(h):
    r = head_rule()
    submit(h, "huangli", r, "黄丽的申请")
    page = html(ui_client(h.user("huangli")).get(reverse("approvals:mine")))
    assert "黄丽的申请" in page and "陈志强" in page
    assert "黄丽的申请" not in html(ui_client(h.user("lina")).get(reverse("approvals:mine")))


# --- one language -------------------------------------------------------------------------------
def test_the_pages_speak_one_language(h):
    from netdept.accounts.models import UserProfile
    from netdept.testing.language import LanguageChecker, database_words

    now = timezone.now()
    services.DelegationService().create(
        None,
        {"delegator": h["chenzq"], "delegate": h["liuqiang"],
         "starts_at": now - dt.timedelta(hours=1), "ends_at": now + dt.timedelta(days=1)},
        check=False,
    )  # fmt: skip
    r = hospital.rule(code="lang", allow_bulk=True, emergency_allowed=True)
    hospital.step(r, "科室负责人审批", "department_head", require_2fa=True)
    hospital.step(r, "主任审批", "director", order=20)
    req = submit(
        h, "huangli", r, "内科打印机采购", emergency=True, data={"amount": 3200, "risk": "high"}
    )
    d = pending(req)
    ApprovalDecision.objects.filter(pk=d.pk).update(due_at=now - dt.timedelta(hours=1))
    returned = submit(h, "huangli", head_rule("plain", allow_bulk=True), "内科网线")
    services.return_for_changes(h.user("chenzq"), pending(returned), "请补充位置")
    urls = {
        "liuqiang": [
            reverse("approvals:inbox"),
            reverse("approvals:inbox") + "?overdue=true&emergency=true",
            links.decision_url(d),
            decide_url(d, "reject"),
            reverse("home"),
        ],
        "huangli": [
            reverse("approvals:mine"),
            reverse("approvals:mine") + "?state=all",
            links.request_url(req),
            links.request_url(returned),
            links.decision_url(pending(req)),
        ],
        "chenzq": [links.decision_url(returned.decisions.get())],
    }
    checker = LanguageChecker(data_words=lambda refresh: database_words(refresh))
    for lang in ("zh-hans", "en"):
        for key, pages in urls.items():
            user = h.user(key)
            UserProfile.objects.update_or_create(user=user, defaults={"language": lang})
            c = ui_client(user)
            for url in pages:
                resp = c.get(url)
                assert resp.status_code == 200, url
                checker.check_html(url, html(resp), resp.get("Content-Language", ""),
                                   url.partition("?")[2])  # fmt: skip
    assert not checker.findings, "\n".join(str(f) for f in checker.findings)


def test_a_long_list_of_requesters_is_left_out_and_the_card_filters_instead(h):
    from netdept.approvals.views_inbox import PEOPLE_CHOICE_CAP

    rule = head_rule()
    people = [
        Person.objects.create(
            name=f"护士{i:02d}", employee_no=f"NK{i:03d}", department=h.neike, user=UserFactory()
        )
        for i in range(PEOPLE_CHOICE_CAP + 1)
    ]
    for p in people:
        services.submit(p.user, kind="approvals.general", rule=rule, title=f"{p.name}的申请")
    c = ui_client(h.user("chenzq"))
    page = html(c.get(reverse("approvals:inbox")))
    assert 'name="requester"' not in page  # too many to offer
    assert f'href="?requester={people[3].pk}"' in page  # each card's name filters instead
    only = html(c.get(reverse("approvals:inbox") + f"?requester={people[3].pk}"))
    assert only.count("data-decision=") == 1 and "护士03的申请" in only
