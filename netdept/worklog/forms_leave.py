"""Forms of leave and attendance: ask for leave (a person on a phone; a lead recording a
request taken in person or by phone chooses the person and the channel) and upload the
clock system's file. The services validate again (one behaviour for the page and the API)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from netdept.api.generic import PageSerializer
from netdept.core import permissions
from netdept.org.models import Department, Person
from netdept.worklog.models.leave import (
    AttendanceImport,
    AttendanceRecord,
    Channel,
    ImportSource,
    LeaveRequest,
    LeaveType,
)
from netdept.worklog.services.attendance import WRITE
from netdept.worklog.services.leave import MAX_REASON

DATETIME = {
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
}


def led_by(me: Person | None) -> QuerySet[Person]:
    """The people ``me`` may record a leave for: the members of the teams they lead, their
    reports, their department when they head it (the director: everyone)."""
    from netdept.approvals.resolve import director

    base = Person.objects.filter(is_active=True).order_by("name")
    if me is None:
        return base.none()
    if director() == me:
        return base.exclude(pk=me.pk)
    led = Q(team__lead=me) | Q(manager=me)
    if me.department_id and me.department is not None and me.department.head_id == me.pk:
        led |= Q(department=me.department)
    return base.filter(led).exclude(pk=me.pk)


class _Bootstrap:
    def _style(self) -> None:
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css + " form-control-lg")
            field.widget.attrs.setdefault("id", f"id_{name}")


class LeaveRequestForm(_Bootstrap, forms.Form):
    """请假: type, from, until, reason, who holds my approvals while I am away."""

    person = forms.ModelChoiceField(
        label=_("person"),
        required=False,
        queryset=Person.objects.none(),
        help_text=_("Empty: yourself. A lead records here a request taken in person or by phone."),
    )
    leave_type = forms.ModelChoiceField(label=_("leave type"), queryset=LeaveType.objects.none())
    starts_at = forms.DateTimeField(label=_("from"), **DATETIME)  # type: ignore[arg-type]
    ends_at = forms.DateTimeField(label=_("until"), **DATETIME)  # type: ignore[arg-type]
    reason = forms.CharField(
        label=_("reason"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 3})
    )
    delegate = forms.ModelChoiceField(
        label=_("delegate while away"),
        required=False,
        queryset=Person.objects.none(),
        help_text=_("Holds your approvals while you are away (empty: your superior)."),
    )
    channel = forms.ChoiceField(
        label=_("requested"),
        required=False,
        choices=[("", "—"), *Channel.choices],
        help_text=_("When recording for someone: how they asked."),
    )

    def __init__(self, *args: Any, me: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        led = led_by(me)
        if led.exists():
            self.fields["person"].queryset = led  # type: ignore[attr-defined]
        else:
            del self.fields["person"]
            del self.fields["channel"]
        self.fields["leave_type"].queryset = LeaveType.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).order_by("name")
        delegates = Person.objects.filter(is_active=True).order_by("name")
        if me is not None:
            delegates = delegates.exclude(pk=me.pk).filter(department_id=me.department_id)
        self.fields["delegate"].queryset = delegates  # type: ignore[attr-defined]
        self._style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("person") is not None and not data.get("channel"):
            self.add_error("channel", _("Say how the person asked for the leave."))
        return data


class AttendanceUploadForm(_Bootstrap, forms.Form):
    """The clock system's file: where it comes from, the department, the file."""

    source = forms.ChoiceField(label=_("source"), choices=ImportSource.choices)
    department = forms.ModelChoiceField(label=_("department"), queryset=Department.objects.none())
    file = forms.FileField(label=_("file"))

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        me = Person.objects.filter(user=user).first() if user is not None else None
        depts = Department.objects.filter(is_active=True).order_by("name")
        if permissions.scope_of(user, WRITE) != permissions.ALL:
            depts = depts.filter(pk=me.department_id) if me is not None else depts.none()
        self.fields["department"].queryset = depts  # type: ignore[attr-defined]
        if me is not None and not self.is_bound:
            self.initial.setdefault("department", me.department_id)
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"
        self.fields["file"].help_text = gettext(
            "DingTalk: the daily statistics or the raw records, exported as Excel; WeCom: the "
            "daily report of clocking in and out, exported as Excel; or a CSV with the columns "
            "%(columns)s."
        ) % {"columns": "工号, 姓名, 日期, 上班, 下班"}
        self._style()


# --- the API's answers of the rows the services write (read-only) ---------------------------
class _ReadOnly(PageSerializer):
    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        for f in fields.values():
            f.read_only = True
        return fields


class LeaveRequestSerializer(_ReadOnly):
    person_name = serializers.CharField(source="person.name", read_only=True)
    leave_type_name = serializers.CharField(source="leave_type.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)

    class Meta:
        model = LeaveRequest
        fields = [
            "id", "person", "person_name", "team", "department", "leave_type", "leave_type_name",
            "starts_at", "ends_at", "working_days", "reason", "channel", "channel_label",
            "delegate", "status", "status_label", "approval", "recorded_by", "decided_at",
            "invalid_reason", "version", "created_at", "updated_at",
        ]  # fmt: skip


class AttendanceRecordSerializer(_ReadOnly):
    person_name = serializers.CharField(source="person.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = AttendanceRecord
        fields = [
            "id", "person", "person_name", "day", "clock_in", "clock_out", "status",
            "status_label", "late_minutes", "leave", "violation", "source_import", "created_at",
            "updated_at",
        ]  # fmt: skip


class AttendanceImportSerializer(_ReadOnly):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = AttendanceImport
        fields = [
            "id", "source", "file_name", "department", "imported_by", "status", "status_label",
            "first_day", "last_day", "rows", "errors", "imported_at", "created_at", "updated_at",
        ]  # fmt: skip
