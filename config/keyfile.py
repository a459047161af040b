"""The secret key when `DJANGO_SECRET_KEY` is not set: random, made once, kept in a file.

Several processes may start at once (gunicorn workers, test workers): each writes a key of its
own to a private temporary file and links it to the final name, which succeeds for one of them
only (a link never replaces a file). The others drop theirs and read the winner's, which is
complete before it has its name.
"""

import contextlib
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def secret_key_in(path: Path) -> str:
    """The key kept in `path`, made there first if there is none."""
    if not path.exists():
        _make(path)
    key = path.read_text().strip()
    if not key:
        raise ImproperlyConfigured(f"{path} is empty: delete it, or set DJANGO_SECRET_KEY")
    return key


def _make(path: Path) -> None:
    draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(8)}")
    try:
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise ImproperlyConfigured(
            f"Cannot write a secret key into {path.parent} ({error}): set DJANGO_SECRET_KEY"
        ) from error
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: its key
            os.link(draft, path)
    finally:
        os.unlink(draft)
