"""Event kinds of approvals (imported automatically by the notification engine).

Variables: ``title`` (the request), ``requester``, ``request_kind`` (the kind's name), ``step`` (the
step's name), ``due`` (the step's due time), ``outcome`` (approved, rejected, returned,
withdrawn, in the reader's words), ``comment``, ``by`` (who decided), ``request_id``,
``status`` (the code of the outcome, for webhooks). Every message links to the page where the
reader acts (sign-in required).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.notify import event_kind

VARIABLES = (
    "title", "requester", "request_kind", "step", "due", "outcome", "comment", "by", "request_id",
    "status", "reason", "on_behalf_of",
)  # fmt: skip
_LINK_ZH = "{% if link %}\n处理：{{ link }}{% endif %}"
_LINK_EN = "{% if link %}\nOpen: {{ link }}{% endif %}"

event_kind(
    "approvals.pending",
    _("An approval awaits you"),
    variables=VARIABLES,
    subject={"zh-hans": "待您审批：{{ title }}", "en": "Awaiting your approval: {{ title }}"},
    body={
        "zh-hans": (
            "{{ requester }} 提交的「{{ title }}」（{{ request_kind }}）等待您审批：{{ step }}。"
            "{% if on_behalf_of %}\n您代 {{ on_behalf_of }} 审批。{% endif %}"
            "{% if due %}\n请在 {{ due }} 前处理。{% endif %}" + _LINK_ZH
        ),
        "en": (
            "{{ requester }} asks for your approval of “{{ title }}” ({{ request_kind }}): "
            "{{ step }}."
            "{% if on_behalf_of %}\nYou decide for {{ on_behalf_of }}.{% endif %}"
            "{% if due %}\nPlease decide by {{ due }}.{% endif %}" + _LINK_EN
        ),
    },
    default_channels=("inbox", "email"),
    description=_("Sent to each approver when a step reaches them."),
)

event_kind(
    "approvals.reminder",
    _("An approval is close to its time limit"),
    variables=VARIABLES,
    subject={"zh-hans": "审批即将超时：{{ title }}", "en": "Approval due soon: {{ title }}"},
    body={
        "zh-hans": "「{{ title }}」的审批（{{ step }}）将于 {{ due }} 超时，请尽快处理。"
        + _LINK_ZH,
        "en": "The approval of “{{ title }}” ({{ step }}) is due at {{ due }}." + _LINK_EN,
    },
    default_channels=("inbox", "email"),
    severity="warning",
    description=_("Sent to the approvers before a step's time limit."),
)

event_kind(
    "approvals.overdue",
    _("An approval passed its time limit and was passed on"),
    variables=VARIABLES,
    subject={"zh-hans": "审批已超时：{{ title }}", "en": "Approval overdue: {{ title }}"},
    body={
        "zh-hans": (
            "「{{ title }}」的审批（{{ step }}）已于 {{ due }} 超时"
            "{% if reason %}，{{ reason }}{% endif %}。" + _LINK_ZH
        ),
        "en": (
            "The approval of “{{ title }}” ({{ step }}) passed its limit at {{ due }}"
            "{% if reason %}: {{ reason }}{% endif %}." + _LINK_EN
        ),
    },
    default_channels=("inbox", "email"),
    severity="warning",
    description=_("Sent to whoever the step passes to at its time limit, and to the approvers."),
)

event_kind(
    "approvals.decided",
    _("Your request was decided"),
    variables=VARIABLES,
    subject={
        "zh-hans": "审批结果：{{ title }} {{ outcome }}",
        "en": "Approval: {{ title }} {{ outcome }}",
    },
    body={
        "zh-hans": (
            "您的申请「{{ title }}」{{ outcome }}"
            "{% if by %}（{{ by }}）{% endif %}。{% if comment %}\n意见：{{ comment }}{% endif %}"
            + _LINK_ZH
        ),
        "en": (
            "Your request “{{ title }}” was {{ outcome }}{% if by %} ({{ by }}){% endif %}."
            "{% if comment %}\nComment: {{ comment }}{% endif %}" + _LINK_EN
        ),
    },
    default_channels=("inbox", "email"),
    description=_(
        "Sent to the requester when a request is approved, rejected, returned for changes "
        "or withdrawn; webhooks hear of every decided request."
    ),
)

event_kind(
    "approvals.flagged",
    _("An emergency request needs review"),
    variables=VARIABLES,
    subject={
        "zh-hans": "紧急事项待复核：{{ title }}",
        "en": "Emergency request flagged for review: {{ title }}",
    },
    body={
        "zh-hans": "「{{ title }}」需复核：{{ reason }}" + _LINK_ZH,
        "en": "“{{ title }}” needs review: {{ reason }}" + _LINK_EN,
    },
    default_channels=("inbox", "email"),
    severity="critical",
    description=_(
        "Sent to the director and the auditors when an emergency request is not approved in "
        "time, or is rejected afterwards."
    ),
)
