"""The kernel split of issue 9: the platform apps, their former labels and the hooks they use."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from netdept.accounts import twofactor
from netdept.core import audit, permissions
from netdept.notify import engine
from netdept.org import grants

PLATFORM_APPS = ["tasks", "accounts", "notify", "workcal"]


def test_every_moved_model_keeps_its_table_and_its_former_audit_label():
    for label in PLATFORM_APPS:
        for model in apps.get_app_config(label).get_models():
            name = model._meta.model_name
            assert model._meta.db_table == f"core_{name}"
            assert audit.object_types(model) == [f"{label}.{name}", f"core.{name}"]


@pytest.mark.django_db
def test_content_types_of_moved_models_carry_the_new_labels():
    for label in PLATFORM_APPS:
        for model in apps.get_app_config(label).get_models():
            assert ContentType.objects.get_for_model(model).app_label == label
            assert not ContentType.objects.filter(
                app_label="core", model=model._meta.model_name
            ).exists()


def test_org_answers_the_hooks_of_the_layers_below():
    assert permissions._provider == [grants.grants_of]
    assert twofactor._requirement == [grants.roles_requiring_2fa]
    assert grants.recipients_of in engine._resolvers


def test_a_recipient_nobody_understands_is_refused():
    with pytest.raises(TypeError):
        engine.resolve_recipients([3.5])
