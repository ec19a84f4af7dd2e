# Coverage moved from roles to coverage, so plan data names its rows "coverage.coverage".


from django.db import migrations

OLD, NEW = "roles.coverage", "coverage.coverage"


def rename_key(apps, schema_editor):
    """Approved snapshots are plan data: compare() reads them under the model's new label."""
    Approval = apps.get_model("plans", "Approval")
    for approval in Approval.objects.all().only("pk", "snapshot"):
        snapshot = approval.snapshot or {}
        if OLD in snapshot:
            snapshot[NEW] = snapshot.pop(OLD)
            Approval.objects.filter(pk=approval.pk).update(snapshot=snapshot)


def restore_key(apps, schema_editor):
    Approval = apps.get_model("plans", "Approval")
    for approval in Approval.objects.all().only("pk", "snapshot"):
        snapshot = approval.snapshot or {}
        if NEW in snapshot:
            snapshot[OLD] = snapshot.pop(NEW)
            Approval.objects.filter(pk=approval.pk).update(snapshot=snapshot)


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_approval_from_coverage")]

    operations = [migrations.RunPython(rename_key, restore_key)]
