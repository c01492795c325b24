"""The registry of event kinds: what can be notified, with which variables and default wording.

A module declares its kinds once, at import time, in ``<app>/notifications.py`` (found
automatically) or in any module its app config imports::

    event_kind(
        "workorders.assigned",
        _("Work order assigned"),
        variables=["number", "title", "assignee"],
        subject={"zh-hans": "工单 {{ number }} 已分配给您", "en": "Order {{ number }} assigned"},
        body={"zh-hans": "{{ title }}", "en": "{{ title }}"},
        default_channels=("inbox", "email"),
    )

Templates use the Django template language. Besides the declared ``variables`` they may use
``obj`` (the object the event is about), ``link`` (absolute URL back to it), ``severity`` and
``kind``. Administrators may override the wording per language (``NotificationTemplate``) and
make a kind mandatory or urgent (``EventKindSetting``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from netdept.notify import render

# Variables every template may use, whatever the kind declares.
BUILTIN_VARIABLES = ("obj", "link", "severity", "kind")
INBOX = "inbox"


@dataclass(frozen=True)
class EventKind:
    code: str
    label: Any
    variables: tuple[str, ...]
    subject: Mapping[str, str]
    body: Mapping[str, str]
    default_channels: tuple[str, ...] = (INBOX,)
    urgent: bool = False
    severity: str = "info"
    #: deliver to the inbox only, whatever the user or an administrator chose (used for the
    #: notifications about notifications, so that a broken channel cannot cause a loop)
    inbox_only: bool = False
    description: Any = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def allowed_variables(self) -> set[str]:
        return {*self.variables, *BUILTIN_VARIABLES}


_KINDS: dict[str, EventKind] = {}
_discovered = False


def event_kind(
    code: str,
    label: Any,
    variables: Iterable[str],
    subject: Mapping[str, str],
    body: Mapping[str, str],
    default_channels: Iterable[str] = (INBOX,),
    urgent: bool = False,
    severity: str = "info",
    *,
    inbox_only: bool = False,
    description: Any = "",
) -> EventKind:
    """Declare (or redeclare) the event kind ``code``; its default templates are checked now."""
    kind = EventKind(
        code=code,
        label=label,
        variables=tuple(variables),
        subject=dict(subject),
        body=dict(body),
        default_channels=tuple(default_channels),
        urgent=urgent,
        severity=severity,
        inbox_only=inbox_only,
        description=description,
    )
    for lang, text in kind.subject.items():
        render.check(text, kind, "subject", lang)
    for lang, text in kind.body.items():
        render.check(text, kind, "body", lang)
    _KINDS[code] = kind
    return kind


def discover() -> None:
    """Import every installed app's ``notifications`` module (where kinds are declared)."""
    global _discovered
    if not _discovered:
        _discovered = True
        autodiscover_modules("notifications")


def get(code: str) -> EventKind | None:
    discover()
    return _KINDS.get(code)


def all_kinds() -> list[EventKind]:
    discover()
    return sorted(_KINDS.values(), key=lambda k: k.code)


def choices() -> list[tuple[str, str]]:
    return [(k.code, f"{k.label} ({k.code})") for k in all_kinds()]


def unregister(code: str) -> None:
    _KINDS.pop(code, None)


# --- the core kinds --------------------------------------------------------------------------

event_kind(
    "core.test",
    _("Test message"),
    variables=["message", "sender"],
    subject={"zh-hans": "NetDept 测试消息", "en": "NetDept test message"},
    body={
        "zh-hans": (
            "{{ message|default:'这是一条测试消息。' }}"
            "{% if sender %}\n发送人：{{ sender }}{% endif %}"
        ),
        "en": (
            "{{ message|default:'This is a test message.' }}"
            "{% if sender %}\nSent by {{ sender }}{% endif %}"
        ),
    },
    default_channels=(INBOX,),
)
event_kind(
    "core.delivery_failed",
    _("A notification could not be delivered"),
    variables=["channel", "channel_kind", "recipient", "title", "error", "attempts", "delivery_id"],
    subject={
        "zh-hans": "通知发送失败：{{ channel }}",
        "en": "Notification failed on {{ channel }}",
    },
    body={
        "zh-hans": (
            "通道 {{ channel }}（{{ channel_kind }}）发送“{{ title }}”失败，"
            "已尝试 {{ attempts }} 次。{% if recipient %}\n接收人：{{ recipient }}{% endif %}"
            "\n错误：{{ error }}"
        ),
        "en": (
            "Channel {{ channel }} ({{ channel_kind }}) could not send “{{ title }}” after "
            "{{ attempts }} attempt(s).{% if recipient %}\nRecipient: {{ recipient }}{% endif %}"
            "\nError: {{ error }}"
        ),
    },
    severity="warning",
    inbox_only=True,
)
event_kind(
    "core.account_locked",
    _("Account locked after failed sign-ins"),
    variables=["username", "ip", "until"],
    subject={
        "zh-hans": "账号 {{ username }} 已被锁定",
        "en": "Account {{ username }} locked",
    },
    body={
        "zh-hans": (
            "账号 {{ username }} 因多次登录失败被锁定{% if until %}至 {{ until }}{% endif %}。"
            "来源 IP：{{ ip|default:'未知' }}"
        ),
        "en": (
            "Account {{ username }} was locked after repeated failed sign-ins"
            "{% if until %} until {{ until }}{% endif %}. Source IP: {{ ip|default:'unknown' }}"
        ),
    },
    severity="warning",
)
event_kind(
    "core.holidays_unknown",
    _("A year's public holidays are not known"),
    variables=["calendar", "years"],
    subject={
        "zh-hans": "工作日历 {{ calendar }} 缺少 {{ years }} 年的节假日安排",
        "en": "Working calendar {{ calendar }}: the holidays of {{ years }} are not known",
    },
    body={
        "zh-hans": (
            "工作日历 {{ calendar }} 尚无 {{ years }} 年的法定节假日和调休安排，"
            "这些日期暂按周一至周五计为工作日，SLA 到期时间可能落在节假日。"
            "请在国务院办公厅公布安排后录入（可直接粘贴通知原文）。"
            "{% if link %}\n录入：{{ link }}{% endif %}"
        ),
        "en": (
            "Working calendar {{ calendar }} has no public holidays or make-up working days for "
            "{{ years }}: those days count Monday to Friday as working days, so SLA due times may "
            "fall on holidays. Enter the official schedule once it is published (the notice can be "
            "pasted as is).{% if link %}\nEnter it: {{ link }}{% endif %}"
        ),
    },
    severity="warning",
)
event_kind(
    "core.audit_checkpoint",
    _("Daily checkpoint of the audit trail"),
    variables=["seq", "time", "line", "error"],
    subject={
        "zh-hans": "审计日志检查点：第 {{ seq }} 条",
        "en": "Audit trail checkpoint: record #{{ seq }}",
    },
    body={
        "zh-hans": (
            "审计日志的链头是第 {{ seq }} 条记录（{{ time }}）。请把下面这一行原样保存在 NetDept "
            "服务器以外的地方；核对时把它存入文件，运行 netdept audit verify --checkpoint 文件，"
            "即可发现此后被删除或改写的记录。\n{{ line }}"
            "{% if error %}\n注意：检查点未能写入服务器上的文件：{{ error }}{% endif %}"
        ),
        "en": (
            "The audit trail's head is record #{{ seq }} ({{ time }}). Keep the line below as "
            "it is, somewhere other than the NetDept server; to check, save it in a file and run "
            "netdept audit verify --checkpoint FILE, which finds records deleted or rewritten "
            "since.\n{{ line }}"
            "{% if error %}\nNote: the checkpoint could not be written to the server's file: "
            "{{ error }}{% endif %}"
        ),
    },
    default_channels=(INBOX, "email"),
    description=_(
        "Sent to the auditors every day: the sealed head of the audit trail, to be kept outside "
        "the server so that deleting its tail can be detected."
    ),
)
