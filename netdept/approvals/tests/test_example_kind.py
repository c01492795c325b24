"""A module adds its approvals by declaration only: the example module of
docs/adding-a-module.md declares the kind "example.scrap" (nothing else of approvals is its
code), and a rule written as data decides who approves."""

from __future__ import annotations

import pytest

from netdept.approvals import services
from netdept.approvals.models import DecisionStatus, RequestStatus
from netdept.approvals.tests import hospital
from netdept.testing.example.machines import SPARE_PART_MACHINE
from netdept.testing.example.models import SparePart

pytestmark = pytest.mark.django_db


def test_scrapping_a_spare_part_waits_for_the_department_head():
    h = hospital.build()
    r = hospital.rule(kind="example.scrap", code="scrap", is_default=True)
    hospital.step(r, "科室负责人审批", "department_head")
    part = SparePart.objects.create(name="光模块", department=h.neike, holder=h["huangli"])
    SPARE_PART_MACHINE.execute("ask_to_scrap", None, part, {"reason": "接口损坏"})
    part.refresh_from_db()
    assert part.status == SparePart.Status.IN_STOCK  # nothing happens before the approval
    req = services.latest_for(part, "example.scrap")
    assert req is not None and req.requester == h["huangli"] and req.data["quantity"] == 1
    d = req.decisions.get(status=DecisionStatus.PENDING)
    assert d.approver == h["chenzq"]
    services.approve(h.user("chenzq"), d, "同意报废")
    req.refresh_from_db()
    part.refresh_from_db()
    assert req.status == RequestStatus.APPROVED
    assert part.status == SparePart.Status.SCRAPPED and "接口损坏" in part.note


def test_a_rejected_scrapping_leaves_the_part_alone():
    h = hospital.build()
    r = hospital.rule(kind="example.scrap", code="scrap", is_default=True)
    hospital.step(r, "科室负责人审批", "department_head")
    part = SparePart.objects.create(name="电源", department=h.neike, holder=h["huangli"])
    SPARE_PART_MACHINE.execute("ask_to_scrap", None, part, {"reason": "旧"})
    req = services.latest_for(part, "example.scrap")
    assert req is not None
    services.reject(h.user("chenzq"), req.decisions.get(), "还能用")
    part.refresh_from_db()
    assert part.status == SparePart.Status.IN_STOCK
