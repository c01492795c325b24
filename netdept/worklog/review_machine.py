"""The review flow shared by what a person writes and their lead reviews (a daily log, a
weekly or monthly report): the person submits it, the reviewer accepts it or returns it with
a comment. ``review_machine`` declares that machine for a model whose state is ``LogStatus``
and whose service module offers ``submit_action``, ``accept_action`` and ``return_action``
(``handler(user, obj, **cleaned)``; the handlers check the state inside their transaction)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from netdept.core.machines import COMPUTED, TEXTAREA, Field, Machine, Transition, Who, register
from netdept.worklog.models.logs import LogStatus

S = LogStatus


def comment_field(required: bool, label: Any, max_length: int) -> Field:
    return Field(
        "comment", kind=TEXTAREA, rows=2, label=label, required=required, max_length=max_length
    )


def review_machine(
    model: type[models.Model],
    *,
    handlers: str,
    editable: Sequence[str],
    writer: tuple[str, Callable[[Any, Any], bool]],
    reviewer: tuple[str, Callable[[Any, Any], bool]],
    max_comment: int,
    submit_refusal: Any,
    review_refusal: Any,
) -> Machine:
    """Declare (and register) the machine of ``model``: ``handlers`` is the dotted path of the
    service module (ending with a dot); ``writer`` / ``reviewer`` are (name, test(user, obj))
    of who submits and who reviews; the refusals are texts with ``%(status)s``."""
    write = Who(writer[0], test=writer[1])
    review = Who(reviewer[0], test=reviewer[1])
    return register(
        Machine(
            model,
            version_field="version",
            handler_checks_state=True,
            default_who=(write,),
            transitions=[
                Transition(
                    "submit", _("Submit"), list(editable), COMPUTED, handlers + "submit_action",
                    who=[write], icon="bi-send", style="primary", order=10,
                    refusal=submit_refusal, done=_("Submitted."),
                ),
                Transition(
                    "accept", _("Accept"), [S.SUBMITTED], S.ACCEPTED, handlers + "accept_action",
                    who=[review], icon="bi-check-lg", style="success", order=20,
                    fields=[comment_field(False, _("review comment"), max_comment)],
                    refusal=review_refusal, done=_("Accepted."),
                ),
                Transition(
                    "return_for_changes", _("Return for changes"), [S.SUBMITTED], S.RETURNED,
                    handlers + "return_action", who=[review], icon="bi-arrow-return-left",
                    style="outline-warning", order=30,
                    fields=[comment_field(True, _("what to change"), max_comment)],
                    refusal=review_refusal, done=_("Returned for changes."),
                ),
            ],
        )
    )  # fmt: skip
