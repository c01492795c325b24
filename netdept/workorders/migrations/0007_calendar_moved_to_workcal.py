"""Issue 9: the working calendar moved from core to the ``workcal`` app (same table): the SLA
policy's foreign key points at ``workcal.WorkCalendar`` in the migration state; the database is
not touched."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workcal", "0001_initial"),
        ("workorders", "0006_sla_minute_bounds"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='slapolicy',
                    name='calendar',
                    field=models.ForeignKey(blank=True, help_text='Empty: the default calendar.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='workcal.workcalendar', verbose_name='working calendar'),
                ),
            ],
            database_operations=[],
        ),
    ]
