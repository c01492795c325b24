"""Issue 9: these models moved here from core with their tables (``core_...``): the models enter
this app's migration state only (the database is not touched), and their content types move
from ``core`` to ``tasks`` so the permissions held by roles follow them (same rows, same
codenames). Audit records keep the old labels (they are sealed); ``core.audit.history`` finds
them through ``FORMER_LABELS``.
"""

from django.db import migrations, models

MODELS = ["jobrun", "schedulerlease", "taskeffect", "workerheartbeat"]


def move_content_types(apps, schema_editor, old="core", new="tasks"):
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
    move_content_types(apps, schema_editor, old="tasks", new="core")


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
                    name='SchedulerLease',
                    fields=[
                        ('name', models.CharField(max_length=50, primary_key=True, serialize=False)),
                        ('holder', models.CharField(max_length=100)),
                        ('expires_at', models.DateTimeField()),
                    ],
                    options={
                        'db_table': 'core_schedulerlease',
                        'default_permissions': (),
                    },
                ),
                migrations.CreateModel(
                    name='TaskEffect',
                    fields=[
                        ('key', models.CharField(max_length=255, primary_key=True, serialize=False)),
                        ('done_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'db_table': 'core_taskeffect',
                        'default_permissions': (),
                    },
                ),
                migrations.CreateModel(
                    name='WorkerHeartbeat',
                    fields=[
                        ('worker_id', models.CharField(max_length=64, primary_key=True, serialize=False)),
                        ('seen_at', models.DateTimeField(db_index=True)),
                        ('pid', models.IntegerField(default=0)),
                        ('hostname', models.CharField(blank=True, max_length=255)),
                    ],
                    options={
                        'db_table': 'core_workerheartbeat',
                        'default_permissions': (),
                    },
                ),
                migrations.CreateModel(
                    name='JobRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('job', models.CharField(max_length=100)),
                        ('due_at', models.DateTimeField()),
                        ('fired_at', models.DateTimeField(auto_now_add=True)),
                        ('fired_by', models.CharField(max_length=100)),
                        ('task_id', models.CharField(blank=True, max_length=64)),
                    ],
                    options={
                        'db_table': 'core_jobrun',
                        'default_permissions': (),
                        'indexes': [models.Index(fields=['job', '-due_at'], name='core_jobrun_job_a8f997_idx')],
                        'constraints': [models.UniqueConstraint(fields=('job', 'due_at'), name='jobrun_once')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
