"""Duty configuration (DutyService, the form, the API): bad input refused naming the field,
nothing half-saved; a new duty materialised at once; a rule change bumps the version and makes
only the future untouched occurrences again — the past ones stay as they were."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time

from netdept.approvals.tests import hospital
from netdept.duties.forms_duties import DutyForm
from netdept.duties.models import Duty, Occurrence
from netdept.duties.services import sweeping
from netdept.duties.services.duties import DutyService
from netdept.duties.tests.engine_world import at
from netdept.org.models import Position
from netdept.testing.clients import api_client
from netdept.testing.factories import user_with_perms
from netdept.workcal.schedule import default_calendar
from netdept.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def h() -> hospital.Hospital:
    built = hospital.build()
    default_calendar()
    return built


def data(h: hospital.Hospital, **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "code": "news-articles",
        "name": "每周一交 2 篇新闻稿",
        "assignee_kind": "person",
        "person": h["zhangwei"],
        "rrule": "FREQ=WEEKLY;BYDAY=MO",
        "starts_on": dt.date(2026, 1, 1),
        "due_time": dt.time(17, 0),
        "shift": "next",
        "evidence_kind": "number",
        "evidence_min": 2,
        "evidence_unit": "篇",
    }
    base.update(kw)
    return base


def refused(h: hospital.Hospital, **kw: Any) -> dict[str, list[str]]:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        DutyService().create(None, data(h, **kw))
    assert not Duty.objects.exists() and not Occurrence.objects.exists()  # nothing half-saved
    return exc.value.message_dict


@pytest.mark.parametrize(
    ("kw", "field", "words"),
    [
        ({"person": None}, "person", "required"),
        ({"assignee_kind": "position"}, "position", "required"),
        ({"assignee_kind": "team", "person": None}, "team", "required"),
        ({"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "rrule", "never fires"),
        ({"rrule": "FREQ=DAILY;BYHOUR=9"}, "rrule", "BYHOUR"),
        ({"rrule": ""}, "rrule", "Enter a recurrence"),
        # 3 October is a holiday every year: dropped on days off, it never fires in 2026
        (
            {"rrule": "FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=3", "shift": "skip",
             "ends_on": dt.date(2026, 12, 31)},
            "rrule", "never falls on a working day",
        ),
        ({"ends_on": dt.date(2025, 1, 1)}, "ends_on", "before the start"),
        ({"evidence_kind": "record"}, "record_type", "kind of record"),
        ({"evidence_kind": "checklist"}, "checklist", "at least one item"),
        ({"evidence_kind": "checklist", "checklist": ["巡检", " "]}, "checklist", "non-empty"),
        ({"evidence_min": -1}, "evidence_min", "negative"),
        ({"check_code": "nobody.declares"}, "check_code", "No module"),
        (
            {"check_code": "workorders.resolved_in_sla", "check_params": {"min": "two"}},
            "check_params", "min",
        ),
        ({"check_params": ["min"]}, "check_params", "object"),
        ({"reviewer_kind": "person"}, "reviewer", "Choose the person"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field(
    h: hospital.Hospital, kw: dict[str, Any], field: str, words: str
) -> None:
    errors = refused(h, **kw)
    assert field in errors, errors
    assert words in " ".join(errors[field])


def test_a_position_nobody_holds_is_no_assignee(h: hospital.Hospital) -> None:
    empty = Position.objects.create(name="安全管理员", department=h.network)
    errors = refused(h, assignee_kind="position", position=empty, person=None)
    assert "Nobody active" in " ".join(errors["position"])


def test_settings_of_another_evidence_kind_are_cleared(h: hospital.Hospital) -> None:
    duty = DutyService().create(
        None,
        data(
            h, evidence_kind="text", evidence_min=3, checklist=["x"],
            record_type=ContentType.objects.get_for_model(WorkOrder),
        ),
    )  # fmt: skip
    assert duty.evidence_min is None and duty.checklist == [] and duty.record_type is None
    # a number without its least value is fine
    other = DutyService().create(None, data(h, code="n2", evidence_min=None))
    assert other.evidence_kind == "number" and other.evidence_min is None


def test_record_evidence_with_its_kind_and_a_checklist_with_items(h: hospital.Hospital) -> None:
    wo = ContentType.objects.get_for_model(WorkOrder)
    duty = DutyService().create(None, data(h, evidence_kind="record", record_type=wo))
    assert duty.record_type == wo
    listed = DutyService().create(
        None, data(h, code="inspect", evidence_kind="checklist", checklist=[" 温湿度 ", "UPS"])
    )
    assert listed.checklist == ["温湿度", "UPS"]


@freeze_time("2026-02-09 00:00:00")  # 08:00 in Shanghai, Monday
def test_a_new_duty_is_materialised_at_once(h: hospital.Hospital) -> None:
    duty = DutyService().create(None, data(h, rrule="rrule:freq=weekly;byday=mo", horizon_days=21))
    assert duty.rrule == "FREQ=WEEKLY;BYDAY=MO" and duty.version == 1
    assert list(Occurrence.objects.filter(duty=duty).values_list("due_at", flat=True)) == [
        at(3, 2, 17), at(2, 24, 17), at(2, 9, 17),
    ]  # fmt: skip


def test_a_rule_change_keeps_past_occurrences(h: hospital.Hospital) -> None:
    with freeze_time("2026-02-02 00:00:00"):  # Monday 2 Feb, 08:00 in Shanghai
        duty = DutyService().create(None, data(h, horizon_days=28))
    before = {o.due_at: o for o in Occurrence.objects.filter(duty=duty)}
    assert sorted(before) == [at(2, 2, 17), at(2, 9, 17), at(2, 24, 17), at(3, 2, 17)]
    sweeping.sweep(now=at(2, 3, 9))  # 2 Feb: overdue, then missed
    # 张伟 has already submitted the one of 2 March
    touched = before[at(3, 2, 17)]
    Occurrence.objects.filter(pk=touched.pk).update(status="submitted", submitted_at=at(2, 10, 9))
    with freeze_time("2026-02-10 02:00:00"):  # Tuesday 10 Feb, 10:00 in Shanghai
        duty = DutyService().update(
            None, Duty.objects.get(pk=duty.pk), {"rrule": "FREQ=WEEKLY;BYDAY=TU"}
        )
    assert duty.version == 2 and duty.rule_from == at(2, 10, 10)
    after = {o.due_at: o for o in Occurrence.objects.filter(duty=duty)}
    # the past: as it was (missed, version 1; 9 Feb pending, version 1)
    assert after[at(2, 2, 17)].status == "missed" and after[at(2, 2, 17)].duty_version == 1
    assert after[at(2, 9, 17)].pk == before[at(2, 9, 17)].pk
    # the future untouched ones are made again, on Tuesdays (17 Feb is a holiday: it lands on
    # 24 Feb, a Tuesday of the rule too — once); the submitted one of 2 March stays
    assert after[at(2, 24, 17)].pk != before[at(2, 24, 17)].pk
    assert after[at(3, 2, 17)].pk == touched.pk and after[at(3, 2, 17)].duty_version == 1
    new = sorted(d for d, o in after.items() if o.duty_version == 2)
    assert new == [at(2, 10, 17), at(2, 24, 17), at(3, 3, 17), at(3, 10, 17)]
    # 10 Feb 17:00 lies after the change at 10:00: it is owed under the new rule
    assert after[at(2, 24, 17)].period_start == at(2, 10, 17)


def test_a_change_of_the_name_only_keeps_the_version(h: hospital.Hospital) -> None:
    duty = DutyService().create(None, data(h))
    duty = DutyService().update(None, duty, {"name": "每周一交新闻稿"})
    assert duty.version == 1 and duty.rule_from is None


def test_deactivating_removes_the_untouched_future(h: hospital.Hospital) -> None:
    with freeze_time("2026-02-02 00:00:00"):
        duty = DutyService().create(None, data(h, horizon_days=28))
    with freeze_time("2026-02-10 02:00:00"):
        DutyService().update(None, duty, {"is_active": False})
    assert list(
        Occurrence.objects.filter(duty=duty).order_by("due_at").values_list("due_at", flat=True)
    ) == [at(2, 2, 17), at(2, 9, 17)]


def test_a_duty_with_history_cannot_be_deleted(h: hospital.Hospital) -> None:
    with freeze_time("2026-02-02 00:00:00"):
        duty = DutyService().create(None, data(h))
    with (
        freeze_time("2026-02-10 02:00:00"),
        translation.override("en"),
        pytest.raises(ValidationError, match="deactivate it instead"),
    ):
        DutyService().delete(None, duty)
    fresh = DutyService().create(None, data(h, code="future", starts_on=dt.date(2027, 1, 1)))
    DutyService().delete(None, fresh)
    assert not Duty.objects.filter(code="future").exists()


def test_the_form_fills_a_preset(h: hospital.Hospital) -> None:
    form = DutyForm(
        data={
            "preset": "month_end", "code": "monthly", "name": "月度网络运行报告",
            "assignee_kind": "person", "assignee_mode": "each", "person": h["zhangwei"].pk,
            "starts_on": "2026-01-01", "shift": "keep", "grace_minutes": 0, "horizon_days": 40,
            "evidence_kind": "file", "reviewer_kind": "team_lead", "remind_before_minutes": 60,
            "escalate_after_days": 1, "violation_on": "missed", "is_active": "on",
            "checklist": "",
        }
    )  # fmt: skip
    assert form.is_valid(), form.errors
    assert form.cleaned_data["rrule"] == "FREQ=MONTHLY;BYMONTHDAY=-1"
    assert form.cleaned_data["shift"] == "previous"
    assert form.cleaned_data["due_time"] == dt.time(17, 0)


def test_the_api_answers_400_naming_the_field(h: hospital.Hospital) -> None:
    user = user_with_perms(["duties.add_duty", "duties.view_duty", "org.view_person"])
    client = api_client(user)
    body = {
        "code": "bad", "name": "无人职责", "assignee_kind": "person",
        "rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "starts_on": "2026-01-01",
        "due_time": "17:00",
    }  # fmt: skip
    with translation.override("en"):
        response = client.post(reverse("duties-duties-list"), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"person", "rrule"}
    assert not Duty.objects.exists()
    with translation.override("zh-hans"):
        response = client.post(reverse("duties-duties-list"), body, format="json")
    assert response.status_code == 400
    assert "从不触发" in " ".join(response.json()["rrule"])
    assert "此项必填" in " ".join(response.json()["person"])
