"""The approval kind of a regulation version (``duties.regulation``), declared once (imported
by ``wiring`` at ``ready()``): a version is approved before it takes effect. Its default rule
(one step: the director) is written after ``migrate`` when the kind has none; a site's or a
pack's own rule is never touched. The daily job of the register (versions taking effect,
review reminders) is ``tasks_regulations``'.
"""

from __future__ import annotations

from typing import Any, Final

from django.apps import AppConfig, apps
from django.db import transaction
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from netdept.approvals.kinds import NUMBER, TEXT, ApprovalKind, Condition, register_kind
from netdept.approvals.models import ApprovalRule, ApprovalStepRule, Approver
from netdept.duties.models import RegulationVersion
from netdept.duties.services.regulations import REGULATION_KIND

#: the default rule, in the site's language as an administrator would have written it
DEFAULT_RULE: Final = (
    "duties-regulation",
    "管理制度审批",
    "管理制度的新版本经主任批准后，于生效日期起施行。",
    "主任审批",
)


def _title(version: RegulationVersion) -> str:
    return f"{version.regulation.title} {version.label}"


def _data(version: RegulationVersion) -> dict[str, Any]:
    return {"articles": version.articles.count(), "issuer": version.regulation.issuer}


def _requester(version: RegulationVersion) -> Any:
    return None  # the person who submits


REGULATION = register_kind(
    ApprovalKind(
        code=REGULATION_KIND,
        label=_("regulation version before it takes effect"),
        model=RegulationVersion,
        fields={
            "articles": Condition(_("number of articles"), NUMBER),
            "issuer": Condition(_("issuer"), TEXT),
        },
        data=_data,
        requester=_requester,
        title=_title,
        on_decided="netdept.duties.services.regulations.version_decided",
        description=_(
            "A new version of a regulation: approved, it takes effect on its date and "
            "supersedes the previous one."
        ),
    )
)


def ensure_default_rule(using: str = "default") -> None:
    code, name, description, step = DEFAULT_RULE
    with transaction.atomic(using=using):
        if ApprovalRule.objects.using(using).filter(kind=REGULATION_KIND).exists():
            return
        if ApprovalRule.objects.using(using).filter(code=code).exists():
            return
        rule = ApprovalRule.objects.using(using).create(
            name=name, code=code, kind=REGULATION_KIND, is_default=True, description=description
        )
        ApprovalStepRule.objects.using(using).create(
            rule=rule, order=10, name=step, approver=Approver.DIRECTOR
        )


def _after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    ensure_default_rule(using=using)


post_migrate.connect(
    _after_migrate, sender=apps.get_app_config("duties"), dispatch_uid="duties.regulation_rule"
)
