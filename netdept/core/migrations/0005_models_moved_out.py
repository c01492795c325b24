"""Issue 9: notifications, the working calendar, accounts/sign-in security and background tasks
left core for the apps ``notify``, ``workcal``, ``accounts`` and ``tasks``. Their tables keep
their names (``Meta.db_table = "core_..."``): this migration only removes the models from core's
state (the new apps' 0001 migrations add them to theirs, and move the content types); the
database is not touched.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_audit_seal"),
        ("accounts", "0001_initial"),
        ("notify", "0001_initial"),
        ("tasks", "0001_initial"),
        ("workcal", "0001_initial"),
        # Foreign keys of other apps to a moved model point at the new app first.
        ("workorders", "0007_calendar_moved_to_workcal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='AllowedHost',
                ),
                migrations.RemoveField(
                    model_name='apitoken',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='calendaroverride',
                    name='calendar',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='channel',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='digest',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='notification',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='recipient',
                ),
                migrations.RemoveField(
                    model_name='eventkindsetting',
                    name='mandatory_channels',
                ),
                migrations.RemoveField(
                    model_name='inboxmessage',
                    name='notification',
                ),
                migrations.RemoveField(
                    model_name='inboxmessage',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='JobRun',
                ),
                migrations.DeleteModel(
                    name='LoginAttempt',
                ),
                migrations.RemoveField(
                    model_name='notificationpreference',
                    name='channels',
                ),
                migrations.RemoveField(
                    model_name='notificationpreference',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='NotificationTemplate',
                ),
                migrations.RemoveField(
                    model_name='passwordhistory',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='quiethours',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='SchedulerLease',
                ),
                migrations.DeleteModel(
                    name='SecurityPolicy',
                ),
                migrations.DeleteModel(
                    name='TaskEffect',
                ),
                migrations.RemoveField(
                    model_name='userprofile',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='WorkerHeartbeat',
                ),
                migrations.DeleteModel(
                    name='ApiToken',
                ),
                migrations.DeleteModel(
                    name='CalendarOverride',
                ),
                migrations.DeleteModel(
                    name='WorkCalendar',
                ),
                migrations.DeleteModel(
                    name='Delivery',
                ),
                migrations.DeleteModel(
                    name='EventKindSetting',
                ),
                migrations.DeleteModel(
                    name='Notification',
                ),
                migrations.DeleteModel(
                    name='InboxMessage',
                ),
                migrations.DeleteModel(
                    name='NotificationChannel',
                ),
                migrations.DeleteModel(
                    name='NotificationPreference',
                ),
                migrations.DeleteModel(
                    name='PasswordHistory',
                ),
                migrations.DeleteModel(
                    name='QuietHours',
                ),
                migrations.DeleteModel(
                    name='UserProfile',
                ),
            ],
            database_operations=[],
        ),
    ]
