"""The attendance form of a meeting (one row per attendee: present / late / absent / excused
and a note), marked on the meeting's phone page; the service checks and saves it all or
nothing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from netdept.worklog.models import Attendance, MeetingAttendee

NOTE_LIMIT = MeetingAttendee._meta.get_field("note").max_length or 500


class AttendanceForm(forms.Form):
    """``a_<person id>`` (attendance) and ``n_<person id>`` (note) per attendee."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, attendees: list[MeetingAttendee], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.attendees = attendees
        for row in attendees:
            self.fields[f"a_{row.person_id}"] = forms.ChoiceField(
                label=row.person.name,
                choices=Attendance.choices,
                initial=row.attendance,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            )
            self.fields[f"n_{row.person_id}"] = forms.CharField(
                label=_("note"),
                required=False,
                max_length=NOTE_LIMIT,
                initial=row.note,
                widget=forms.TextInput(
                    attrs={"class": "form-control form-control-sm", "placeholder": _("note")}
                ),
            )

    def rows(self) -> list[tuple[MeetingAttendee, forms.BoundField, forms.BoundField]]:
        return [(r, self[f"a_{r.person_id}"], self[f"n_{r.person_id}"]) for r in self.attendees]

    def marks(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            r.person_id: (data[f"a_{r.person_id}"], data.get(f"n_{r.person_id}") or "")
            for r in self.attendees
        }
