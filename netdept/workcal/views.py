"""Enter a year's holiday schedule on a working calendar: paste, preview, apply."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from netdept.core import permissions, services
from netdept.workcal import holidays
from netdept.workcal.models import CalendarOverride, WorkCalendar

PLACEHOLDER = gettext_lazy(
    "Paste the State Council's notice, e.g.\n"
    "二、春节：2月6日（周六）至14日（周日）放假调休，共9天。2月20日（周六）上班。\n"
    "or one line per day or range:\n"
    "2027-01-01 休 元旦\n"
    "2027-02-06~2027-02-14 休 春节\n"
    "2027-02-20 班 春节"
)


class ScheduleForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=2000, max_value=2999)
    text = forms.CharField(
        label=gettext_lazy("schedule"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12, "placeholder": PLACEHOLDER}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "year" in data and "text" in data:
            try:
                data["days"] = holidays.parse(data["text"], data["year"])
            except holidays.ScheduleError as exc:
                self.add_error("text", exc)
        return data


@login_required
@require_http_methods(["GET", "POST"])
def schedule_view(request: HttpRequest, pk: int) -> HttpResponse:
    services.require(request.user, "add", CalendarOverride)
    calendar = get_object_or_404(
        permissions.restrict(WorkCalendar.objects.all(), request.user, "view"), pk=pk
    )
    today = timezone.localdate()
    missing = holidays.missing_years(calendar, today)
    initial_year = missing[-1] if missing else today.year + 1
    form = ScheduleForm(request.POST or None, initial={"year": initial_year})
    preview = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["days"]
        if request.POST.get("confirm") == "1":
            try:
                done = holidays.apply(request.user, calendar, days)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _(
                        "The schedule of %(year)s was applied: %(created)s days added, "
                        "%(updated)s changed, %(unchanged)s already so."
                    )
                    % {
                        "year": form.cleaned_data["year"],
                        "created": done.created,
                        "updated": done.updated,
                        "unchanged": done.unchanged,
                    },
                )
                return HttpResponseRedirect(
                    reverse("workcal:workcalendar_detail", args=[calendar.pk])
                    + f"?month={form.cleaned_data['year']}-01"
                )
        existing = dict(
            CalendarOverride.objects.filter(
                calendar=calendar, date__in=[d.date for d in days]
            ).values_list("date", "is_working_day")
        )
        preview = [
            {
                "day": d,
                "weekday": d.date.weekday(),
                "existing": existing.get(d.date),
                "redundant": d.is_working_day == (d.date.weekday() < 5),
            }
            for d in days
        ]
    return render(
        request,
        "workcal/schedule.html",
        {
            "calendar": calendar,
            "form": form,
            "preview": preview,
            "missing": missing,
            "off_count": sum(1 for p in preview or [] if not p["day"].is_working_day),
            "work_count": sum(1 for p in preview or [] if p["day"].is_working_day),
        },
    )


urlpatterns = [
    path("workcalendar/<int:pk>/schedule/", schedule_view, name="calendar_schedule"),
]


def home_holidays_alert(request: HttpRequest) -> str:
    """The home page's warning about calendars whose public holidays are not known yet
    (registered with ``core.views.pages.register_home_alert`` by ``WorkCalConfig.ready()``)."""
    if not permissions.has_perm(request.user, "workcal.add_calendaroverride"):
        return ""
    missing = holidays.calendars_missing(timezone.localdate())
    if not missing:
        return ""
    return render_to_string(
        "workcal/_home_missing.html", {"calendars_missing": missing}, request=request
    )
