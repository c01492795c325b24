"""Event kinds of doing duties: an occurrence submitted for review, and the review's outcome.

Variables: ``duty`` (the duty's name), ``person`` (whose occurrence), ``due`` (its due
instant), ``outcome`` (accepted, returned for changes, excused — in the reader's words),
``comment`` (the reviewer's reason), ``by`` (who reviewed or excused), ``occurrence_id``,
``status`` (the code of the outcome, for webhooks). Every message links to the occurrence's
page (sign-in required).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.notify import event_kind

VARIABLES = ("duty", "person", "due", "outcome", "comment", "by", "occurrence_id", "status")
_LINK_ZH = "{% if link %}\n查看：{{ link }}{% endif %}"
_LINK_EN = "{% if link %}\nOpen: {{ link }}{% endif %}"

event_kind(
    "duties.review_pending",
    _("A duty awaits your review"),
    variables=VARIABLES,
    subject={
        "zh-hans": "待您复核：{{ duty }}（{{ person }}）",
        "en": "To review: {{ duty }} ({{ person }})",
    },
    body={
        "zh-hans": "{{ person }} 已提交「{{ duty }}」（应于 {{ due }} 完成），"
        "请复核：通过或退回修改。" + _LINK_ZH,
        "en": "{{ person }} submitted “{{ duty }}” (due {{ due }}); please accept it or return it "
        "for changes." + _LINK_EN,
    },
    default_channels=("inbox",),
    description=_("Sent to the reviewer when a person submits a duty's evidence."),
)

event_kind(
    "duties.reviewed",
    _("Your duty was reviewed"),
    variables=VARIABLES,
    subject={
        "zh-hans": "复核结果：{{ duty }} {{ outcome }}",
        "en": "Review: {{ duty }} {{ outcome }}",
    },
    body={
        "zh-hans": "您提交的「{{ duty }}」{{ outcome }}{% if by %}（{{ by }}）{% endif %}。"
        "{% if comment %}\n意见：{{ comment }}{% endif %}" + _LINK_ZH,
        "en": "Your “{{ duty }}” was {{ outcome }}{% if by %} ({{ by }}){% endif %}."
        "{% if comment %}\nComment: {{ comment }}{% endif %}" + _LINK_EN,
    },
    default_channels=("inbox",),
    description=_(
        "Sent to the person when their submitted duty is accepted or returned for changes, "
        "or when an occurrence of theirs is excused."
    ),
)
