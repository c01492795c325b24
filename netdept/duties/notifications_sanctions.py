"""Event kinds of violations, penalties, appeals and rewards, and who hears of what.

Variables: ``person`` (whom it is about), ``violation`` (what was breached), ``source`` (how
it was found), ``occurred`` (when), ``sanction``, ``amount`` (¥, two places; empty for no
money), ``percent`` (a pay cut), ``offence`` (the offence's number in the period),
``status`` (the penalty's, in the reader's words), ``appeal_until``, ``reason``, ``outcome``
(an appeal's), ``comment`` (the decider's), ``reward`` (a reward's kind), ``by``.
Every message links to the page of the penalty, the appeal or the reward.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from netdept.duties.models import Appeal, Penalty, PenaltyStatus, Reward, Violation
from netdept.notify import event_kind, notify

VARIABLES = (
    "person", "violation", "source", "occurred", "sanction", "amount", "percent", "offence",
    "status", "appeal_until", "reason", "outcome", "comment", "reward", "by",
)  # fmt: skip
_LINK_ZH = "{% if link %}\n查看：{{ link }}{% endif %}"
_LINK_EN = "{% if link %}\nOpen: {{ link }}{% endif %}"
_SANCTION_ZH = (
    "{{ sanction }}{% if amount %} ¥{{ amount }}{% endif %}{% if percent %} {{ percent }}%"
    "{% endif %}"
)
_SANCTION_EN = _SANCTION_ZH

event_kind(
    "duties.violation",
    _("A violation was recorded against you"),
    variables=VARIABLES,
    subject={"zh-hans": "违规记录：{{ violation }}", "en": "Violation recorded: {{ violation }}"},
    body={
        "zh-hans": (
            "{{ occurred }}，您有一项违规（{{ source }}）：{{ violation }}。"
            "{% if sanction %}\n按制度处理：第 {{ offence }} 次，"
            + _SANCTION_ZH
            + "（{{ status }}）。{% endif %}"
            "{% if appeal_until %}\n如有异议，可在 {{ appeal_until }} 前申诉。{% endif %}"
            + _LINK_ZH
        ),
        "en": (
            "On {{ occurred }} you were recorded with a violation ({{ source }}): {{ violation }}."
            "{% if sanction %}\nBy the rule: offence {{ offence }}, "
            + _SANCTION_EN
            + " ({{ status }}).{% endif %}"
            "{% if appeal_until %}\nYou may appeal until {{ appeal_until }}.{% endif %}" + _LINK_EN
        ),
    },
    default_channels=("inbox", "email"),
    severity="warning",
    description=_("Sent to the person when a violation is recorded and its penalty imposed."),
)

event_kind(
    "duties.penalty_decided",
    _("A penalty that needed a decision was decided"),
    variables=VARIABLES,
    subject={"zh-hans": "处罚决定：{{ sanction }}", "en": "Penalty decided: {{ sanction }}"},
    body={
        "zh-hans": (
            "关于「{{ violation }}」的处罚（" + _SANCTION_ZH + "）已决定：{{ status }}。"
            "{% if appeal_until %}\n如有异议，可在 {{ appeal_until }} 前申诉。{% endif %}"
            + _LINK_ZH
        ),
        "en": (
            "The penalty for “{{ violation }}” (" + _SANCTION_EN + ") was decided: {{ status }}."
            "{% if appeal_until %}\nYou may appeal until {{ appeal_until }}.{% endif %}" + _LINK_EN
        ),
    },
    default_channels=("inbox", "email"),
    severity="warning",
    description=_("Sent to the person when the director decides a penalty."),
)

event_kind(
    "duties.appeal_decided",
    _("Your appeal was decided"),
    variables=VARIABLES,
    subject={"zh-hans": "申诉结果：{{ outcome }}", "en": "Appeal decided: {{ outcome }}"},
    body={
        "zh-hans": (
            "您对「{{ violation }}」处罚的申诉：{{ outcome }}。"
            "{% if comment %}\n意见：{{ comment }}{% endif %}" + _LINK_ZH
        ),
        "en": (
            "Your appeal against the penalty for “{{ violation }}”: {{ outcome }}."
            "{% if comment %}\nComment: {{ comment }}{% endif %}" + _LINK_EN
        ),
    },
    default_channels=("inbox", "email"),
    description=_("Sent to the person when their appeal is granted or refused."),
)

event_kind(
    "duties.penalty_withdrawn",
    _("A penalty of yours was withdrawn"),
    variables=VARIABLES,
    subject={"zh-hans": "处罚已撤销：{{ violation }}", "en": "Penalty withdrawn: {{ violation }}"},
    body={
        "zh-hans": "关于「{{ violation }}」的处罚已撤销。原因：{{ reason }}" + _LINK_ZH,
        "en": "The penalty for “{{ violation }}” was withdrawn. Reason: {{ reason }}" + _LINK_EN,
    },
    default_channels=("inbox",),
    description=_("Sent to the person when a penalty of theirs is withdrawn."),
)

event_kind(
    "duties.reward",
    _("You received a reward"),
    variables=VARIABLES,
    subject={"zh-hans": "奖励：{{ reward }}", "en": "Reward: {{ reward }}"},
    body={
        "zh-hans": "您获得{{ reward }}{% if amount %} ¥{{ amount }}{% endif %}：{{ reason }}"
        + _LINK_ZH,
        "en": "You received a {{ reward }}{% if amount %} of ¥{{ amount }}{% endif %}: "
        "{{ reason }}" + _LINK_EN,
    },
    default_channels=("inbox",),
    description=_("Sent to the person when a reward is granted."),
)


def _violation_text(violation: Violation) -> str:
    if violation.prohibited_act_id and violation.prohibited_act is not None:
        return str(violation.prohibited_act)
    if violation.occurrence_id and violation.occurrence is not None:
        return str(violation.occurrence.duty)
    if violation.penalty_rule_id and violation.penalty_rule is not None:
        return str(violation.penalty_rule)
    return violation.record_label or violation.description[:100] or str(violation)


def _penalty_data(penalty: Penalty) -> dict[str, Any]:
    return {
        "sanction": penalty.get_sanction_display(),
        "amount": f"{penalty.amount:.2f}" if penalty.amount is not None else "",
        "percent": f"{penalty.percent:g}" if penalty.percent is not None else "",
        "offence": penalty.offence_no,
        "status": penalty.get_status_display(),
        "appeal_until": penalty.appeal_until if penalty.status == PenaltyStatus.EFFECTIVE else None,
    }


def violation_recorded(violation: Violation, penalty: Penalty | None) -> None:
    notify(
        "duties.violation",
        obj=penalty if penalty is not None else violation,
        recipients=[violation.person],
        data={
            "person": violation.person.name,
            "violation": _violation_text(violation),
            "source": violation.get_source_display(),
            "occurred": violation.occurred_at,
            **(_penalty_data(penalty) if penalty is not None else {}),
        },
        dedupe_key=f"violation:{violation.pk}",
    )


def penalty_decided(penalty: Penalty) -> None:
    notify(
        "duties.penalty_decided",
        obj=penalty,
        recipients=[penalty.person],
        data={
            "person": penalty.person.name,
            "violation": _violation_text(penalty.violation),
            **_penalty_data(penalty),
        },
    )


def appeal_decided(appeal: Appeal) -> None:
    notify(
        "duties.appeal_decided",
        obj=appeal.penalty,
        recipients=[appeal.person],
        data={
            "person": appeal.person.name,
            "violation": _violation_text(appeal.penalty.violation),
            "outcome": appeal.get_status_display(),
            "comment": appeal.decision_comment,
            **_penalty_data(appeal.penalty),
        },
    )


def penalty_withdrawn(penalty: Penalty) -> None:
    notify(
        "duties.penalty_withdrawn",
        obj=penalty,
        recipients=[penalty.person],
        data={
            "person": penalty.person.name,
            "violation": _violation_text(penalty.violation),
            "reason": penalty.withdrawn_reason,
            **_penalty_data(penalty),
        },
    )


def reward_granted(reward: Reward) -> None:
    notify(
        "duties.reward",
        obj=reward,
        recipients=[reward.person],
        data={
            "person": reward.person.name,
            "reward": reward.get_kind_display(),
            "amount": f"{reward.amount:.2f}" if reward.amount is not None else "",
            "reason": reward.reason,
        },
    )
