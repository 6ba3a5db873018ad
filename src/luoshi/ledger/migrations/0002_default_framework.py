"""Load the default framework: the six aspects of the reference self-examination document."""

from django.db import migrations

from luoshi.ledger.frameworks import DEFAULT_NAME, ensure_default_framework


def load(apps, schema_editor):
    ensure_default_framework(apps.get_model("ledger", "Framework"), apps.get_model("ledger", "Aspect"))


def unload(apps, schema_editor):
    apps.get_model("ledger", "Framework").objects.filter(name=DEFAULT_NAME, rounds__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
