"""Event kinds of projects with stage gates (imported by ``wiring`` and by the services).

Variables: ``project`` (its name), ``stage`` (the stage's name). The message links to the
project's page, where the stage's owner adds documents and tasks and requests the gate.
"""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext_lazy as _

from netdept.notify import event_kind

STAGE_STARTED: Final = "worklog.stage_started"

event_kind(
    STAGE_STARTED,
    _("A project stage you own has started"),
    variables=("project", "stage"),
    subject={
        "zh-hans": "项目阶段开始：{{ project }} · {{ stage }}",
        "en": "Project stage started: {{ project }} · {{ stage }}",
    },
    body={
        "zh-hans": (
            "项目「{{ project }}」进入「{{ stage }}」阶段，由您负责。请上传本阶段要求的文档、"
            "分解任务，完成后提交阶段评审。{% if link %}\n查看：{{ link }}{% endif %}"
        ),
        "en": (
            "The project “{{ project }}” has entered the stage “{{ stage }}”, which you own. "
            "Add the stage's documents and tasks, then request its gate."
            "{% if link %}\nOpen: {{ link }}{% endif %}"
        ),
    },
    default_channels=("inbox",),
    description=_("Sent to a stage's owner when the project reaches the stage."),
)
