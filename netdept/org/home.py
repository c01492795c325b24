"""The organisation's part of the home page (``netdept.core.home``), registered by
``OrgConfig.ready()``:

* which changes the auditor's "recent privileged actions" shows: accounts, roles, role
  assignments, account-management grants, the security policy and API tokens;
* set-up warnings for who can fix them: accounts that hold no role (they see nothing after
  signing in: the security administrator grants roles), active teams without a lead (the
  system administrator keeps the org chart), no active notification channel (people are told
  in the inbox only), privileged roles signing in without a second factor (the security
  administrator's concern).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from netdept.core import permissions
from netdept.core.home import SetupWarning, register_setup_check
from netdept.core.home_widgets import register_privileged_types
from netdept.notify.models import NotificationChannel
from netdept.org.models import RoleAssignment, Team
from netdept.org.roles import privileged_2fa


def setup_checks(user: Any) -> list[SetupWarning]:
    found: list[SetupWarning] = []
    if permissions.has_perm(user, "org.add_roleassignment"):
        without_role = (
            get_user_model()
            .objects.filter(is_active=True)
            .exclude(pk__in=RoleAssignment.objects.values("user_id"))
            .count()
        )
        if without_role:
            found.append(
                SetupWarning(
                    ngettext(
                        "%(count)s active account holds no role: it sees nothing after signing in.",
                        "%(count)s active accounts hold no role: they see nothing after "
                        "signing in.",
                        without_role,
                    )
                    % {"count": without_role},
                    reverse("org:roleassignment_add"),
                    _("Grant a role"),
                    key="account-without-role",
                )
            )
        if not privileged_2fa():
            found.append(
                SetupWarning(
                    _(
                        "Privileged roles sign in without a second factor "
                        "(NETDEPT_PRIVILEGED_2FA is off)."
                    ),
                    level="danger",
                    key="privileged-2fa-off",
                )
            )
    if permissions.has_perm(user, "notify.add_notificationchannel") and not (
        NotificationChannel.objects.filter(is_active=True).exists()
    ):
        found.append(
            SetupWarning(
                _(
                    "No notification channel is active: people are told only in NetDept's "
                    "inbox (no e-mail, WeCom, DingTalk or Feishu message)."
                ),
                reverse("notify:notificationchannel_add"),
                _("Add a channel"),
                "info",
                key="no-channel",
            )
        )
    if permissions.has_perm(user, "org.change_team"):
        no_lead = Team.objects.filter(is_active=True, lead__isnull=True).count()
        if no_lead:
            found.append(
                SetupWarning(
                    ngettext(
                        "%(count)s active team has no team lead: nobody is told when its "
                        "orders are about to breach.",
                        "%(count)s active teams have no team lead: nobody is told when their "
                        "orders are about to breach.",
                        no_lead,
                    )
                    % {"count": no_lead},
                    reverse("org:team_list"),
                    _("Open the teams"),
                    "info",
                    key="team-without-lead",
                )
            )
    return found


register_privileged_types("org.role", "org.roleassignment", "org.accountgrant", rights=True)
register_privileged_types("auth.user", "accounts.securitypolicy", "accounts.apitoken")
register_setup_check(setup_checks)
