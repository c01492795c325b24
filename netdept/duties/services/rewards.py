"""The rewards ledger (表彰, 奖金): grant and withdraw.

Rewards are a ledger of their own. Nothing here reads penalties, and nothing anywhere nets one
against the other (功过不能相抵): a reward never cancels, reduces or offsets a penalty, and a
penalty never reduces a reward. A withdrawn reward stays in the ledger with its status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.core import audit
from netdept.core.models.audit import AuditAction
from netdept.core.services import ModelService
from netdept.duties.models import Reward, RewardKind, RewardRule, RewardSource, RewardStatus
from netdept.duties.services.violations import may_sanction, money
from netdept.org.models import Person

MAX_REASON: Final = 1000


def _user(person: Person | None) -> Any:
    return person.user if person is not None and person.user_id else None


def _require(by: Person | None, person: Person, perm: str) -> None:
    """A lead of ``person`` holding ``perm`` (``violations.may_sanction``); None: the system."""
    if may_sanction(by, person, perm):
        return
    audit.record(AuditAction.DENIED, None, actor=_user(by), extra={"permission": perm},
                 object_type_label="duties.reward", object_repr=person.name)  # fmt: skip
    raise PermissionDenied(
        _("Only a lead of %(person)s (their team lead, a superior or the director) may do this.")
        % {"person": person.name}
    )


def grant(
    person: Person,
    *,
    kind: str | None = None,
    amount: Any = None,
    reason: str,
    rule: RewardRule | None = None,
    awarded_on: dt.date | None = None,
    by: Person | None = None,
    source: str = RewardSource.MANUAL,
) -> Reward:
    """Grant ``person`` a reward. With a ``rule``: its kind and amount unless given. ``by``:
    who grants it (checked for ``duties.add_reward``; None: the system, e.g. the monthly
    review). A bad amount is refused naming ``amount``."""
    if not isinstance(person, Person):
        raise ValidationError({"person": _("Choose the person.")})
    if rule is not None and not rule.is_active:
        raise ValidationError({"rule": _("This reward rule is no longer in use.")})
    kind = kind or (rule.kind if rule is not None else RewardKind.COMMENDATION)
    if kind not in RewardKind.values:
        raise ValidationError({"kind": _("Unknown kind of reward.")})
    if source not in RewardSource.values:
        raise ValidationError({"source": _("Unknown source of a reward.")})
    value = money(amount, "amount")
    if value is None and rule is not None:
        value = rule.amount
    if kind == RewardKind.BONUS and not value:
        raise ValidationError({"amount": _("A bonus needs its amount.")})
    text = str(reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("Give the reason.")})
    if len(text) > MAX_REASON:
        raise ValidationError(
            {"reason": _("Keep it to %(limit)s characters.") % {"limit": MAX_REASON}}
        )
    if awarded_on is None:
        awarded_on = timezone.localdate()
    if not isinstance(awarded_on, dt.date) or isinstance(awarded_on, dt.datetime):
        raise ValidationError({"awarded_on": _("Enter a date.")})
    _require(by, person, "duties.add_reward")
    reward = Reward(
        person=person,
        rule=rule,
        kind=kind,
        amount=value,
        reason=text,
        awarded_on=awarded_on,
        month=awarded_on.replace(day=1),
        source=source,
        granted_by=by,
    )
    reward.full_clean()
    with transaction.atomic():
        reward.save()
        audit.record(
            AuditAction.CREATE,
            reward,
            actor=_user(by),
            changes={k: [None, v] for k, v in audit.snapshot(reward).items()},
        )
        from netdept.duties import notifications_sanctions as notes

        notes.reward_granted(reward)
    return reward


def withdraw_reward(reward: Reward, *, by: Person | None, reason: str) -> Reward:
    """Withdraw a reward granted by mistake: it stays in the ledger, status withdrawn."""
    text = str(reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("Give the reason.")})
    if len(text) > MAX_REASON:
        raise ValidationError(
            {"reason": _("Keep it to %(limit)s characters.") % {"limit": MAX_REASON}}
        )
    _require(by, reward.person, "duties.change_reward")
    with transaction.atomic():
        reward = Reward.objects.select_for_update().get(pk=reward.pk)
        if reward.status == RewardStatus.WITHDRAWN:
            raise ValidationError({"status": _("This reward is withdrawn already.")})
        reward.status = RewardStatus.WITHDRAWN
        reward.save(update_fields=["status", "updated_at"])
        audit.record(
            AuditAction.UPDATE,
            reward,
            actor=_user(by),
            changes={"status": [RewardStatus.EFFECTIVE.value, RewardStatus.WITHDRAWN.value]},
            extra={"reason": text[:200]},
        )
    return reward


def withdraw_action(user: Any, reward: Reward, reason: str = "") -> Reward:
    """The "withdraw" button of a reward's page (and its API action)."""
    from netdept.duties.services.violations import person_of

    by = person_of(user)
    if by is None:
        raise PermissionDenied(_("You may not grant or withdraw rewards."))
    return withdraw_reward(reward, by=by, reason=reason)


class RewardRuleService(ModelService[RewardRule]):
    """A reward rule's amount is CNY to the fen; a bonus names its amount."""

    model = RewardRule

    def before_save(
        self, actor: Any, obj: RewardRule, data: Mapping[str, Any], creating: bool
    ) -> None:
        obj.amount = money(obj.amount, "amount")
        if obj.kind == RewardKind.BONUS and not obj.amount:
            raise ValidationError({"amount": _("A bonus needs its amount.")})
