"""Event kinds of the regulations register (imported by ``notifications``).

Variables: ``regulation`` (its title), ``version`` (the version's label), ``effective_date``,
``review_date``. Every message links to the page where the reader acts.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.notify import event_kind

VARIABLES = ("regulation", "version", "effective_date", "review_date")
_LINK_ZH = "{% if link %}\n查看：{{ link }}{% endif %}"
_LINK_EN = "{% if link %}\nOpen: {{ link }}{% endif %}"

event_kind(
    "duties.regulation_read",
    _("A regulation asks you to confirm reading it"),
    variables=VARIABLES,
    subject={
        "zh-hans": "请阅读并确认：{{ regulation }}（{{ version }}）",
        "en": "Please read and confirm: {{ regulation }} ({{ version }})",
    },
    body={
        "zh-hans": (
            "管理制度「{{ regulation }}」{{ version }}"
            "{% if effective_date %}自 {{ effective_date }} 起{% endif %}施行。"
            "请阅读全文后点击「确认已阅读」。" + _LINK_ZH
        ),
        "en": (
            "The regulation “{{ regulation }}” {{ version }} is in force"
            "{% if effective_date %} from {{ effective_date }}{% endif %}. "
            "Please read it and press “I have read it”." + _LINK_EN
        ),
    },
    default_channels=("inbox",),
    description=_("Sent to every person a regulation applies to when its version is published."),
)

event_kind(
    "duties.regulation_review",
    _("A regulation is due for its periodic review"),
    variables=VARIABLES,
    subject={
        "zh-hans": "管理制度待复审：{{ regulation }}",
        "en": "Regulation due for review: {{ regulation }}",
    },
    body={
        "zh-hans": (
            "管理制度「{{ regulation }}」{{ version }} 的下次复审日期为 {{ review_date }}，"
            "请安排复审并记录结果。" + _LINK_ZH
        ),
        "en": (
            "The regulation “{{ regulation }}” {{ version }} is due for review on "
            "{{ review_date }}; please review it and record the result." + _LINK_EN
        ),
    },
    default_channels=("inbox", "email"),
    severity="warning",
    description=_("Sent to the director before a regulation's next review date."),
)
