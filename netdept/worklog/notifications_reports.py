"""Event kinds of reports: a report submitted for review, and the review's outcome.

Variables: ``person`` (whose report), ``kind`` (weekly / monthly report, in the reader's
words), ``period`` (first–last day), ``outcome`` (accepted / returned for changes), ``comment``
(the reviewer's), ``by`` (who reviewed), ``report_id``, ``status`` (the code, for webhooks).
Every message links to the report's page (sign-in required).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.notify import event_kind

VARIABLES = ("person", "kind", "period", "outcome", "comment", "by", "report_id", "status")
_LINK_ZH = "{% if link %}\n查看：{{ link }}{% endif %}"
_LINK_EN = "{% if link %}\nOpen: {{ link }}{% endif %}"

event_kind(
    "worklog.report_submitted",
    _("A report awaits your review"),
    variables=VARIABLES,
    subject={
        "zh-hans": "待您审阅：{{ person }} 的{{ kind }}（{{ period }}）",
        "en": "To review: {{ person }}'s {{ kind }} ({{ period }})",
    },
    body={
        "zh-hans": "{{ person }} 已提交{{ kind }}（{{ period }}），请审阅：通过或退回修改。"
        + _LINK_ZH,
        "en": "{{ person }} submitted a {{ kind }} ({{ period }}); please accept it or return it "
        "for changes." + _LINK_EN,
    },
    default_channels=("inbox",),
    description=_("Sent to the reviewer when a person submits a weekly or monthly report."),
)

event_kind(
    "worklog.report_reviewed",
    _("Your report was reviewed"),
    variables=VARIABLES,
    subject={
        "zh-hans": "审阅结果：{{ kind }}（{{ period }}）{{ outcome }}",
        "en": "Review: {{ kind }} ({{ period }}) {{ outcome }}",
    },
    body={
        "zh-hans": "您的{{ kind }}（{{ period }}）{{ outcome }}{% if by %}（{{ by }}）{% endif %}。"
        "{% if comment %}\n意见：{{ comment }}{% endif %}" + _LINK_ZH,
        "en": "Your {{ kind }} ({{ period }}) was {{ outcome }}{% if by %} ({{ by }}){% endif %}."
        "{% if comment %}\nComment: {{ comment }}{% endif %}" + _LINK_EN,
    },
    default_channels=("inbox",),
    description=_("Sent to the person when their report is accepted or returned for changes."),
)
