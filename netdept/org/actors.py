"""Org's answers to the kernel's audit-trail hooks: the person behind a login
(``core.display.register_actor_names``, registered in ``OrgConfig.ready()``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from netdept.org.models import Person


def names(user_ids: Iterable[Any]) -> dict[Any, str]:
    """``{user id: the person's name}``, in one query."""
    rows = Person.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "name")
    return dict(rows)


def matching(text: str) -> models.QuerySet[Any]:
    """The user ids of the people whose name contains ``text`` (a subquery)."""
    return Person.objects.filter(name__icontains=text, user__isnull=False).values("user_id")
