"""Event kinds of work orders (imported automatically by the notification engine).

SLA kinds (raised by ``netdept.workorders.sla.check_all``):

* ``workorders.sla_warning``: an order reached a warning share of its target (default 75 %).
* ``workorders.sla_breached``: an order passed its response or resolution target.
* ``workorders.escalated``: an order is far past its target (default 150 %): the director.

Their variables: ``number``, ``title``, ``priority`` (P1…P4), ``due`` (the instant, shown in
each reader's time zone), ``percent`` (share of the target, integer), ``target`` (``response``
or ``resolution``), ``assignee``, ``team``, ``requester``, ``step`` (the escalation step, in %).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.notify import event_kind

SLA_VARIABLES = (
    "number",
    "title",
    "priority",
    "due",
    "percent",
    "target",
    "assignee",
    "team",
    "requester",
    "step",
)

_TARGET_ZH = "{% if target == 'response' %}响应{% else %}解决{% endif %}"
_TARGET_EN = "{% if target == 'response' %}response{% else %}resolution{% endif %}"
_DETAILS_ZH = (
    "\n工单：{{ number }} {{ title }}"
    "\n优先级：{{ priority }}"
    "\n处理组：{{ team|default:'未分配' }}"
    "\n处理人：{{ assignee|default:'未分配' }}"
    "{% if requester %}\n申请人：{{ requester }}{% endif %}"
    "{% if link %}\n查看：{{ link }}{% endif %}"
)
_DETAILS_EN = (
    "\nOrder: {{ number }} {{ title }}"
    "\nPriority: {{ priority }}"
    "\nTeam: {{ team|default:'unassigned' }}"
    "\nAssignee: {{ assignee|default:'unassigned' }}"
    "{% if requester %}\nRequester: {{ requester }}{% endif %}"
    "{% if link %}\nOpen: {{ link }}{% endif %}"
)

event_kind(
    "workorders.sla_warning",
    _("Work order close to its SLA target"),
    variables=SLA_VARIABLES,
    subject={
        "zh-hans": "工单 {{ number }} 即将超时（已用 {{ percent }}%）",
        "en": "Work order {{ number }} is close to its due time ({{ percent }}% used)",
    },
    body={
        "zh-hans": (
            "工单 {{ number }} 的" + _TARGET_ZH + "时限已用 {{ percent }}%，"
            "将于 {{ due }} 到期，请尽快处理。" + _DETAILS_ZH
        ),
        "en": (
            "Work order {{ number }} has used {{ percent }}% of its " + _TARGET_EN + " time; "
            "it is due at {{ due }}. Please handle it soon." + _DETAILS_EN
        ),
    },
    default_channels=("inbox", "email"),
    severity="warning",
    description=_("Sent to the assignee when an order reaches the warning share of its target."),
)

event_kind(
    "workorders.sla_breached",
    _("Work order past its SLA target"),
    variables=SLA_VARIABLES,
    subject={
        "zh-hans": "工单 {{ number }} 已超时（" + _TARGET_ZH + "时限）",
        "en": "Work order {{ number }} is past its " + _TARGET_EN + " due time",
    },
    body={
        "zh-hans": (
            "工单 {{ number }} 已超过" + _TARGET_ZH + "时限（到期时间 {{ due }}，"
            "已用 {{ percent }}%）。" + _DETAILS_ZH
        ),
        "en": (
            "Work order {{ number }} is past its " + _TARGET_EN + " due time "
            "({{ due }}; {{ percent }}% of the target used)." + _DETAILS_EN
        ),
    },
    default_channels=("inbox", "email"),
    severity="warning",
    description=_(
        "Sent to the assignee and the team lead when an order passes its target "
        "(critical and urgent for P1)."
    ),
)

event_kind(
    "workorders.escalated",
    _("Work order escalated"),
    variables=SLA_VARIABLES,
    subject={
        "zh-hans": "工单 {{ number }} 严重超时，已升级（{{ percent }}%）",
        "en": "Work order {{ number }} escalated: {{ percent }}% of its target used",
    },
    body={
        "zh-hans": (
            "工单 {{ number }} 已用去" + _TARGET_ZH + "时限的 {{ percent }}%"
            "（到期时间 {{ due }}），已升级到您。" + _DETAILS_ZH
        ),
        "en": (
            "Work order {{ number }} has used {{ percent }}% of its " + _TARGET_EN + " time "
            "(due {{ due }}) and has been escalated to you." + _DETAILS_EN
        ),
    },
    default_channels=("inbox", "email"),
    severity="critical",
    description=_("Sent to the director when an order is far past its target (default 150 %)."),
)


# --- kinds raised by the services (netdept.workorders.services) ---------------------------
# Variables: ``number``, ``title``, ``priority``, ``status``, ``team``, ``assignee``,
# ``requester``; plus ``reason`` (assigned, reopened), ``body`` and ``author`` (commented),
# ``solution`` (resolved), ``location`` (major).
ORDER_VARIABLES = ("number", "title", "priority", "status", "team", "assignee", "requester")

event_kind(
    "workorders.assigned",
    _("Work order assigned"),
    variables=(*ORDER_VARIABLES, "reason"),
    subject={
        "zh-hans": "工单 {{ number }}（{{ priority }}）已分派给您",
        "en": "Work order {{ number }} ({{ priority }}) assigned to you",
    },
    body={
        "zh-hans": "{{ title }}{% if reason %}\n说明：{{ reason }}{% endif %}" + _DETAILS_ZH,
        "en": "{{ title }}{% if reason %}\nNote: {{ reason }}{% endif %}" + _DETAILS_EN,
    },
    default_channels=("inbox", "email"),
    description=_(
        "Sent to the assignee (or the team) when an order is filed, assigned or transferred."
    ),
)

event_kind(
    "workorders.accepted",
    _("Work order accepted"),
    variables=ORDER_VARIABLES,
    subject={
        "zh-hans": "您的工单 {{ number }} 已受理",
        "en": "Your work order {{ number }} has been accepted",
    },
    body={
        "zh-hans": "{{ title }}\n受理人：{{ assignee|default:'网络部' }}"
        "{% if link %}\n查看：{{ link }}{% endif %}",
        "en": "{{ title }}\nAccepted by: {{ assignee|default:'the network department' }}"
        "{% if link %}\nOpen: {{ link }}{% endif %}",
    },
    default_channels=("inbox",),
    description=_("Sent to the requester when the network department accepts the order."),
)

event_kind(
    "workorders.commented",
    _("New comment on a work order"),
    variables=(*ORDER_VARIABLES, "body", "author"),
    subject={
        "zh-hans": "工单 {{ number }} 有新的回复",
        "en": "New comment on work order {{ number }}",
    },
    body={
        "zh-hans": "{% if author %}{{ author }}：{% endif %}{{ body }}"
        "\n\n工单：{{ number }} {{ title }}"
        "{% if link %}\n查看：{{ link }}{% endif %}",
        "en": "{% if author %}{{ author }}: {% endif %}{{ body }}"
        "\n\nOrder: {{ number }} {{ title }}"
        "{% if link %}\nOpen: {{ link }}{% endif %}",
    },
    default_channels=("inbox", "email"),
    description=_(
        "A public comment: sent to the requester, or to the assignee (or team) when "
        "the requester's side comments."
    ),
)

event_kind(
    "workorders.resolved",
    _("Work order resolved"),
    variables=(*ORDER_VARIABLES, "solution"),
    subject={
        "zh-hans": "您的工单 {{ number }} 已处理完毕，请确认并评价",
        "en": "Your work order {{ number }} is resolved: please confirm and rate it",
    },
    body={
        "zh-hans": "{{ title }}\n处理结果：{{ solution }}"
        "{% if link %}\n确认与评价：{{ link }}{% endif %}",
        "en": "{{ title }}\nSolution: {{ solution }}"
        "{% if link %}\nConfirm and rate: {{ link }}{% endif %}",
    },
    default_channels=("inbox", "email"),
    description=_("Sent to the requester when the order is resolved."),
)

event_kind(
    "workorders.reopened",
    _("Work order reopened"),
    variables=(*ORDER_VARIABLES, "reason"),
    subject={
        "zh-hans": "工单 {{ number }} 已被重新打开",
        "en": "Work order {{ number }} was reopened",
    },
    body={
        "zh-hans": "{{ title }}\n原因：{{ reason }}" + _DETAILS_ZH,
        "en": "{{ title }}\nReason: {{ reason }}" + _DETAILS_EN,
    },
    default_channels=("inbox", "email"),
    severity="warning",
    description=_("Sent to the assignee (or the team) when an order is reopened."),
)

event_kind(
    "workorders.major",
    _("Major incident"),
    variables=(*ORDER_VARIABLES, "location"),
    subject={
        "zh-hans": "重大故障：工单 {{ number }} {{ title }}",
        "en": "Major incident: work order {{ number }} {{ title }}",
    },
    body={
        "zh-hans": "工单 {{ number }} 已被标记为重大故障"
        "{% if location %}（{{ location }}）{% endif %}，"
        "解决前须向领导提交报告。" + _DETAILS_ZH,
        "en": "Work order {{ number }} was flagged as a major incident"
        "{% if location %} ({{ location }}){% endif %}; a report to the leaders is required "
        "before it is resolved." + _DETAILS_EN,
    },
    default_channels=("inbox", "email"),
    urgent=True,
    severity="critical",
    description=_("Sent to the director when an order is flagged as a major incident."),
)
