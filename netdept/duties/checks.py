"""Duties that check themselves: the queries modules register.

A module declares what records satisfy a kind of duty::

    register_check(DutyCheck(
        code="workorders.resolved_in_sla",
        label=_("work orders resolved within their SLA"),
        records=lambda person, start, end, params: [...],   # the records of the period
        satisfied=lambda records, params: len(records) >= params.get("min", 1),
        description=_("…"),
        params_help=_("min: how many (default 1)"),
    ))

A duty names the check in ``check_code`` (parameters in ``check_params``). At and after the
due instant the engine asks ``records(person, occurrence.period_start, due_at, params)``; when
``satisfied(records, params)``, the occurrence is done (on time with the records up to the
due instant; late when they only come within the grace, asked again at ``missed_at``) and the
records are linked as its evidence. ``records`` must answer model instances (their ``pk`` and
``str`` are kept); it must not change anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.functional import Promise

from netdept.org.models import Person

RecordsQuery = Callable[
    [Person, dt.datetime, dt.datetime, Mapping[str, Any]], Sequence[models.Model]
]
Satisfied = Callable[[Sequence[models.Model], Mapping[str, Any]], bool]


def at_least_one(records: Sequence[models.Model], params: Mapping[str, Any]) -> bool:
    """The default test: at least ``params["min"]`` records (1 when not given)."""
    try:
        wanted = int(params.get("min", 1))
    except (TypeError, ValueError):
        wanted = 1
    return len(records) >= max(wanted, 1)


@dataclass(frozen=True)
class DutyCheck:
    code: str
    label: str | Promise
    records: RecordsQuery
    satisfied: Satisfied = at_least_one
    description: str | Promise = ""
    params_help: str | Promise = ""
    #: the parameters a duty may give, with their types (empty: any)
    params_schema: Mapping[str, type] = field(default_factory=dict)

    def check_params(self, params: Mapping[str, Any]) -> dict[str, str]:
        """Errors of ``params`` against ``params_schema`` (name → message), empty when fine."""
        errors: dict[str, str] = {}
        if not self.params_schema:
            return errors
        for name, value in params.items():
            kind = self.params_schema.get(name)
            if kind is None:
                errors[name] = "unknown"
            elif kind is int and (isinstance(value, bool) or not isinstance(value, int)):
                errors[name] = "integer"
            elif kind is str and not isinstance(value, str):
                errors[name] = "text"
        return errors


_checks: dict[str, DutyCheck] = {}


def register_check(check: DutyCheck) -> DutyCheck:
    """Declare a check (a second declaration under the same code replaces the first: a module
    reloaded in a test process)."""
    if not check.code or len(check.code) > 80:
        raise ValueError(f"A duty check needs a code of 1-80 characters: {check.code!r}")
    _checks[check.code] = check
    return check


def get(code: str) -> DutyCheck | None:
    return _checks.get(code)


def unregister(code: str) -> None:
    """Forget a check (a test's own, once the test is over)."""
    _checks.pop(code, None)


def all_checks() -> list[DutyCheck]:
    return sorted(_checks.values(), key=lambda c: c.code)


def choices() -> list[tuple[str, str]]:
    """(code, label) of every declared check, for a form's choice field."""
    return [(c.code, str(c.label)) for c in all_checks()]


__all__ = [
    "DutyCheck", "all_checks", "at_least_one", "choices", "get", "register_check", "unregister",
]  # fmt: skip
