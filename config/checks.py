"""System checks of our own settings (`manage.py check --deploy`)."""

import os

from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def secret_key_is_set(app_configs, **kwargs):
    """Each machine makes its own key when none is set: tokens and sessions signed on one
    app server would not hold on another."""
    if os.environ.get("DJANGO_SECRET_KEY"):
        return []
    return [
        checks.Warning(
            "DJANGO_SECRET_KEY is not set: this server signs with a key it made for itself "
            "(.secret_key in the project folder).",
            hint="Set DJANGO_SECRET_KEY, the same on every app server.",
            id="stockroom.W001",
        )
    ]
