"""Event kinds of tasks (任务): a task assigned to its owner, a task overdue (the owner and the
one who assigned it or the owner's lead, once), a task evaluated.

Variables: ``task`` (its title), ``owner`` (whose task), ``due`` (its due date), ``by`` (who
assigned or evaluated it), ``score`` and ``comment`` (the evaluation), ``task_id``,
``status`` (the task's status code, for webhooks). Every message links to the task's page
(sign-in required).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.notify import event_kind

VARIABLES = ("task", "owner", "due", "by", "score", "comment", "task_id", "status")
_LINK_ZH = "{% if link %}\n查看：{{ link }}{% endif %}"
_LINK_EN = "{% if link %}\nOpen: {{ link }}{% endif %}"

event_kind(
    "worklog.task_assigned",
    _("A task was assigned to you"),
    variables=VARIABLES,
    subject={"zh-hans": "新任务：{{ task }}", "en": "New task: {{ task }}"},
    body={
        "zh-hans": "{{ by }} 给您分派了任务「{{ task }}」，截止 {{ due }}。" + _LINK_ZH,
        "en": "{{ by }} assigned you the task “{{ task }}”, due {{ due }}." + _LINK_EN,
    },
    default_channels=("inbox",),
    description=_("Sent to the owner when someone else assigns them a task."),
)

event_kind(
    "worklog.task_overdue",
    _("A task is overdue"),
    variables=VARIABLES,
    subject={
        "zh-hans": "任务逾期：{{ task }}（{{ owner }}）",
        "en": "Task overdue: {{ task }} ({{ owner }})",
    },
    body={
        "zh-hans": "{{ owner }} 的任务「{{ task }}」已于 {{ due }} 到期，尚未完成。" + _LINK_ZH,
        "en": "{{ owner }}'s task “{{ task }}” was due {{ due }} and is not done." + _LINK_EN,
    },
    default_channels=("inbox",),
    description=_(
        "Sent once to the owner and to whoever assigned the task (or the owner's lead) when "
        "a task passes its due date unfinished."
    ),
)

event_kind(
    "worklog.task_evaluated",
    _("Your task was evaluated"),
    variables=VARIABLES,
    subject={
        "zh-hans": "任务评价：{{ task }} {{ score }} 分",
        "en": "Task evaluated: {{ task }} {{ score }}",
    },
    body={
        "zh-hans": "{{ by }} 评价了您的任务「{{ task }}」：{{ score }} 分。"
        "{% if comment %}\n评语：{{ comment }}{% endif %}" + _LINK_ZH,
        "en": "{{ by }} evaluated your task “{{ task }}”: {{ score }} of 100."
        "{% if comment %}\nComment: {{ comment }}{% endif %}" + _LINK_EN,
    },
    default_channels=("inbox",),
    description=_("Sent to the owner when the lead scores a finished task."),
)
