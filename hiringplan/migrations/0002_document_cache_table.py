from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    # Rendered PDFs are cached in the database (settings.CACHES["documents"]);
    # creating the table here means `migrate` is the only deployment step.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("hiringplan", "0001_groups")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
