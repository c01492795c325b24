"""Issue 9: these models moved here from core with their tables (``core_...``): the models enter
this app's migration state only (the database is not touched), and their content types move
from ``core`` to ``accounts`` so the permissions held by roles follow them (same rows, same
codenames). Audit records keep the old labels (they are sealed); ``core.audit.history`` finds
them through ``FORMER_LABELS``.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ["apitoken", "loginattempt", "passwordhistory", "securitypolicy", "userprofile"]


def move_content_types(apps, schema_editor, old="core", new="accounts"):
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
    move_content_types(apps, schema_editor, old="accounts", new="core")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("core", "0004_audit_seal"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='LoginAttempt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('username', models.CharField(db_index=True, max_length=150)),
                        ('ip', models.GenericIPAddressField(blank=True, db_index=True, null=True)),
                        ('ts', models.DateTimeField(db_index=True)),
                    ],
                    options={
                        'db_table': 'core_loginattempt',
                        'default_permissions': (),
                    },
                ),
                migrations.CreateModel(
                    name='SecurityPolicy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('min_length', models.PositiveSmallIntegerField(default=10, verbose_name='minimum password length')),
                        ('min_classes', models.PositiveSmallIntegerField(default=3, help_text='Of: lower case, upper case, digits, symbols.', verbose_name='character classes required')),
                        ('history', models.PositiveSmallIntegerField(default=5, verbose_name='passwords remembered')),
                        ('lockout_attempts', models.PositiveSmallIntegerField(default=5, verbose_name='failed attempts before lockout')),
                        ('lockout_minutes', models.PositiveSmallIntegerField(default=15, verbose_name='lockout minutes')),
                        ('idle_timeout_minutes', models.PositiveSmallIntegerField(default=30, verbose_name='idle session timeout (minutes)')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                    ],
                    options={
                        'verbose_name': 'security policy',
                        'verbose_name_plural': 'security policy',
                        'db_table': 'core_securitypolicy',
                        'default_permissions': ('view', 'change'),
                    },
                ),
                migrations.CreateModel(
                    name='ApiToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('prefix', models.CharField(db_index=True, max_length=12, verbose_name='prefix')),
                        ('digest', models.CharField(max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='last used')),
                        ('expires_at', models.DateTimeField(blank=True, null=True, verbose_name='expires')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'API token',
                        'verbose_name_plural': 'API tokens',
                        'db_table': 'core_apitoken',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='PasswordHistory',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('password', models.CharField(max_length=256)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='password_history', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'core_passwordhistory',
                        'ordering': ['-created_at', '-id'],
                        'default_permissions': (),
                    },
                ),
                migrations.CreateModel(
                    name='UserProfile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('language', models.CharField(choices=[('zh-hans', '简体中文'), ('en', 'English')], default='zh-hans', max_length=10, verbose_name='language')),
                        ('time_zone', models.CharField(default='Asia/Shanghai', max_length=64, verbose_name='time zone')),
                        ('password_changed_at', models.DateTimeField(blank=True, null=True)),
                        ('must_change_password', models.BooleanField(default=False)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='profile', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'core_userprofile',
                        'default_permissions': (),
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
