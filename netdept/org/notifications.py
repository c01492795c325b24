"""Event kinds of the organisation (imported automatically by the notification engine).

三权分立: the auditors hear at once (inbox and their channels, also in quiet hours) of

* ``org.privileged_role_granted``: a privileged role (system administrator, security
  administrator, auditor) was given to an account;
* ``org.privileged_role_removed``: a privileged role was taken from an account;
* ``org.privileged_account_managed``: a privileged administrator's account had its password
  reset, was disabled, enabled or renamed (on the security administrator's grant), or its
  second factor reset (by the security administrator).

Variables: ``account`` (the login), ``role`` (the role's name; empty for account changes),
``action`` (what was done to the account, in words), ``actor`` (who did it).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.notify import event_kind

VARIABLES = ("account", "role", "action", "actor")
AUDITORS = "role:auditor"

event_kind(
    "org.privileged_role_granted",
    _("Privileged role granted"),
    variables=VARIABLES,
    subject={
        "zh-hans": "特权角色授予：{{ account }} 获得「{{ role }}」",
        "en": "Privileged role granted: {{ account }} is now {{ role }}",
    },
    body={
        "zh-hans": "{{ actor }} 将特权角色「{{ role }}」授予了账号 {{ account }}。"
        "{% if link %}\n查看：{{ link }}{% endif %}",
        "en": "{{ actor }} gave the privileged role {{ role }} to the account {{ account }}."
        "{% if link %}\nOpen: {{ link }}{% endif %}",
    },
    default_channels=("inbox", "email"),
    urgent=True,
    severity="warning",
    description=_("Sent to the auditors whenever a privileged role is given to an account."),
)

event_kind(
    "org.privileged_role_removed",
    _("Privileged role removed"),
    variables=VARIABLES,
    subject={
        "zh-hans": "特权角色撤销：{{ account }} 不再是「{{ role }}」",
        "en": "Privileged role removed: {{ account }} is no longer {{ role }}",
    },
    body={
        "zh-hans": "{{ actor }} 撤销了账号 {{ account }} 的特权角色「{{ role }}」。",
        "en": "{{ actor }} took the privileged role {{ role }} from the account {{ account }}.",
    },
    default_channels=("inbox", "email"),
    urgent=True,
    severity="warning",
    description=_("Sent to the auditors whenever a privileged role is taken from an account."),
)

event_kind(
    "org.privileged_account_managed",
    _("Privileged account reset or disabled"),
    variables=VARIABLES,
    subject={
        "zh-hans": "特权账号变更：{{ account }}（{{ action }}）",
        "en": "Privileged account changed: {{ account }} ({{ action }})",
    },
    body={
        "zh-hans": "{{ actor }} 对特权管理员账号 {{ account }} 执行了：{{ action }}。"
        "{% if link %}\n查看：{{ link }}{% endif %}",
        "en": "{{ actor }} did this to the privileged administrator account {{ account }}: "
        "{{ action }}.{% if link %}\nOpen: {{ link }}{% endif %}",
    },
    default_channels=("inbox", "email"),
    urgent=True,
    severity="warning",
    description=_(
        "Sent to the auditors whenever a privileged administrator's password or second factor "
        "is reset or their account is disabled, enabled or renamed."
    ),
)
