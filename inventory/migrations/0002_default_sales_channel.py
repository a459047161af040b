from django.db import migrations

from config.ids import PrefixedId


def create_default_channel(apps, schema_editor):
    SalesChannel = apps.get_model("inventory", "SalesChannel")
    if not SalesChannel.objects.filter(is_default=True).exists():
        SalesChannel.objects.create(
            id=PrefixedId("sc")(),
            name="Default Sales Channel",
            description="Created by default",
            is_default=True,
        )


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(create_default_channel, migrations.RunPython.noop)]
