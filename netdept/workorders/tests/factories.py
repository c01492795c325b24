"""Factories for work-order tests (shared by every work-order test module).

``WorkOrderFactory`` writes the row directly (fast, no SLA events, no audit); use
``netdept.workorders.services.open_order`` when the test is about opening an order.
"""

from __future__ import annotations

from typing import Any

import factory

from netdept.testing.factories import DepartmentFactory, PersonFactory, TeamFactory
from netdept.workorders.models import (
    Attachment,
    Category,
    Comment,
    EscalationRule,
    PriorityRule,
    SlaPolicy,
    WorkOrder,
    WorkRecord,
)


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"类别{n}")
    default_team = factory.SubFactory(TeamFactory)


class PriorityRuleFactory(factory.django.DjangoModelFactory[PriorityRule]):
    class Meta:
        model = PriorityRule
        django_get_or_create = ("impact", "urgency")

    impact = 2
    urgency = 2
    priority = 3


class SlaPolicyFactory(factory.django.DjangoModelFactory[SlaPolicy]):
    class Meta:
        model = SlaPolicy

    name = factory.Sequence(lambda n: f"SLA {n}")
    priority = 3
    response_minutes = 240
    resolution_minutes = 1440


class EscalationRuleFactory(factory.django.DjangoModelFactory[EscalationRule]):
    class Meta:
        model = EscalationRule
        django_get_or_create = ("percent", "target")

    percent = 75
    target = EscalationRule.Target.ASSIGNEE


class WorkOrderFactory(factory.django.DjangoModelFactory[WorkOrder]):
    """A new order of a requester in ``requester_department``, taken by ``team``."""

    class Meta:
        model = WorkOrder

    number = factory.Sequence(lambda n: f"WO-T-{n:07d}")
    title = factory.Sequence(lambda n: f"网络故障{n}")
    description = "办公室无法上网。"
    category = factory.SubFactory(CategoryFactory)
    team = factory.LazyAttribute(lambda o: o.category.default_team if o.category else None)
    requester = factory.SubFactory(PersonFactory)
    requester_department = factory.LazyAttribute(
        lambda o: o.requester.department if o.requester else None
    )
    location = "门诊楼 3 层"


class CommentFactory(factory.django.DjangoModelFactory[Comment]):
    class Meta:
        model = Comment

    order = factory.SubFactory(WorkOrderFactory)
    body = factory.Sequence(lambda n: f"评论{n}")
    internal = False


class WorkRecordFactory(factory.django.DjangoModelFactory[WorkRecord]):
    class Meta:
        model = WorkRecord

    order = factory.SubFactory(WorkOrderFactory)
    person = factory.SubFactory(PersonFactory)
    description = "更换了网线。"
    minutes = 30
    performed_at = factory.Faker("date_time", tzinfo=__import__("datetime").UTC)


class AttachmentFactory(factory.django.DjangoModelFactory[Attachment]):
    class Meta:
        model = Attachment

    order = factory.SubFactory(WorkOrderFactory)
    token = factory.Sequence(lambda n: f"tok{n:010d}")
    file = factory.django.FileField(filename="note.txt", data=b"hello")
    name = "note.txt"
    content_type = "text/plain"
    size = 5


# A tiny valid PNG (1×1 pixel) for attachment tests.
PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a7c4bd5a0000000049454e44ae426082"
)


def png_upload(name: str = "photo.png") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG_1x1, content_type="image/png")


__all__ = [
    "AttachmentFactory",
    "CategoryFactory",
    "CommentFactory",
    "DepartmentFactory",
    "EscalationRuleFactory",
    "PNG_1x1",
    "PersonFactory",
    "PriorityRuleFactory",
    "SlaPolicyFactory",
    "TeamFactory",
    "WorkOrderFactory",
    "WorkRecordFactory",
    "png_upload",
]
