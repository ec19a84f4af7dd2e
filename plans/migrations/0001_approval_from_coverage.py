# Approval arrives from coverage (same table, state only).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    """Keep the content types (admin log entries, permissions) of the moved models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("approval",):
        moved = ContentType.objects.filter(app_label="coverage", model=model)
        if not ContentType.objects.filter(app_label="plans", model=model).exists():
            moved.update(app_label="plans")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('coverage', '0002_coverage_from_roles'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('problems', '0004_plan_undated_last'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Approval',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('approved_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ('note', models.TextField(blank=True)),
                        ('revision', models.CharField(max_length=32)),
                        ('snapshot', models.JSONField(default=dict)),
                        ('verdict', models.JSONField(default=dict)),
                        ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='approvals', to='problems.plan')),
                    ],
                    options={
                        'db_table': 'coverage_approval',
                        'ordering': ['-approved_at', '-pk'],
                        'get_latest_by': ['approved_at', 'pk'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
