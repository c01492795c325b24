"""Event kinds of daily logs (工作日志): a log submitted for review, and the review's outcome.

Variables: ``person`` (whose log), ``day`` (its day), ``outcome`` (accepted, returned for
changes — in the reader's words), ``comment`` (the reviewer's reason), ``by`` (who reviewed),
``log_id``, ``status`` (the log's status code, for webhooks). Every message links to the
log's page (sign-in required).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.notify import event_kind

VARIABLES = ("person", "day", "outcome", "comment", "by", "log_id", "status")
_LINK_ZH = "{% if link %}\n查看：{{ link }}{% endif %}"
_LINK_EN = "{% if link %}\nOpen: {{ link }}{% endif %}"

event_kind(
    "worklog.log_submitted",
    _("A daily log awaits your review"),
    variables=VARIABLES,
    subject={
        "zh-hans": "待您审阅：{{ person }} 的工作日志（{{ day }}）",
        "en": "To review: {{ person }}'s daily log ({{ day }})",
    },
    body={
        "zh-hans": "{{ person }} 已提交 {{ day }} 的工作日志，请审阅：通过或退回修改。" + _LINK_ZH,
        "en": "{{ person }} submitted the daily log of {{ day }}; please accept it or return it "
        "for changes." + _LINK_EN,
    },
    default_channels=("inbox",),
    description=_("Sent to the reviewer (the team lead) when a person submits a daily log."),
)

event_kind(
    "worklog.log_reviewed",
    _("Your daily log was reviewed"),
    variables=VARIABLES,
    subject={
        "zh-hans": "工作日志审阅结果（{{ day }}）：{{ outcome }}",
        "en": "Daily log of {{ day }}: {{ outcome }}",
    },
    body={
        "zh-hans": "您 {{ day }} 的工作日志{{ outcome }}{% if by %}（{{ by }}）{% endif %}。"
        "{% if comment %}\n意见：{{ comment }}{% endif %}" + _LINK_ZH,
        "en": "Your daily log of {{ day }} was {{ outcome }}{% if by %} ({{ by }}){% endif %}."
        "{% if comment %}\nComment: {{ comment }}{% endif %}" + _LINK_EN,
    },
    default_channels=("inbox",),
    description=_("Sent to the person when their daily log is accepted or returned for changes."),
)
