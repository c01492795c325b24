"""Configuration is not work (issue 8): the built-in engineer and requester roles lose the
add / change / delete permissions on configuration models that earlier versions seeded into
them (the engineer could create SLA policies, the priority matrix, categories and escalation
rules because roles granted by app). Their view permissions stay.

The configuration models are listed as they are at this migration (``record_kind = "config"``
in ``core.models.base``); models marked later are never seeded into these roles, because the
role rules (``org.roles``) refuse configuration writes. ``RoleSeed`` rows are kept, so the
permissions are not seeded back.
"""

from django.db import migrations

CONFIG_MODELS = {
    "workorders": ["category", "priorityrule", "slapolicy", "escalationrule"],
    "core": [
        "workcalendar",
        "calendaroverride",
        "notificationchannel",
        "allowedhost",
        "eventkindsetting",
        "notificationtemplate",
        "securitypolicy",
    ],
}
ROLES = ["engineer", "requester"]


def remove_config_writes(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    Permission = apps.get_model("auth", "Permission")
    writes = Permission.objects.none()
    for app_label, models in CONFIG_MODELS.items():
        writes = writes | Permission.objects.filter(
            content_type__app_label=app_label, content_type__model__in=models
        ).exclude(codename__startswith="view")
    ids = list(writes.values_list("pk", flat=True))
    if not ids:
        return  # a new database: permissions are created after the migrations
    for role in Role.objects.filter(code__in=ROLES):
        role.permissions.remove(*role.permissions.filter(pk__in=ids))


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0003_separation_of_duties"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(remove_config_writes, migrations.RunPython.noop),
    ]
