"""Medusa-style ids: a prefix, an underscore and a ULID."""

import os
import time

from django.db import models
from django.utils.deconstruct import deconstructible

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid() -> str:
    """A 26-character ULID: 48 bits of milliseconds, then 80 random bits."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


@deconstructible
class PrefixedId:
    """Callable default that makes `<prefix>_<ULID>` ids."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self) -> str:
        return f"{self.prefix}_{ulid()}"

    def __eq__(self, other):
        return isinstance(other, PrefixedId) and other.prefix == self.prefix


def id_field(prefix: str) -> models.CharField:
    return models.CharField(
        primary_key=True, max_length=40, default=PrefixedId(prefix), editable=False
    )
