"""What the duties app registers when Django is ready (pages, API, kinds, checks, tasks,
home widgets, demo data). Each part lives in its own module; this list is the one place
that imports them."""

from __future__ import annotations

import importlib

#: modules imported for their registrations, in order
PARTS: tuple[str, ...] = (
    "registry",  # the navigation group
    "audit_labels",  # the audit trail's words for what the app records
    "registry_duties",  # duties (configuration)
    "registry_work",  # occurrences and evidence
    "registry_sanctions",  # penalty rules, prohibited acts, violations, penalties, appeals, rewards
    "registry_regulations",  # regulations, versions, articles, read confirmations
    "registry_packs",  # packs and their items
    "approval_kinds",  # penalties that need a decision, appeals
    "approval_kinds_regulations",  # a regulation version approved before it takes effect
    "checks",  # the self-check registry (modules add theirs)
    "tasks",  # the sweep, materialisation
    "tasks_regulations",  # versions taking effect, review reminders
    "home_work",  # today's duties on the home page
    "home_regulations",  # read confirmations awaited
    "api_work",  # the API's own endpoints: submit, review, my duties
    "api_sanctions",  # record a violation, appeal, statements of penalties and rewards
    "api_reports",  # compliance reports
    "api_regulations",  # import preview, publish, confirm reading
    "api_packs",  # pack coverage
    "demo",  # the demo's duties, violations, rewards
)


def ready() -> None:
    for name in PARTS:
        importlib.import_module(f"netdept.duties.{name}")
