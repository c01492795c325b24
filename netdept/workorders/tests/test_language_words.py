"""One language at a time for the words work orders hand on: a status passed to a notification
is read in each recipient's language, and the audit trail shows what a transition recorded
(waiting on whom, an automatic step, the opening) as words of the viewer's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from netdept.accounts.models import UserProfile
from netdept.core import audit, history
from netdept.notify.models import InboxMessage, NotificationTemplate
from netdept.testing.factories import TeamFactory, user_with_role
from netdept.workorders import services
from netdept.workorders.models import Source, WorkOrder
from netdept.workorders.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


class World:
    def __init__(self) -> None:
        self.team = TeamFactory(name="运维组")
        self.eng = user_with_role("engineer", team=self.team)
        self.req = user_with_role("requester")
        self.category = CategoryFactory(name="网络", default_team=self.team)

    def open(self) -> WorkOrder:
        return services.open_order(
            self.req, {"title": "办公室无法上网", "category": self.category.pk}
        )


def speaks(user: Any, lang: str) -> None:
    UserProfile.objects.update_or_create(user=user, defaults={"language": lang})


def test_the_status_in_a_notification_is_read_in_each_recipients_language() -> None:
    w = World()
    speaks(w.req, "en")
    for lang, subject in (("zh-hans", "状态：{{ status }}"), ("en", "Status: {{ status }}")):
        NotificationTemplate.objects.create(
            kind="workorders.accepted", language=lang, subject=subject, body="{{ number }}"
        )
    order = w.open()
    with translation.override("zh-hans"):  # the engineer works in Chinese
        services.accept(w.eng, order)

    message = InboxMessage.objects.get(user=w.req, notification__kind="workorders.accepted")
    assert message.title == "Status: accepted", message.title


def test_the_details_of_transitions_are_words_of_the_viewers_language() -> None:
    w = World()
    order = w.open()
    services.accept(w.eng, order)
    services.wait(w.eng, order, on="requester", reason="请提供截图")
    order.refresh_from_db()
    services.comment(w.req, order, body="截图已上传")  # the requester's reply resumes it

    records = list(audit.history(order).order_by("seq"))
    for lang, words in (
        ("zh-hans", {"新建", "申请人", "申请人已回复"}),
        ("en", {"opened", "the requester", "the requester replied"}),
    ):
        with translation.override(lang):
            shown = {value for e in history.describe(records, w.eng) for _label, value in e.details}
        assert words <= shown, shown
        assert not shown & {"open", "requester", "requester replied"}, shown


def test_a_source_is_named_in_the_language_of_the_page() -> None:
    with translation.override("en"):
        assert str(Source.BAIDU.label) == "Baidu Shangqiao"
    with translation.override("zh-hans"):
        assert str(Source.BAIDU.label) == "百度商桥"
