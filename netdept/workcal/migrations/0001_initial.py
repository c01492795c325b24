"""Issue 9: these models moved here from core with their tables (``core_...``): the models enter
this app's migration state only (the database is not touched), and their content types move
from ``core`` to ``workcal`` so the permissions held by roles follow them (same rows, same
codenames). Audit records keep the old labels (they are sealed); ``core.audit.history`` finds
them through ``FORMER_LABELS``.
"""

import django.db.models.deletion
import netdept.workcal.models
from django.db import migrations, models

MODELS = ["calendaroverride", "workcalendar"]


def move_content_types(apps, schema_editor, old="core", new="workcal"):
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        rows = content_type.objects.using(db)
        if rows.filter(app_label=old, model=model).exists():
            # A row under the new label can only come from an interrupted upgrade: the old row
            # is the one the roles' permissions hang on.
            rows.filter(app_label=new, model=model).delete()
            rows.filter(app_label=old, model=model).update(app_label=new)
    content_type.objects.clear_cache()


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="workcal", new="core")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("core", "0004_audit_seal"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='WorkCalendar',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('name', models.CharField(max_length=100, unique=True, verbose_name='name')),
                        ('time_zone', models.CharField(default='Asia/Shanghai', max_length=64, verbose_name='time zone')),
                        ('around_the_clock', models.BooleanField(default=False, verbose_name='7×24')),
                        ('working_periods', models.JSONField(default=netdept.workcal.models.default_working_periods, help_text='Periods of a working day, e.g. [["08:30", "12:00"], ["13:30", "17:30"]].', verbose_name='working hours')),
                        ('is_default', models.BooleanField(default=False, verbose_name='default calendar')),
                    ],
                    options={
                        'verbose_name': 'working calendar',
                        'verbose_name_plural': 'working calendars',
                        'db_table': 'core_workcalendar',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='CalendarOverride',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('date', models.DateField(verbose_name='date')),
                        ('is_working_day', models.BooleanField(verbose_name='working day')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                        ('calendar', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='overrides', to='workcal.workcalendar', verbose_name='calendar')),
                    ],
                    options={
                        'verbose_name': 'calendar override',
                        'verbose_name_plural': 'calendar overrides',
                        'db_table': 'core_calendaroverride',
                        'ordering': ['date'],
                        'constraints': [models.UniqueConstraint(fields=('calendar', 'date'), name='calendar_override_once')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
