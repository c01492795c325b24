"""The approval kinds of sanctions, declared once (imported by ``wiring`` at ``ready()``):

* ``duties.penalty`` — a sanction that needs a decision (pay cut, dismissal review, report to
  the superior unit, discretionary — 酌情处理): the lead proposes, the director decides. Its
  conditions may test the sanction, the amount and the offence's number.
* ``duties.appeal`` — a person's appeal (申诉) against a penalty, decided a level up (by
  default the director: the penalty came from the rule or the team lead one level below).

What happens on each outcome is ``services.violations`` (``penalty_decided``,
``appeal_decided``). The default rule of each kind is written after ``migrate`` when the kind
has none (``ensure_default_rules``): an administrator's or a pack's own rules are never
touched, and a second run changes nothing.
"""

from __future__ import annotations

from typing import Any, Final

from django.apps import AppConfig, apps
from django.db import transaction
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from netdept.approvals.kinds import CHOICE, NUMBER, ApprovalKind, Condition, register_kind
from netdept.approvals.models import ApprovalRule, ApprovalStepRule, Approver
from netdept.duties.models import Appeal, Penalty, Sanction
from netdept.duties.services import violations as svc
from netdept.duties.services.violations import APPEAL_KIND, PENALTY_KIND, proposer

#: (code, name, description, the one step's name) — data in the site's language, as an
#: administrator would have written it
DEFAULT_RULES: Final = {
    PENALTY_KIND: (
        "duties-penalty",
        "处罚决定",
        "降薪、免职审查、上报上级单位及酌情处理的处罚，由组长提出、主任决定。",
        "主任决定",
    ),
    APPEAL_KIND: (
        "duties-appeal",
        "处罚申诉",
        "对处罚的申诉由上一级（主任）决定：批准即撤销处罚（保留记录），驳回则维持。",
        "上级复核",
    ),
}


def _penalty_title(penalty: Penalty) -> str:
    """ "张伟 · 降薪 20%（或 免职审查）": the sanction, its figure, and the step's alternative the
    decider may choose instead."""
    text = f"{penalty.person.name} · {penalty.get_sanction_display()}"
    if penalty.amount is not None:
        text += f" ¥{penalty.amount:.2f}"
    if penalty.percent is not None:
        text += f" {penalty.percent:g}%"
    alternative = svc.alternative_of(penalty)
    if alternative:
        text += str(_("(or %(alternative)s)")) % {"alternative": Sanction(alternative).label}
    return text


def _penalty_data(penalty: Penalty) -> dict[str, Any]:
    return {
        "sanction": penalty.sanction,
        "amount": penalty.amount if penalty.amount is not None else 0,
        "offence": penalty.offence_no,
    }


def _appeal_title(appeal: Appeal) -> str:
    return f"{appeal.person.name} · {_penalty_title(appeal.penalty)}"


def register() -> None:
    register_kind(
        ApprovalKind(
            code=PENALTY_KIND,
            label=_("penalty that needs a decision"),
            model=Penalty,
            fields={
                "sanction": Condition(_("sanction"), CHOICE, tuple(Sanction.choices)),
                "amount": Condition(_("amount (¥)"), NUMBER),
                "offence": Condition(_("offence in the period"), NUMBER),
            },
            data=_penalty_data,
            requester=proposer,
            title=_penalty_title,
            on_decided="netdept.duties.services.violations.penalty_decided",
            description=_(
                "A pay cut, a dismissal review, a report to the superior unit or a discretionary "
                "sanction: the lead proposes, the director decides."
            ),
        )
    )
    register_kind(
        ApprovalKind(
            code=APPEAL_KIND,
            label=_("appeal against a penalty"),
            model=Appeal,
            fields={
                "sanction": Condition(_("sanction"), CHOICE, tuple(Sanction.choices)),
                "amount": Condition(_("amount (¥)"), NUMBER),
            },
            data=lambda appeal: {
                "sanction": appeal.penalty.sanction,
                "amount": appeal.penalty.amount if appeal.penalty.amount is not None else 0,
            },
            requester=lambda appeal: appeal.person,
            title=_appeal_title,
            on_decided="netdept.duties.services.violations.appeal_decided",
            description=_(
                "A person's appeal against a penalty, decided a level up: granted withdraws the "
                "penalty (it stays in the history), refused keeps it."
            ),
        )
    )


def ensure_default_rules(using: str = "default") -> None:
    """The default rule of each kind when it has none: one step, the director. Written as rows
    (the rule services refuse a step the org chart cannot resolve yet: before the first
    migrate nobody is the director; the engine then routes the step to whoever becomes it)."""
    with transaction.atomic(using=using):
        for kind, (code, name, description, step) in DEFAULT_RULES.items():
            if ApprovalRule.objects.using(using).filter(kind=kind).exists():
                continue
            if ApprovalRule.objects.using(using).filter(code=code).exists():
                continue  # the code is taken by another kind's rule: the site decides
            rule = ApprovalRule.objects.using(using).create(
                name=name, code=code, kind=kind, is_default=True, description=description
            )
            ApprovalStepRule.objects.using(using).create(
                rule=rule, order=10, name=step, approver=Approver.DIRECTOR
            )


def _after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    ensure_default_rules(using=using)


register()
post_migrate.connect(
    _after_migrate, sender=apps.get_app_config("duties"), dispatch_uid="duties.sanction_rules"
)
