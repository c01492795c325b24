"""What the worklog app registers when Django is ready (pages, API, kinds, checks, tasks,
home widgets, daily-log contributions, pack sections, demo data). Each part lives in its own
module; this list is the one place that imports them."""

from __future__ import annotations

import importlib

#: modules imported for their registrations, in order
PARTS: tuple[str, ...] = (
    "registry",  # the navigation group
    "approval_kinds_leave",  # F: worklog.leave
    "absence",  # F: on leave → approvals to the delegate, duties pause
    "pack_sections",  # G: worklog sections of regulation packs
    "api_projects",  # E: the stages' collection has no POST (before registry_projects)
    "registry_projects",  # E: project flows, projects, stages, documents
    "approval_kinds_projects",  # E: worklog.stage_gate
    "notifications_projects",  # E: a stage you own has started
    "demo_projects",  # E: the web team's flow and a project under way
    "registry_meetings",  # C: meeting types, meetings, attendees (+ attendance panel, action items)
    "checks_meetings",  # C: duty check worklog.meeting_held
    "contrib_meetings",  # C: daily-log lines of meetings attended
    "tasks_meetings",  # C: recurring meetings scheduled on the working calendar
    "home_meetings",  # C: my next meetings on the home page
    "api_meetings",  # C: attendance marking, my upcoming meetings
    "demo_meetings",  # C: the demo's weekly meeting, monthly review, upcoming meetings
    "notifications_tasks",  # D: task assigned / overdue / evaluated
    "registry_tasks",  # D: goals, tasks (+ the task machine), my tasks, the board
    "api_tasks",  # D: GET tasks/mine/ (after registry_tasks: the page's serializer)
    "home_tasks",  # D: my tasks on the home page
    "sweep_tasks",  # D: overdue tasks (notify once; a violation by the policy's rule)
    "contrib_tasks",  # D: daily-log lines of tasks done / in progress / overdue
    "demo_tasks",  # D: goals and tasks of the demo hospital
    "notifications_reports",  # B: a report awaits review / was reviewed
    "registry_reports",  # B: reports (+ the report machine), drafting runs, the rhythm's policy
    "checks_reports",  # B: duty checks worklog.weekly_report / worklog.monthly_report
    "tasks_reports",  # B: background drafting of everyone's reports (weekly, monthly)
    "api_reports",  # B: my report, write, redraft, to review, start a drafting run
    "registry_logs",  # A: daily logs and their entries (pages, API, machine)
    "api_logs",  # A: today's log, text, entries, re-draft, to review
    "checks_logs",  # A: duty check worklog.daily_log
    "contrib_duties",  # A: duties done that day, into daily logs
    "home_logs",  # A: today's log on the home page
    "demo_logs",  # A: the demo's daily logs of the last working days
    "registry_leave",  # F
    "registry_attendance",  # F
    "api_leave",  # F: ask for leave, attendance preview / confirm
    "demo_leave",  # F: leave types, a clock rule, leave and the clock of the last days
    "demo_reports",  # B: last week's reports (submitted, reviewed) and this week's drafts
)


def ready() -> None:
    for name in PARTS:
        importlib.import_module(f"netdept.worklog.{name}")
