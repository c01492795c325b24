"""The working rhythm's sections of a regulation pack (``netdept.duties.packs.sections``).

A pack may hold, besides the duties app's own sections:

* ``worklog_policy`` — the department's rhythm settings (when a period's reports close, whether
  the lead reviews them, which penalty rule an overdue task feeds: "完不成者扣20元/次");
* ``meeting_types`` — stand-ups, weekly meetings, monthly reviews, committee meetings, with
  their recurrence on the working calendar;
* ``leave_types`` — kinds of leave and the channels a request may come by (the marketing pack
  accepts only in person or by phone);
* ``attendance_rules`` — working hours for the clock and the penalty rules lateness and
  absence without valid leave feed;
* ``project_flows`` — a project's stages in order (需求分析 → 技术方案 → …) with their owners,
  required documents and gate approvals.

Each item cites its articles; the loader writes them to the object's ``articles`` and as
article links, so the coverage page shows the item as what encodes them. The format is in
``packs/README.md``; the objects are written through ``service_for(Model)``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.duties import recurrence
from netdept.duties.packs.sections import PackSection, register_section
from netdept.duties.packs.source import PackError
from netdept.duties.packs.validate import Item
from netdept.duties.packs.writer import Writer
from netdept.org.models import Person
from netdept.worklog.models import (
    AttendanceRule,
    Channel,
    LeaveType,
    MeetingKind,
    MeetingType,
    ProjectFlow,
    StageTemplate,
    WorklogPolicy,
)

#: a project role that owns a stage (the project's manager, technical lead or tester)
PROJECT_ROLES: Final = ("manager", "tech_lead", "tester")
_TIME: Final = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}
_KEY: Final = {"$ref": "#/$defs/key"}
_ARTICLES: Final = {"$ref": "#/$defs/articles"}
_TEXT: Final = {"$ref": "#/$defs/text"}
_CODE: Final = {"$ref": "#/$defs/code"}
_ACTIVE: Final = {"type": "boolean"}


def _obj(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": properties,
    }


def _time(value: Any) -> dt.time | None:
    if value in (None, ""):
        return None
    hours, minutes = str(value).split(":")
    return dt.time(int(hours), int(minutes))


def _check_rrule(ctx: Any, item: Item, value: Any) -> None:
    if not value:
        return
    try:
        recurrence.validate(str(value), timezone.localdate(), None)
    except ValidationError as exc:
        ctx.error(item, "rrule", " ".join(exc.messages))


def _check_person(ctx: Any, item: Item, field_name: str) -> None:
    number = item.data.get(field_name)
    if number and not Person.objects.filter(employee_no=number).exists():
        ctx.error(
            item,
            field_name,
            _("no person has the employee number %(no)s") % {"no": number},
        )


# --- worklog_policy -----------------------------------------------------------------------

POLICY_FIELDS: Final = (
    "department", "name", "close_after_days", "review_reports", "task_overdue_penalty_rule",
    "articles", "pack", "is_active",
)  # fmt: skip


def _check_policy(ctx: Any, item: Item) -> None:
    ctx.key_ref(item, "task_overdue_penalty_rule", "penalty_rules")
    if len(ctx.pack.section("worklog_policy")) > 1:
        ctx.error(item, None, _("a pack holds one rhythm policy (one per department)"))


def _write_policy(writer: Writer, item: Item) -> models.Model | None:
    d = item.data
    dept = writer.need_department(item)
    return writer.upsert(
        item,
        f"worklog_policy:{item.key}",
        WorklogPolicy,
        {
            "department": dept,
            "name": d["name"],
            "close_after_days": d.get("close_after_days", 5),
            "review_reports": d.get("review_reports", True),
            "task_overdue_penalty_rule": writer.get(
                "penalty_rules", d.get("task_overdue_penalty_rule")
            ),
            "articles": writer.articles_of(item),
            "pack": writer.pack_name,
            "is_active": d.get("active", True),
        },
        lookup={"department": dept},
    )


register_section(
    PackSection(
        name="worklog_policy",
        label=gettext_lazy("working rhythm policy"),
        model=WorklogPolicy,
        prefix="worklog_policy",
        item_schema=_obj(
            ["key", "name"],
            {
                "key": _KEY,
                "name": {"type": "string", "minLength": 1, "maxLength": 100},
                "close_after_days": {"type": "integer", "minimum": 0, "maximum": 60},
                "review_reports": {"type": "boolean"},
                "task_overdue_penalty_rule": _KEY,
                "articles": _ARTICLES,
                "active": _ACTIVE,
            },
        ),
        fields=(POLICY_FIELDS,),
        check=_check_policy,
        write=_write_policy,
        description=gettext_lazy("reports closing, review by the lead, overdue tasks' penalty"),
    )
)


# --- meeting_types ------------------------------------------------------------------------

MEETING_FIELDS: Final = (
    "code", "name", "kind", "description", "department", "team", "committee", "chair", "rrule",
    "shift", "start_time", "duration_minutes", "location", "agenda_template", "minutes_approval",
    "records_commendations", "articles", "pack", "is_active",
)  # fmt: skip


def _check_meeting_type(ctx: Any, item: Item) -> None:
    from netdept.approvals.models import Committee

    ctx.key_ref(item, "team", "teams")
    _check_rrule(ctx, item, item.data.get("rrule"))
    _check_person(ctx, item, "chair")
    name = item.data.get("committee")
    if name and not Committee.objects.filter(name=name).exists():
        ctx.error(item, "committee", _("no committee has the name %(name)s") % {"name": name})
    if item.data.get("rrule") and not item.data.get("start_time"):
        ctx.error(item, "start_time", _("a recurring meeting needs its time of day"))


def _write_meeting_type(writer: Writer, item: Item) -> models.Model | None:
    from netdept.approvals.models import Committee

    d = item.data
    committee = d.get("committee")
    chair = d.get("chair")
    return writer.upsert(
        item,
        f"meeting_type:{item.key}",
        MeetingType,
        {
            "code": d["code"],
            "name": d["name"],
            "kind": d.get("kind", MeetingKind.OTHER),
            "description": d.get("description", ""),
            "department": writer.department,
            "team": writer.get("teams", d.get("team")),
            "committee": Committee.objects.get(name=committee) if committee else None,
            "chair": Person.objects.get(employee_no=chair) if chair else None,
            "rrule": str(d.get("rrule", "")),
            "shift": d.get("shift", "skip"),
            "start_time": _time(d.get("start_time")),
            "duration_minutes": d.get("duration_minutes", 30),
            "location": d.get("location", ""),
            "agenda_template": d.get("agenda_template", ""),
            "minutes_approval": d.get("minutes_approval", True),
            "records_commendations": d.get("records_commendations", False),
            "articles": writer.articles_of(item),
            "pack": writer.pack_name,
            "is_active": d.get("active", True),
        },
        lookup={"code": d["code"]},
    )


register_section(
    PackSection(
        name="meeting_types",
        label=gettext_lazy("meeting types"),
        model=MeetingType,
        prefix="meeting_type",
        item_schema=_obj(
            ["key", "code", "name"],
            {
                "key": _KEY,
                "code": _CODE,
                "name": {"type": "string", "minLength": 1, "maxLength": 200},
                "kind": {"enum": [k.value for k in MeetingKind]},
                "description": _TEXT,
                "team": _KEY,
                "committee": {"type": "string", "minLength": 1, "maxLength": 100},
                "chair": {"type": "string", "minLength": 1, "maxLength": 30},
                "rrule": {"type": "string", "maxLength": 300},
                "shift": {"enum": ["keep", "skip", "next", "previous"]},
                "start_time": _TIME,
                "duration_minutes": {"type": "integer", "minimum": 5, "maximum": 1440},
                "location": {"type": "string", "maxLength": 200},
                "agenda_template": _TEXT,
                "minutes_approval": {"type": "boolean"},
                "records_commendations": {"type": "boolean"},
                "articles": _ARTICLES,
                "active": _ACTIVE,
            },
        ),
        fields=(MEETING_FIELDS,),
        check=_check_meeting_type,
        write=_write_meeting_type,
        description=gettext_lazy("stand-ups, weekly meetings, monthly reviews, committees"),
    )
)


# --- leave_types --------------------------------------------------------------------------

LEAVE_FIELDS: Final = (
    "code", "name", "description", "paid", "max_days", "valid_channels", "approval_rule",
    "articles", "pack", "is_active",
)  # fmt: skip


def _check_leave_type(ctx: Any, item: Item) -> None:
    ctx.key_ref(item, "approval_rule", "approval_rules")
    channels = item.data.get("valid_channels") or []
    if len(set(channels)) != len(channels):
        ctx.error(item, "valid_channels", _("a channel is given twice"))


def _write_leave_type(writer: Writer, item: Item) -> models.Model | None:
    d = item.data
    days = d.get("max_days")
    return writer.upsert(
        item,
        f"leave_type:{item.key}",
        LeaveType,
        {
            "code": d["code"],
            "name": d["name"],
            "description": d.get("description", ""),
            "paid": d.get("paid", False),
            "max_days": None if days in (None, "") else Decimal(str(days)),
            "valid_channels": [str(c) for c in d.get("valid_channels") or []],
            "approval_rule": writer.get("approval_rules", d.get("approval_rule")),
            "articles": writer.articles_of(item),
            "pack": writer.pack_name,
            "is_active": d.get("active", True),
        },
        lookup={"code": d["code"]},
    )


register_section(
    PackSection(
        name="leave_types",
        label=gettext_lazy("leave types"),
        model=LeaveType,
        prefix="leave_type",
        item_schema=_obj(
            ["key", "code", "name"],
            {
                "key": _KEY,
                "code": _CODE,
                "name": {"type": "string", "minLength": 1, "maxLength": 100},
                "description": _TEXT,
                "paid": {"type": "boolean"},
                "max_days": {
                    "oneOf": [
                        {"type": "string", "pattern": "^[0-9]{1,3}(\\.[05])?$"},
                        {"type": "integer", "minimum": 0, "maximum": 999},
                    ]
                },
                "valid_channels": {
                    "type": "array",
                    "items": {"enum": [c.value for c in Channel]},
                },
                "approval_rule": _KEY,
                "articles": _ARTICLES,
                "active": _ACTIVE,
            },
        ),
        fields=(LEAVE_FIELDS,),
        check=_check_leave_type,
        write=_write_leave_type,
        description=gettext_lazy("kinds of leave and the channels a request may come by"),
    )
)


# --- attendance_rules ---------------------------------------------------------------------

ATTENDANCE_FIELDS: Final = (
    "code", "name", "department", "work_starts", "work_ends", "late_grace_minutes",
    "absent_after_minutes", "late_penalty_rule", "absence_penalty_rule", "articles", "pack",
    "is_active",
)  # fmt: skip


def _check_attendance_rule(ctx: Any, item: Item) -> None:
    ctx.key_ref(item, "late_penalty_rule", "penalty_rules")
    ctx.key_ref(item, "absence_penalty_rule", "penalty_rules")
    starts, ends = _time(item.data.get("work_starts")), _time(item.data.get("work_ends"))
    if starts is not None and ends is not None and ends <= starts:
        ctx.error(item, "work_ends", _("work ends after it starts"))


def _write_attendance_rule(writer: Writer, item: Item) -> models.Model | None:
    d = item.data
    return writer.upsert(
        item,
        f"attendance_rule:{item.key}",
        AttendanceRule,
        {
            "code": d["code"],
            "name": d["name"],
            "department": writer.department,
            "work_starts": _time(d["work_starts"]),
            "work_ends": _time(d["work_ends"]),
            "late_grace_minutes": d.get("late_grace_minutes", 0),
            "absent_after_minutes": d.get("absent_after_minutes", 240),
            "late_penalty_rule": writer.get("penalty_rules", d.get("late_penalty_rule")),
            "absence_penalty_rule": writer.get("penalty_rules", d.get("absence_penalty_rule")),
            "articles": writer.articles_of(item),
            "pack": writer.pack_name,
            "is_active": d.get("active", True),
        },
        lookup={"code": d["code"]},
    )


register_section(
    PackSection(
        name="attendance_rules",
        label=gettext_lazy("attendance rules"),
        model=AttendanceRule,
        prefix="attendance_rule",
        item_schema=_obj(
            ["key", "code", "name", "work_starts", "work_ends"],
            {
                "key": _KEY,
                "code": _CODE,
                "name": {"type": "string", "minLength": 1, "maxLength": 100},
                "work_starts": _TIME,
                "work_ends": _TIME,
                "late_grace_minutes": {"type": "integer", "minimum": 0, "maximum": 240},
                "absent_after_minutes": {"type": "integer", "minimum": 0, "maximum": 720},
                "late_penalty_rule": _KEY,
                "absence_penalty_rule": _KEY,
                "articles": _ARTICLES,
                "active": _ACTIVE,
            },
        ),
        fields=(ATTENDANCE_FIELDS,),
        check=_check_attendance_rule,
        write=_write_attendance_rule,
        description=gettext_lazy("working hours and what lateness and absence cost"),
    )
)


# --- project_flows ------------------------------------------------------------------------

FLOW_FIELDS: Final = ("code", "name", "description", "articles", "pack", "is_active")
STAGE_FIELDS: Final = (
    "flow", "order", "code", "name", "owner_position", "owner_role", "required_documents",
    "approval_rule", "articles",
)  # fmt: skip


def _check_flow(ctx: Any, item: Item) -> None:
    stages = item.data.get("stages") or []
    codes: set[str] = set()
    positions = ctx.pack.by_key("positions")
    rules = ctx.pack.by_key("approval_rules")
    for index, stage in enumerate(stages):
        where = f"stages[{stage.get('code', index)}]"
        line = stages.line_of(index) if hasattr(stages, "line_of") else item.line

        def err(message: str, where: str = where, line: int = line) -> None:
            text = f"{item.section}[{item.key}].{where}: {message}"
            ctx.errors.append(PackError(item.file, line, text))

        code = str(stage.get("code"))
        if code in codes:
            err(_("the stage code %(code)s is used twice") % {"code": code})
        codes.add(code)
        position = stage.get("owner_position")
        if position and position not in positions:
            err(_("no positions item has the key %(key)s") % {"key": position})
        rule = stage.get("approval_rule")
        if rule and rule not in rules:
            err(_("no approval_rules item has the key %(key)s") % {"key": rule})
        ctx.article_refs(item, stage.get("articles"), f"{where}.articles")


def _write_flow(writer: Writer, item: Item) -> models.Model | None:
    d = item.data
    flow = writer.upsert(
        item,
        f"project_flow:{item.key}",
        ProjectFlow,
        {
            "code": d["code"],
            "name": d["name"],
            "description": d.get("description", ""),
            "articles": writer.articles_of(item),
            "pack": writer.pack_name,
            "is_active": d.get("active", True),
        },
        lookup={"code": d["code"]},
    )
    if not isinstance(flow, ProjectFlow):
        return flow
    for order, stage in enumerate(d["stages"], start=1):
        key = f"stage_template:{item.key}#{stage['code']}"
        refs = stage.get("articles") or []
        obj = writer.upsert(
            item,
            key,
            StageTemplate,
            {
                "flow": flow,
                "order": order,
                "code": stage["code"],
                "name": stage["name"],
                "owner_position": writer.get("positions", stage.get("owner_position")),
                "owner_role": stage.get("owner_role", ""),
                "required_documents": [str(n) for n in stage.get("required_documents") or []],
                "approval_rule": writer.get("approval_rules", stage.get("approval_rule")),
                "articles": writer.articles_of(item, refs),
            },
            lookup={"flow": flow, "code": stage["code"]},
            names={"order": "stages", "code": "stages", "owner_role": "stages"},
        )
        if obj is not None:
            writer.link_articles(item, key, obj, refs)
    return flow


register_section(
    PackSection(
        name="project_flows",
        label=gettext_lazy("project flows"),
        model=ProjectFlow,
        prefix="project_flow",
        item_schema=_obj(
            ["key", "code", "name", "stages"],
            {
                "key": _KEY,
                "code": _CODE,
                "name": {"type": "string", "minLength": 1, "maxLength": 200},
                "description": _TEXT,
                "articles": _ARTICLES,
                "active": _ACTIVE,
                "stages": {
                    "type": "array",
                    "minItems": 1,
                    "items": _obj(
                        ["code", "name"],
                        {
                            "code": _CODE,
                            "name": {"type": "string", "minLength": 1, "maxLength": 100},
                            "owner_position": _KEY,
                            "owner_role": {"enum": ["", *PROJECT_ROLES]},
                            "required_documents": {
                                "type": "array",
                                "items": {"type": "string", "minLength": 1, "maxLength": 200},
                            },
                            "approval_rule": _KEY,
                            "articles": _ARTICLES,
                        },
                    ),
                },
            },
        ),
        fields=(FLOW_FIELDS,),
        sub_fields={"stage_template": (STAGE_FIELDS,)},
        check=_check_flow,
        write=_write_flow,
        description=gettext_lazy("a project's stages, their owners, documents and gates"),
    )
)
