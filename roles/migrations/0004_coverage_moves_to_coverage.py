# Coverage moves to the coverage app; its tables stay as they are (state only).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('roles', '0003_costs_and_timeline'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='historicalcoverage',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalcoverage',
                    name='problem',
                ),
                migrations.RemoveField(
                    model_name='historicalcoverage',
                    name='role',
                ),
                migrations.DeleteModel(
                    name='Coverage',
                ),
                migrations.DeleteModel(
                    name='HistoricalCoverage',
                ),
            ],
            database_operations=[],
        ),
    ]
