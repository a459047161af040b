"""On PostgreSQL, a 10 s lock timeout as the default of this role in this database.

A lock wait past it becomes a 409 conflict instead of a hang. Kept by PostgreSQL, the default
reaches every session, also those a pooler opens: PgBouncer in transaction mode cannot pass a
connection's own `-c lock_timeout`, and a `SET` per transaction would cost a round trip. Any
role may set its own defaults; a role other than the one that migrates needs the same
`ALTER ROLE ... IN DATABASE ... SET lock_timeout` (docs/deployment.md).
"""

from django.db import migrations


def alter_role(schema_editor, change: str) -> None:
    """`ALTER ROLE CURRENT_USER IN DATABASE <this one> <change>` (the server's name for it:
    behind a pooler the client's may be an alias)."""
    schema_editor.execute(
        "DO $$ BEGIN EXECUTE format('ALTER ROLE CURRENT_USER IN DATABASE %I "
        + change.replace("'", "''")
        + "', current_database()); END $$",
        params=None,
    )


def set_lock_timeout(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        alter_role(schema_editor, "SET lock_timeout = '10s'")
        # This session too: sessions started before (a pooler's) keep the settings they had.
        schema_editor.execute("SET lock_timeout = '10s'", params=None)


def reset_lock_timeout(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        alter_role(schema_editor, "RESET lock_timeout")


class Migration(migrations.Migration):
    dependencies = [("config", "0002_sign_in_failures")]

    operations = [migrations.RunPython(set_lock_timeout, reset_lock_timeout)]
