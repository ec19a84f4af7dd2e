# Coverage arrives from roles (same tables); Approval leaves for plans (state only).

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    """Keep the content types (admin log entries, permissions) of the moved models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("coverage", "historicalcoverage"):
        moved = ContentType.objects.filter(app_label="roles", model=model)
        if not ContentType.objects.filter(app_label="coverage", model=model).exists():
            moved.update(app_label="coverage")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('coverage', '0001_scenarios_and_signoff'),
        ('problems', '0004_plan_undated_last'),
        ('roles', '0004_coverage_moves_to_coverage'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Coverage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('confidence', models.CharField(choices=[('high', 'High'), ('medium', 'Medium'), ('low', 'Low'), ('unclear', 'Unclear')], max_length=20)),
                        ('rationale', models.CharField(blank=True, max_length=300)),
                        ('version', models.PositiveIntegerField(default=1, editable=False)),
                        ('problem', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='coverages', to='problems.problem')),
                        ('role', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='coverages', to='roles.role')),
                    ],
                    options={
                        'verbose_name_plural': 'coverage',
                        'db_table': 'roles_coverage',
                        'ordering': ['role', 'problem'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalCoverage',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('confidence', models.CharField(choices=[('high', 'High'), ('medium', 'Medium'), ('low', 'Low'), ('unclear', 'Unclear')], max_length=20)),
                        ('rationale', models.CharField(blank=True, max_length=300)),
                        ('version', models.PositiveIntegerField(default=1, editable=False)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('problem', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='problems.problem')),
                        ('role', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='roles.role')),
                    ],
                    options={
                        'verbose_name': 'historical coverage',
                        'verbose_name_plural': 'historical coverage',
                        'db_table': 'roles_historicalcoverage',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.DeleteModel(
                    name='Approval',
                ),
                migrations.AddConstraint(
                    model_name='coverage',
                    constraint=models.UniqueConstraint(fields=('role', 'problem'), name='coverage_unique_role_problem'),
                ),
                migrations.AddConstraint(
                    model_name='coverage',
                    constraint=models.CheckConstraint(condition=models.Q(('confidence__in', ['high', 'medium', 'low', 'unclear'])), name='coverage_confidence_valid'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
