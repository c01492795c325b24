"""Factories of meetings (worklog part C)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from netdept.testing.factories import DepartmentFactory, PersonFactory
from netdept.worklog.models import Meeting, MeetingAttendee, MeetingKind, MeetingType


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    """An aware instant in the current (Asia/Shanghai) time zone."""
    local = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
    return local.astimezone(dt.UTC)


class MeetingTypeFactory(factory.django.DjangoModelFactory[MeetingType]):
    class Meta:
        model = MeetingType

    code = factory.Sequence(lambda n: f"meeting-{n}")
    name = factory.Sequence(lambda n: f"例会{n}")
    kind = MeetingKind.WEEKLY
    duration_minutes = 60


class MeetingFactory(factory.django.DjangoModelFactory[Meeting]):
    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"周例会{n}")
    department = factory.SubFactory(DepartmentFactory)
    chair = factory.SubFactory(PersonFactory, department=factory.SelfAttribute("..department"))
    starts_at = factory.LazyFunction(lambda: at(timezone.localdate() + dt.timedelta(days=1)))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=1))
    location = "三楼会议室"


class AttendeeFactory(factory.django.DjangoModelFactory[MeetingAttendee]):
    class Meta:
        model = MeetingAttendee

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(
        PersonFactory, department=factory.SelfAttribute("..meeting.department")
    )
