"""The kinds of record a duty may ask for as evidence: NetDept's work records (work orders,
approval requests, occurrences…), not configuration nor the kernel's internal tables."""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from netdept.core.models import BaseModel
from netdept.core.models.base import is_config
from netdept.core.registry import own_content_types


def record_types() -> QuerySet[ContentType]:
    models = [m for m in apps.get_models() if issubclass(m, BaseModel) and not is_config(m)]
    ids = [ct.pk for ct in ContentType.objects.get_for_models(*models).values()]
    return ContentType.objects.filter(pk__in=ids).order_by("app_label", "model")


def rule_types() -> QuerySet[ContentType]:
    """What an article may be encoded by: any of NetDept's own models (a position's
    responsibilities, an SLA policy, an approval rule…), not the kernel's internal tables."""
    return own_content_types()
