"""The example module's tests: the generated ones (netdept.testing.crud) and its state machine."""

from typing import Any

import pytest
from django.urls import reverse

from netdept.core import audit
from netdept.core.models.audit import AuditAction
from netdept.testing.crud import CrudTests, api_client, ui_client
from netdept.testing.example.models import SparePart
from netdept.testing.factories import DepartmentFactory, PersonFactory


class TestSparePartCrud(CrudTests):
    model = SparePart
    extra_perms = ["org.view_department", "org.view_person"]

    def make(self) -> Any:
        return SparePart.objects.create(name="光模块", department=DepartmentFactory())

    def valid_data(self) -> dict[str, Any]:
        department = DepartmentFactory()
        return {
            "name": "交换机电源",
            "quantity": 2,
            "department": department.pk,
            "holder": PersonFactory(department=department).pk,
            "note": "机房 A",
            "is_active": True,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "name": f"{obj.name}（新）",
            "quantity": obj.quantity + 1,
            "department": obj.department_id,
            "holder": None,
            "note": "",
            "is_active": False,
        }

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        if scope == "own":
            return SparePart.objects.create(name="网线", department=department, holder=user.person)
        if scope == "team":
            holder = PersonFactory(department=department, team=team)
            return SparePart.objects.create(name="网线", department=department, holder=holder)
        return SparePart.objects.create(name="网线", department=department)


@pytest.mark.django_db
def test_issue_give_back_and_scrap_through_the_machine() -> None:
    department = DepartmentFactory()
    part = SparePart.objects.create(name="光模块", department=department)
    holder = PersonFactory(department=department)
    user = TestSparePartCrud().user("view", "change")

    r = api_client(user).post(
        reverse("example-sparepart-issue", args=[part.pk]), {"holder": holder.pk}, format="json"
    )
    assert r.status_code == 200, r.json()
    part.refresh_from_db()
    assert (part.status, part.holder_id) == ("issued", holder.pk)
    assert "give_back" in r.json()["allowed_actions"]

    url = reverse("example:sparepart_transition", args=[part.pk, "give_back"])
    assert ui_client(user).post(url).status_code in (200, 302)
    part.refresh_from_db()
    assert (part.status, part.holder_id) == ("in_stock", None)

    r = api_client(user).post(
        reverse("example-sparepart-scrap", args=[part.pk]), {"reason": "x" * 201}, format="json"
    )
    assert r.status_code == 400 and "reason" in r.json()  # the field's limit, nothing saved
    part.refresh_from_db()
    assert part.status == "in_stock"
    assert audit.history(part).filter(action=AuditAction.UPDATE).count() == 2

    viewer = TestSparePartCrud().user("view")
    url = reverse("example-sparepart-scrap", args=[part.pk])
    assert api_client(viewer).post(url, {"reason": "坏"}, format="json").status_code == 403
