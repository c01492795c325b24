"""How a weekly or monthly report is written from what the period shows — pure composition,
no database writes (``services.drafting`` and ``services.reports`` read the rows and save).

Sections:

* done — each daily log's entries (drafted from records or written by hand) in day order,
  then what the contributions (``netdept.worklog.contributions``) show was done and no entry
  already says (the same record is never written twice), then a day's summary when its log
  has no entry;
* in progress — the contributions' ``in_progress`` lines (one per record: the latest);
* problems — the logs' problems and the contributions' ``problem`` lines;
* carried plan — last period's "next period's plan", as it was written.

Re-drafting keeps what the person wrote: a section still equal to what was drafted last time
(or empty) is replaced; one the person changed keeps its text and only new lines are added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

#: the sections a draft writes (fields of ``Report``)
SECTIONS = ("done", "in_progress", "problems")
#: the longest section drafted (the model's limit is 10,000 characters)
SECTION_LIMIT = 9000


@dataclass
class Draft:
    done: str = ""
    in_progress: str = ""
    problems: str = ""
    carried_plan: str = ""
    next_plan: str = ""  # a team report's: its members' plans
    figures: dict[str, Any] = field(default_factory=dict)


def minutes_text(minutes: int) -> str:
    if minutes <= 0:
        return ""
    if minutes % 60 == 0:
        return _("(%(hours)s h)") % {"hours": minutes // 60}
    return _("(%(minutes)s min)") % {"minutes": minutes}


def record_key(source: str, record: models.Model | None) -> tuple[str, int, str] | None:
    if record is None or record.pk is None:
        return None
    ct = ContentType.objects.get_for_model(record, for_concrete_model=False)
    return (source, ct.pk, str(record.pk))


def _clip(lines: list[str]) -> str:
    out: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > SECTION_LIMIT:
            out.append(_("… and %(count)s more") % {"count": len(lines) - len(out)})
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out)


def _day(at: dt.datetime | dt.date) -> str:
    day = timezone.localtime(at).date() if isinstance(at, dt.datetime) else at
    return f"{day:%m-%d}"


def compose(
    *,
    logs: Sequence[Any],
    lines: Sequence[tuple[str, Any]],
    carried_plan: str = "",
    working_days: int = 0,
    leave_days: float = 0,
) -> Draft:
    """The draft of one person's period from their daily logs (with ``entries`` prefetched,
    in day order) and the contributions' lines ``(code, Line)``."""
    done: list[str] = []
    problems: list[str] = []
    seen: set[tuple[str, int, str]] = set()
    minutes = 0
    submitted = 0
    progress: dict[Any, str] = {}
    for log in logs:
        entries = [e for e in log.entries.all() if not e.dismissed]
        for e in entries:
            if e.record_id:
                seen.add((e.source, e.record_type_id or 0, e.record_id))
            text = f"{_day(log.day)} {e.text} {minutes_text(e.minutes)}".rstrip()
            if e.state == "in_progress":
                progress[(e.source, e.record_type_id or 0, e.record_id or text)] = e.text
                continue
            if e.state == "problem":
                problems.append(text)
                continue
            done.append(text)
            minutes += e.minutes
        if not entries and log.summary.strip():
            done.append(f"{_day(log.day)} {log.summary.strip()}")
        if log.problems.strip():
            problems.append(f"{_day(log.day)} {log.problems.strip()}")
        if log.submitted_at is not None:
            submitted += 1
    counts: dict[str, int] = {}
    for code, line in sorted(lines, key=lambda cl: cl[1].at):
        key = record_key(code, line.record)
        text = f"{_day(line.at)} {line.text} {minutes_text(line.minutes)}".rstrip()
        if line.state == "in_progress":
            if key is None or key not in seen:
                progress[key or (code, 0, text)] = line.text
            continue
        if line.state == "problem":
            problems.append(text)
            continue
        counts[code] = counts.get(code, 0) + 1
        if key is not None and key in seen:
            continue
        if key is not None:
            seen.add(key)
        done.append(text)
        minutes += line.minutes
    figures: dict[str, Any] = {
        "working_days": working_days,
        "logs": len(logs),
        "logs_submitted": submitted,
        "leave_days": leave_days,
        "minutes": minutes,
        "done": len(done),
        "in_progress": len(progress),
        "problems": len(problems),
        "records": counts,
    }
    return Draft(
        done=_clip(done),
        in_progress=_clip(list(progress.values())),
        problems=_clip(problems),
        carried_plan=carried_plan,
        figures=figures,
    )


def merge(current: str, drafted_before: str, drafted_now: str) -> str:
    """A section after re-drafting: the new draft when the person left the old one as it was
    (or empty), else their text with the new draft's lines it does not hold yet."""
    if not current.strip() or current.strip() == drafted_before.strip():
        return drafted_now
    have = {line.strip() for line in current.splitlines()}
    extra = [line for line in drafted_now.splitlines() if line.strip() not in have]
    return _clip([*current.splitlines(), *extra]) if extra else current


def apply(report: Any, draft: Draft) -> None:
    """Write ``draft`` into ``report`` (unsaved), keeping what the person changed."""
    before: Mapping[str, str] = (report.figures or {}).get("drafted", {})
    for name in SECTIONS:
        setattr(
            report, name, merge(getattr(report, name), before.get(name, ""), getattr(draft, name))
        )
    for name in ("carried_plan", "next_plan"):
        value = getattr(report, name)
        if not value.strip() or value == before.get(name, ""):
            setattr(report, name, getattr(draft, name))
    report.figures = {
        **draft.figures,
        "drafted": {n: getattr(draft, n) for n in (*SECTIONS, "carried_plan", "next_plan")},
    }
    report.drafted_at = timezone.now()


def roll_up(members: Iterable[Any], carried_plan: str = "") -> Draft:
    """A team report from its members' reports: each section under each member's name, the
    figures added up."""
    sections: dict[str, list[str]] = {n: [] for n in (*SECTIONS, "next_plan")}
    totals: dict[str, float] = {}
    people: list[dict[str, Any]] = []
    for r in members:
        name = r.person.name
        for n in sections:
            text = getattr(r, n).strip()
            if text:
                sections[n].append(f"【{name}】")
                sections[n].extend(text.splitlines())
        for k, v in (r.figures or {}).items():
            if isinstance(v, int | float) and not isinstance(v, bool):
                totals[k] = totals.get(k, 0) + v
        people.append({"person": r.person_id, "name": name, "status": r.status})
    return Draft(
        done=_clip(sections["done"]),
        in_progress=_clip(sections["in_progress"]),
        problems=_clip(sections["problems"]),
        carried_plan=carried_plan,
        next_plan=_clip(sections["next_plan"]),
        figures={**totals, "members": people},
    )
