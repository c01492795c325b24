"""Event kinds of meetings (会议): minutes waiting for the chair, minutes returned to the one
who took them, a meeting cancelled (to its attendees).

Variables: ``meeting`` (its title), ``starts`` (when it starts, local time), ``location``,
``by`` (who acted), ``comment`` (the chair's comment or the reason of a cancellation),
``meeting_id``, ``status`` (the meeting's status code, for webhooks). Every message links to
the meeting's page (sign-in required).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.notify import event_kind

VARIABLES = ("meeting", "starts", "location", "by", "comment", "meeting_id", "status")
_LINK_ZH = "{% if link %}\n查看：{{ link }}{% endif %}"
_LINK_EN = "{% if link %}\nOpen: {{ link }}{% endif %}"

event_kind(
    "worklog.minutes_submitted",
    _("Minutes await your approval"),
    variables=VARIABLES,
    subject={"zh-hans": "纪要待审定：{{ meeting }}", "en": "Minutes to approve: {{ meeting }}"},
    body={
        "zh-hans": "{{ by }} 提交了会议「{{ meeting }}」（{{ starts }}）的纪要，请您审定。"
        + _LINK_ZH,
        "en": "{{ by }} handed in the minutes of “{{ meeting }}” ({{ starts }}) for your "
        "approval." + _LINK_EN,
    },
    default_channels=("inbox",),
    description=_("Sent to the chair when the minutes of a meeting are handed in."),
)

event_kind(
    "worklog.minutes_returned",
    _("Minutes returned to you"),
    variables=VARIABLES,
    subject={"zh-hans": "纪要被退回：{{ meeting }}", "en": "Minutes returned: {{ meeting }}"},
    body={
        "zh-hans": "{{ by }} 退回了会议「{{ meeting }}」的纪要：{{ comment }}" + _LINK_ZH,
        "en": "{{ by }} returned the minutes of “{{ meeting }}”: {{ comment }}" + _LINK_EN,
    },
    default_channels=("inbox",),
    description=_("Sent to who took the minutes when the chair returns them."),
)

event_kind(
    "worklog.meeting_cancelled",
    _("A meeting was cancelled"),
    variables=VARIABLES,
    subject={"zh-hans": "会议取消：{{ meeting }}", "en": "Meeting cancelled: {{ meeting }}"},
    body={
        "zh-hans": "会议「{{ meeting }}」（{{ starts }}）已取消：{{ comment }}" + _LINK_ZH,
        "en": "The meeting “{{ meeting }}” ({{ starts }}) is cancelled: {{ comment }}" + _LINK_EN,
    },
    default_channels=("inbox",),
    description=_("Sent to the attendees when a scheduled meeting is cancelled."),
)
