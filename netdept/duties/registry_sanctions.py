"""The pages and API of sanctions, through the generic stack.

Penalty rules, their steps, prohibited acts and reward rules are configuration (forms, their
services validate: a fine names its amount, money is CNY to the fen). Violations, penalties,
appeals and rewards are written by the services only (``services.violations``,
``services.rewards``): their generic pages and endpoints are read-only; the penalty's and the
reward's buttons (appeal, withdraw) and API actions come from the machines below; recording a
violation and granting a reward have their own pages (``views_sanctions``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from netdept.core.context_processors import add_nav
from netdept.core.machines import TEXTAREA, Field, Machine, Transition, Who
from netdept.core.machines import register as machine
from netdept.core.registry import Page, register
from netdept.duties import forms_sanctions as f
from netdept.duties.models import (
    Appeal,
    Penalty,
    PenaltyRule,
    PenaltyStatus,
    PenaltyStep,
    ProhibitedAct,
    Reward,
    RewardRule,
    RewardStatus,
    Violation,
)
from netdept.duties.services import rewards as reward_services
from netdept.duties.services import violations as svc

V = "netdept.duties.services.violations."


def _may_appeal(user: Any, penalty: Penalty) -> bool:
    return svc.may_appeal(penalty, svc.person_of(user))


def _may_withdraw(user: Any, penalty: Penalty) -> bool:
    return svc.may_withdraw_penalty(svc.person_of(user), penalty)


def _may_withdraw_reward(user: Any, reward: Reward) -> bool:
    by = svc.person_of(user)
    return by is not None and svc.may_sanction(by, reward.person, "duties.change_reward")


DECIDER = Who("duties.penalty_decider", test=svc.may_choose_alternative)
PERSON_PENALISED = Who("duties.penalised_person", test=_may_appeal)
LEAD = Who("duties.lead", test=_may_withdraw)
REWARD_LEAD = Who("duties.reward_lead", test=_may_withdraw_reward)

PENALTY_MACHINE = machine(
    Machine(
        Penalty,
        version_field="version",
        default_who=(LEAD,),
        external_states=[PenaltyStatus.PENDING, PenaltyStatus.EFFECTIVE, PenaltyStatus.REJECTED],
        transitions=[
            Transition(
                "appeal", _("Appeal"), [PenaltyStatus.EFFECTIVE], PenaltyStatus.APPEALED,
                V + "appeal_action", who=[PERSON_PENALISED], icon="bi-megaphone",
                style="warning", order=10,
                fields=[Field("reason", kind=TEXTAREA, rows=4, label=_("why you appeal"),
                              required=True, max_length=svc.MAX_TEXT)],
                refusal=_("Only a penalty in effect can be appealed; this one is %(status)s."),
                done=_("Your appeal was sent; it is decided a level up."),
            ),
            Transition(
                "choose_alternative", _("Choose the alternative"), [PenaltyStatus.PENDING],
                PenaltyStatus.PENDING, V + "choose_alternative", who=[DECIDER],
                icon="bi-arrow-left-right", style="outline-secondary", order=15,
                confirm=_("Take the rule's alternative sanction instead, then decide it?"),
                refusal=_("Only a penalty awaiting a decision can change; this one is "
                          "%(status)s."),
                done=_("The alternative sanction was taken; approve or reject it now."),
            ),
            Transition(
                "withdraw", _("Withdraw the penalty"),
                [PenaltyStatus.PENDING, PenaltyStatus.EFFECTIVE, PenaltyStatus.APPEALED],
                PenaltyStatus.WITHDRAWN, V + "withdraw_action", who=[LEAD],
                icon="bi-x-circle", style="outline-danger", order=20,
                fields=[Field("reason", kind=TEXTAREA, rows=2, label=_("reason"),
                              required=True, max_length=svc.MAX_REASON)],
                confirm=_("Withdraw this penalty? It stays in the history."),
                refusal=_("This penalty is %(status)s already."),
                done=_("The penalty was withdrawn; it stays in the history."),
            ),
        ],
    )
)  # fmt: skip

REWARD_MACHINE = machine(
    Machine(
        Reward,
        default_who=(REWARD_LEAD,),
        transitions=[
            Transition(
                "withdraw", _("Withdraw the reward"), [RewardStatus.EFFECTIVE],
                RewardStatus.WITHDRAWN, "netdept.duties.services.rewards.withdraw_action",
                who=[REWARD_LEAD], icon="bi-x-circle", style="outline-danger",
                fields=[Field("reason", kind=TEXTAREA, rows=2, label=_("reason"),
                              required=True, max_length=reward_services.MAX_REASON)],
                confirm=_("Withdraw this reward? It stays in the ledger."),
                refusal=_("This reward is %(status)s already."),
                done=_("The reward was withdrawn; it stays in the ledger."),
            ),
        ],
    )
)  # fmt: skip

# --- configuration -------------------------------------------------------------------------
register(
    Page(
        model=PenaltyRule,
        nav_group="duties",
        nav_order=60,
        icon="bi-exclamation-octagon",
        slug="penalty-rules",
        api_name="penalty-rules",
        fields=f.PENALTY_RULE_FIELDS,
        columns=["name", "code", "family", "period", "appeal_days", "pack", "is_active"],
        filters=["period", "pack", "is_active"],
        search=["name", "code", "description", "family"],
        prefetch_related=["articles"],
        service=svc.PenaltyRuleService(),
    )
)
register(
    Page(
        model=PenaltyStep,
        nav_group="duties",
        nav_order=61,
        icon="bi-sort-numeric-up",
        slug="penalty-steps",
        api_name="penalty-steps",
        fields=f.PENALTY_STEP_FIELDS,
        columns=["rule", "offence", "sanction", "amount", "per_item", "percent", "alternative"],
        filters=["rule", "sanction", "per_item"],
        search=["rule__name", "note"],
        select_related=["rule"],
        service=svc.PenaltyStepService(),
    )
)
register(
    Page(
        model=ProhibitedAct,
        nav_group="duties",
        nav_order=62,
        icon="bi-slash-circle",
        slug="prohibited-acts",
        api_name="prohibited-acts",
        fields=f.PROHIBITED_ACT_FIELDS,
        columns=["name", "code", "penalty_rule", "pack", "is_active"],
        filters=["penalty_rule", "pack", "is_active"],
        search=["name", "code", "description"],
        select_related=["penalty_rule"],
        prefetch_related=["articles"],
        service=svc.ProhibitedActService(),
    )
)
register(
    Page(
        model=RewardRule,
        nav_group="duties",
        nav_order=63,
        icon="bi-award",
        slug="reward-rules",
        api_name="reward-rules",
        fields=f.REWARD_RULE_FIELDS,
        columns=["name", "code", "kind", "amount", "pack", "is_active"],
        filters=["kind", "pack", "is_active"],
        search=["name", "code", "description"],
        prefetch_related=["articles"],
        service=reward_services.RewardRuleService(),
    )
)

# --- the ledgers (written by the services only) --------------------------------------------
register(
    Page(
        model=Violation,
        nav_group="duties",
        nav_order=40,
        icon="bi-exclamation-triangle",
        slug="violations",
        api_name="violations",
        fields=[],
        columns=[
            "person", "source", "occurred_at", "prohibited_act", "penalty_rule", "occurrence",
            "quantity", "record_label", "status", "recorded_by", "description",
        ],
        default_columns=["person", "source", "occurred_at", "penalty_rule", "quantity", "status"],
        detail_fields=[
            "person", "source", "occurred_at", "occurrence", "prohibited_act", "penalty_rule",
            "record_label", "quantity", "description", "recorded_by", "status",
        ],
        filters=["source", "status", "person", "penalty_rule", "prohibited_act"],
        search=["person__name", "description", "record_label"],
        select_related=["person", "prohibited_act", "penalty_rule", "occurrence__duty",
                        "recorded_by"],
        can_add=False,
        can_change=False,
        can_delete=False,
        importable=False,
    )
)  # fmt: skip
register(
    Page(
        model=Penalty,
        nav_group="duties",
        nav_order=41,
        icon="bi-cash-coin",
        slug="penalties",
        api_name="penalties",
        fields=[],
        columns=[
            "person", "violation", "rule", "offence_no", "sanction", "amount", "percent", "month",
            "status", "effective_at", "appeal_until", "withdrawn_at", "withdrawn_reason",
        ],
        default_columns=["person", "rule", "offence_no", "sanction", "amount", "month", "status",
                         "appeal_until"],
        detail_fields=[
            "person", "violation", "rule", "offence_no", "sanction", "amount", "percent", "month",
            "status", "approval_request", "effective_at", "appeal_until", "withdrawn_at",
            "withdrawn_reason",
        ],
        filters=["status", "sanction", "person", "rule", "month"],
        search=["person__name", "withdrawn_reason"],
        select_related=["person", "rule", "violation", "violation__person", "approval_request"],
        can_add=False,
        can_change=False,
        can_delete=False,
        machine=PENALTY_MACHINE,
        importable=False,
    )
)  # fmt: skip
register(
    Page(
        model=Appeal,
        nav_group="duties",
        nav_order=42,
        icon="bi-megaphone",
        slug="appeals",
        api_name="appeals",
        fields=[],
        columns=["person", "penalty", "reason", "status", "created_at", "decided_at",
                 "decision_comment"],
        default_columns=["person", "penalty", "status", "created_at", "decided_at"],
        filters=["status", "person"],
        search=["person__name", "reason", "decision_comment"],
        select_related=["person", "penalty", "penalty__person", "penalty__violation",
                        "approval_request"],
        can_add=False,
        can_change=False,
        can_delete=False,
        importable=False,
    )
)  # fmt: skip
register(
    Page(
        model=Reward,
        nav_group="duties",
        nav_order=45,
        icon="bi-trophy",
        slug="rewards",
        api_name="rewards",
        fields=[],
        columns=["person", "kind", "amount", "reason", "awarded_on", "month", "source", "rule",
                 "granted_by", "status"],
        default_columns=["person", "kind", "amount", "reason", "awarded_on", "status"],
        filters=["kind", "source", "status", "person", "rule", "month"],
        search=["person__name", "reason"],
        select_related=["person", "rule", "granted_by"],
        can_add=False,
        can_change=False,
        can_delete=False,
        machine=REWARD_MACHINE,
        importable=False,
    )
)  # fmt: skip

# --- the own pages in the navigation -------------------------------------------------------
add_nav("duties", _("My penalties and rewards"), "duties:my_sanctions", "", "bi-journal-text", 7)
add_nav("duties", _("Record a violation"), "duties:violation_record", "duties.add_violation",
        "bi-exclamation-triangle", 38)  # fmt: skip
add_nav("duties", _("Grant a reward"), "duties:reward_grant", "duties.add_reward", "bi-trophy",
        44)  # fmt: skip
