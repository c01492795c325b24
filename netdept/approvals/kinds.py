"""Kinds of approval request, declared by the module that owns them.

A module declares, once, in its ``ready()``::

    register_kind(ApprovalKind(
        code="workorders.order",              # what rules and requests name
        label=_("work order before work starts"),
        model=WorkOrder,                      # the object approved (None: the request alone)
        fields={"amount": Condition(_("estimated cost (¥)"), NUMBER)},
        data=lambda order: {"amount": order.estimated_cost},
        requester=lambda order: order.requester,      # a Person
        title=lambda order: f"{order.number} {order.title}",
        on_decided="netdept.workorders.services.approval.decided",
    ))

``fields`` are what a rule's conditions may test (amount over ¥5,000, risk high, leave over 3
days); ``data(obj)`` gives their values when the request is submitted (and again when it is
resubmitted after a return). ``on_decided(request)`` is called, inside the transaction of the
decision, when the request is approved, rejected, returned or withdrawn: the module moves its
object on (the order leaves "pending approval"). A rule and its steps are data: an
administrator or a regulation pack writes them for a declared kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

NUMBER, TEXT, CHOICE = "number", "text", "choice"


@dataclass(frozen=True)
class Condition:
    """A field of a kind that a step's condition may test."""

    label: Any
    type: str = NUMBER
    choices: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class ApprovalKind:
    code: str
    label: Any
    model: type[models.Model] | None = None
    fields: Mapping[str, Condition] = field(default_factory=dict)
    data: Callable[[Any], dict[str, Any]] | None = None
    requester: Callable[[Any], Any] | None = None
    title: Callable[[Any], str] | None = None
    on_decided: str = ""  # dotted path of f(request) -> None
    url: Callable[[Any], str] | None = None  # the object's page (default: the registry's)
    description: Any = ""


_KINDS: dict[str, ApprovalKind] = {}


def register_kind(kind: ApprovalKind) -> ApprovalKind:
    _KINDS[kind.code] = kind
    return kind


def get(code: str) -> ApprovalKind | None:
    return _KINDS.get(code)


def all_kinds() -> list[ApprovalKind]:
    return sorted(_KINDS.values(), key=lambda k: k.code)


def choices() -> list[tuple[str, str]]:
    return [(k.code, str(k.label)) for k in all_kinds()]


def unregister(code: str) -> None:
    _KINDS.pop(code, None)


#: The kind of a request that stands alone (no object of a module): another system submits it
#: through the API with a title and fields, and polls it or hears of the decision by webhook.
GENERAL = register_kind(
    ApprovalKind(
        code="approvals.general",
        label=_("general request"),
        fields={
            "amount": Condition(_("amount (¥)"), NUMBER),
            "days": Condition(_("days"), NUMBER),
            "risk": Condition(
                _("risk"), CHOICE, (("low", _("low")), ("medium", _("medium")), ("high", _("high")))
            ),
            "type": Condition(_("type"), TEXT),
        },
        description=_("A request submitted by another system or by a person, with no object."),
    )
)
