"""Event kinds of the duty engine: reminders before due, overdue, missed, escalation, and a duty
done by its records.

The sweep tells each person once per run, however many of their occurrences reached the same
point (one message listing them). Variables: ``count`` (how many occurrences), ``duty`` (the
first duty's name), ``due`` (its due instant), ``person`` (whose occurrences, for a lead),
``items`` (one line per occurrence: name and due time), ``days`` (working days overdue, for an
escalation).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.notify import event_kind

VARIABLES = ("count", "duty", "due", "person", "items", "days")
_LINK_ZH = "{% if link %}\n查看：{{ link }}{% endif %}"
_LINK_EN = "{% if link %}\nOpen: {{ link }}{% endif %}"
_ITEMS = "{% if count > 1 %}\n{{ items }}{% endif %}"


def _either(many: str, one: str) -> str:
    """A subject for several occurrences or for one."""
    return "{% if count > 1 %}" + many + "{% else %}" + one + "{% endif %}"


event_kind(
    "duties.reminder",
    _("A duty is due soon"),
    variables=VARIABLES,
    subject={
        "zh-hans": _either(
            "{{ count }} 项职责即将到期",
            "职责即将到期：{{ duty }}",
        ),
        "en": _either(
            "{{ count }} duties due soon",
            "Duty due soon: {{ duty }}",
        ),
    },
    body={
        "zh-hans": "「{{ duty }}」将于 {{ due }} 到期，请按时完成并提交。" + _ITEMS + _LINK_ZH,
        "en": "“{{ duty }}” is due at {{ due }}: please do it and submit it in time."
        + _ITEMS
        + _LINK_EN,
    },
    default_channels=("inbox",),
    description=_("Sent to the person before a duty's due time (the duty sets how long before)."),
)

event_kind(
    "duties.overdue",
    _("A duty is overdue"),
    variables=VARIABLES,
    subject={
        "zh-hans": _either(
            "{{ count }} 项职责已逾期",
            "职责已逾期：{{ duty }}",
        ),
        "en": _either(
            "{{ count }} duties overdue",
            "Duty overdue: {{ duty }}",
        ),
    },
    body={
        "zh-hans": "「{{ duty }}」已于 {{ due }} 到期，尚未完成，请尽快补交。" + _ITEMS + _LINK_ZH,
        "en": "“{{ duty }}” was due at {{ due }} and is not done yet: please submit it now."
        + _ITEMS
        + _LINK_EN,
    },
    default_channels=("inbox", "email"),
    severity="warning",
    description=_("Sent to the person when a duty passes its due time undone."),
)

event_kind(
    "duties.missed",
    _("A duty was missed"),
    variables=VARIABLES,
    subject={
        "zh-hans": _either(
            "{{ count }} 项职责未完成",
            "职责未完成：{{ duty }}",
        ),
        "en": _either(
            "{{ count }} duties missed",
            "Duty missed: {{ duty }}",
        ),
    },
    body={
        "zh-hans": "{{ person }} 的「{{ duty }}」（{{ due }} 到期）已过宽限期仍未完成，记为未完成。"
        + _ITEMS
        + _LINK_ZH,
        "en": "“{{ duty }}” of {{ person }} (due {{ due }}) passed its grace undone: missed."
        + _ITEMS
        + _LINK_EN,
    },
    default_channels=("inbox", "email"),
    severity="warning",
    description=_("Sent to the person and their reviewer or team lead when a duty is missed."),
)

event_kind(
    "duties.escalated",
    _("A duty of your team is still not done"),
    variables=VARIABLES,
    subject={
        "zh-hans": _either(
            "{{ count }} 项职责逾期未办",
            "职责逾期未办：{{ person }} · {{ duty }}",
        ),
        "en": _either(
            "{{ count }} duties still not done",
            "Duty still not done: {{ person }} · {{ duty }}",
        ),
    },
    body={
        "zh-hans": "{{ person }} 的「{{ duty }}」（{{ due }} 到期）逾期 {{ days }} 个工作日"
        "仍未完成，请跟进。" + _ITEMS + _LINK_ZH,
        "en": "“{{ duty }}” of {{ person }} (due {{ due }}) is still not done {{ days }} working "
        "days later: please follow it up." + _ITEMS + _LINK_EN,
    },
    default_channels=("inbox", "email"),
    severity="warning",
    description=_(
        "Sent to the reviewer (or the team lead) when a duty is still not done the duty's "
        "number of working days after its due time."
    ),
)

event_kind(
    "duties.done_by_check",
    _("A duty was done by its records"),
    variables=VARIABLES,
    subject={
        "zh-hans": _either(
            "{{ count }} 项职责已自动完成",
            "职责已自动完成：{{ duty }}",
        ),
        "en": _either(
            "{{ count }} duties done by their records",
            "Duty done by its records: {{ duty }}",
        ),
    },
    body={
        "zh-hans": "「{{ duty }}」（{{ due }} 到期）已由系统中的记录自动确认完成。"
        + _ITEMS
        + _LINK_ZH,
        "en": "“{{ duty }}” (due {{ due }}) was found done by its records." + _ITEMS + _LINK_EN,
    },
    default_channels=("inbox",),
    description=_("Sent to the person when the records a duty names satisfy it."),
)
