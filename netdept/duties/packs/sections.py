"""Pack sections registered by the modules above duties (the section registry).

The built-in sections of a pack (org, regulations, penalty rules, prohibited acts, reward
rules, duties, approval rules, article links) are the duties app's own. A module above it —
the working rhythm's meeting types, leave types, attendance rules, project flows — adds a
section of its own without the duties app importing it::

    register_section(PackSection(
        name="meeting_types",                    # the top-level key of a pack file
        label=_("meeting types"),
        model=MeetingType,                       # what an item becomes
        prefix="meeting_type",                   # its pack item keys: "meeting_type:<key>"
        item_schema={...},                       # JSON schema of ONE item (may use the
                                                 # pack schema's $defs: key, code, money…)
        fields=(("code", "name", …),),           # the fields ``write`` gives (checksums)
        check=check_meeting_type,                # (ctx, item) → None; ctx.error(...) to refuse
        write=write_meeting_type,                # (writer, item) → the object (or None)
    ))

* **validation** — each item is checked against the section's schema inside the pack schema
  (so a wrong field names its file and line like any other), keys are unique in the section,
  then ``check`` resolves its references (``ctx.key_ref``: a penalty rule, a position, an
  approval rule of the pack…);
* **loading** — ``write`` calls ``writer.upsert(...)`` (the same idempotent, upgrade-safe
  write through ``service_for(Model)`` as every built-in item), after the duties and the
  approval rules, so it may refer to anything of the pack; ``writer.get(section, key)`` gives
  the object an earlier section made;
* **coverage** — the item's ``articles`` are written to the model's ``articles``
  (many-to-many, when it has one) AND as ``ArticleLink`` rows, so the coverage page lists the
  item as what encodes those articles; ``writer.link_articles(...)`` does the same for a
  sub-object (a flow's stage). ``article_links`` may target the section's model
  (``target: worklog.meetingtype``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from netdept.duties.packs.validate import Item
    from netdept.duties.packs.writer import Writer

#: the names of the built-in sections (a registered section may not take one)
BUILT_IN = frozenset(
    {
        "name",
        "title",
        "version",
        "description",
        "org",
        "teams",
        "positions",
        "roles",
        "regulations",
        "penalty_rules",
        "prohibited_acts",
        "reward_rules",
        "duties",
        "approval_rules",
        "article_links",
    }
)


@dataclass(frozen=True)
class PackSection:
    """A section of pack files that a module above duties adds."""

    name: str
    label: Any
    model: type[models.Model]
    prefix: str
    item_schema: Mapping[str, Any]
    write: Callable[[Writer, Item], models.Model | None]
    check: Callable[[Any, Item], None] | None = None
    #: the field sets ``write`` gives ``upsert`` for the main object (a sub-object's prefix
    #: and fields go in ``sub_fields``)
    fields: tuple[tuple[str, ...], ...] = ()
    sub_fields: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    #: the articles this section's items encode, as a short text for the format's reader
    description: Any = ""
    #: written after sections of a lower order (built-in sections come first)
    order: int = 100

    @property
    def target(self) -> str:
        """``app_label.modelname``, as ``article_links.target`` names it."""
        return self.model._meta.label_lower


_sections: dict[str, PackSection] = {}


def register_section(section: PackSection) -> PackSection:
    """Declare a pack section (a second declaration under the same name replaces the first:
    a module reloaded in a test process)."""
    if section.name in BUILT_IN:
        raise ValueError(f"{section.name!r} is a built-in pack section")
    if not section.name.isidentifier() or not section.name.islower():
        raise ValueError(f"A pack section's name is lower_case: {section.name!r}")
    _sections[section.name] = section
    return section


def unregister_section(name: str) -> None:
    """Forget a section (a test's own, once the test is over)."""
    _sections.pop(name, None)


def get_section(name: str) -> PackSection | None:
    return _sections.get(name)


def all_sections() -> list[PackSection]:
    """The registered sections, in the order they are written."""
    return sorted(_sections.values(), key=lambda s: (s.order, s.name))


def field_sets(prefix: str) -> tuple[tuple[str, ...], ...]:
    """The field sets registered for the pack item key prefix ``prefix`` (empty: none)."""
    for section in _sections.values():
        if section.prefix == prefix:
            return section.fields
        if prefix in section.sub_fields:
            return section.sub_fields[prefix]
    return ()


__all__ = [
    "BUILT_IN",
    "PackSection",
    "all_sections",
    "field_sets",
    "get_section",
    "register_section",
    "unregister_section",
]
