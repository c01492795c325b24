"""Issue 9: these models moved here from core with their tables (``core_...``): the models enter
this app's migration state only (the database is not touched), and their content types move
from ``core`` to ``notify`` so the permissions held by roles follow them (same rows, same
codenames). Audit records keep the old labels (they are sealed); ``core.audit.history`` finds
them through ``FORMER_LABELS``.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ["allowedhost", "delivery", "eventkindsetting", "inboxmessage", "notification", "notificationchannel", "notificationpreference", "notificationtemplate", "quiethours"]


def move_content_types(apps, schema_editor, old="core", new="notify"):
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
    move_content_types(apps, schema_editor, old="notify", new="core")


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
                    name='AllowedHost',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('host', models.CharField(help_text='A host name or IP address, e.g. oapi.dingtalk.com.', max_length=255, unique=True, verbose_name='host')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                    ],
                    options={
                        'verbose_name': 'allowed host',
                        'verbose_name_plural': 'allowed hosts',
                        'db_table': 'core_allowedhost',
                        'ordering': ['host'],
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(db_index=True, max_length=80, verbose_name='event kind')),
                        ('severity', models.CharField(choices=[('info', 'information'), ('warning', 'warning'), ('critical', 'critical')], default='info', max_length=10, verbose_name='severity')),
                        ('urgent', models.BooleanField(default=False, verbose_name='urgent')),
                        ('object_type', models.CharField(blank=True, max_length=100, verbose_name='object type')),
                        ('object_id', models.CharField(blank=True, max_length=64, verbose_name='object ID')),
                        ('link', models.CharField(blank=True, max_length=500, verbose_name='link')),
                        ('data', models.JSONField(blank=True, default=dict, verbose_name='data')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                        ('dedupe_key', models.CharField(blank=True, db_index=True, max_length=200)),
                    ],
                    options={
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'db_table': 'core_notification',
                        'ordering': ['-created_at'],
                        'default_permissions': ('view',),
                    },
                ),
                migrations.CreateModel(
                    name='NotificationChannel',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('name', models.CharField(max_length=100, unique=True, verbose_name='name')),
                        ('kind', models.CharField(choices=[('email', 'email (SMTP)'), ('dingtalk', 'DingTalk robot'), ('wecom', 'WeCom robot'), ('feishu', 'Feishu robot'), ('webhook', 'webhook')], max_length=20, verbose_name='kind')),
                        ('url_encrypted', models.TextField(blank=True, verbose_name='address (encrypted)')),
                        ('url_host', models.CharField(blank=True, help_text='The host the address points at (shown).', max_length=255, verbose_name='host')),
                        ('secret_encrypted', models.TextField(blank=True, verbose_name='secret (encrypted)')),
                        ('config', models.JSONField(blank=True, default=dict, verbose_name='settings')),
                        ('rate_per_minute', models.PositiveIntegerField(default=20, verbose_name='messages per minute')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('last_test_at', models.DateTimeField(blank=True, null=True, verbose_name='last test')),
                        ('last_test_result', models.TextField(blank=True, verbose_name='last test result')),
                    ],
                    options={
                        'verbose_name': 'notification channel',
                        'verbose_name_plural': 'notification channels',
                        'db_table': 'core_notificationchannel',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='EventKindSetting',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('kind', models.CharField(max_length=80, unique=True, verbose_name='event kind')),
                        ('mandatory', models.BooleanField(default=False, help_text='Users cannot switch it off.', verbose_name='mandatory')),
                        ('urgent', models.BooleanField(default=False, help_text='Delivered during quiet hours too.', verbose_name='urgent')),
                        ('mandatory_channels', models.ManyToManyField(blank=True, related_name='+', to='notify.notificationchannel', verbose_name='mandatory channels')),
                    ],
                    options={
                        'verbose_name': 'event kind setting',
                        'verbose_name_plural': 'event kind settings',
                        'db_table': 'core_eventkindsetting',
                        'ordering': ['kind'],
                    },
                ),
                migrations.CreateModel(
                    name='NotificationTemplate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('kind', models.CharField(max_length=80, verbose_name='event kind')),
                        ('language', models.CharField(choices=[('zh-hans', '简体中文'), ('en', 'English')], max_length=10, verbose_name='language')),
                        ('subject', models.CharField(max_length=200, verbose_name='subject')),
                        ('body', models.TextField(verbose_name='body')),
                    ],
                    options={
                        'verbose_name': 'notification template',
                        'verbose_name_plural': 'notification templates',
                        'db_table': 'core_notificationtemplate',
                        'ordering': ['kind', 'language'],
                        'constraints': [models.UniqueConstraint(fields=('kind', 'language'), name='template_once')],
                    },
                ),
                migrations.CreateModel(
                    name='QuietHours',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('enabled', models.BooleanField(default=False, verbose_name='enabled')),
                        ('start', models.TimeField(default='22:00', verbose_name='from')),
                        ('end', models.TimeField(default='08:00', verbose_name='until')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='quiet_hours', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'core_quiethours',
                        'default_permissions': (),
                    },
                ),
                migrations.CreateModel(
                    name='InboxMessage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=300, verbose_name='title')),
                        ('body', models.TextField(blank=True, verbose_name='message')),
                        ('link', models.CharField(blank=True, max_length=500, verbose_name='link')),
                        ('severity', models.CharField(choices=[('info', 'information'), ('warning', 'warning'), ('critical', 'critical')], default='info', max_length=10, verbose_name='severity')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read at')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='inbox', to=settings.AUTH_USER_MODEL)),
                        ('notification', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='inbox_messages', to='notify.notification')),
                    ],
                    options={
                        'verbose_name': 'inbox message',
                        'verbose_name_plural': 'inbox',
                        'db_table': 'core_inboxmessage',
                        'ordering': ['-created_at', '-id'],
                        'default_permissions': (),
                        'indexes': [models.Index(fields=['user', 'read_at', '-created_at'], name='core_inboxm_user_id_f47ea3_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='Delivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('address', models.CharField(blank=True, help_text='Email address or mobile number used.', max_length=255, verbose_name='address')),
                        ('title', models.CharField(max_length=300, verbose_name='title')),
                        ('payload', models.JSONField(default=dict, verbose_name='message')),
                        ('status', models.CharField(choices=[('pending', 'pending'), ('sending', 'sending'), ('sent', 'sent'), ('retrying', 'retrying'), ('failed', 'failed'), ('digested', 'folded into a digest'), ('held', 'held for quiet hours')], db_index=True, default='pending', max_length=10, verbose_name='status')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='next attempt')),
                        ('remote_status', models.IntegerField(blank=True, null=True, verbose_name='remote status')),
                        ('remote_answer', models.TextField(blank=True, verbose_name='remote answer')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('is_digest', models.BooleanField(default=False, verbose_name='digest')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                        ('sent_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='sent at')),
                        ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='claimed at')),
                        ('claim_token', models.CharField(blank=True, editable=False, max_length=32)),
                        ('digest', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='folded', to='notify.delivery', verbose_name='digest')),
                        ('recipient', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recipient')),
                        ('notification', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='notify.notification')),
                        ('channel', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='deliveries', to='notify.notificationchannel', verbose_name='channel')),
                    ],
                    options={
                        'verbose_name': 'delivery',
                        'verbose_name_plural': 'delivery log',
                        'db_table': 'core_delivery',
                        'ordering': ['-created_at', '-id'],
                        'default_permissions': ('view',),
                        'indexes': [models.Index(fields=['channel', 'status', 'sent_at'], name='core_delive_channel_d832a4_idx'), models.Index(fields=['status', 'next_attempt_at'], name='core_delive_status_0beef6_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='NotificationPreference',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('kind', models.CharField(max_length=80, verbose_name='event kind')),
                        ('inbox', models.BooleanField(default=True, verbose_name='inbox')),
                        ('channels', models.ManyToManyField(blank=True, related_name='+', to='notify.notificationchannel', verbose_name='channels')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notification_preferences', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'notification preference',
                        'verbose_name_plural': 'notification preferences',
                        'db_table': 'core_notificationpreference',
                        'constraints': [models.UniqueConstraint(fields=('user', 'kind'), name='preference_once')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
