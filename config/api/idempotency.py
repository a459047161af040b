"""`Idempotency-Key` on every `POST` and `DELETE` a `ResourceViewSet` serves (all of /admin but
signing in and out): the first request with a key, per user, runs; a repeat within 24 hours
gets the stored answer with `Idempotent-Replayed: true` and changes nothing.

- The key's row is inserted first in the write's transaction, before any other lock, and the
  answer is stored in it before the commit: effect and answer commit together or not at all.
  A repeat's insert waits on that row until the first commits (and then replays it) or rolls
  back (and then runs itself). The wait is an ordinary row wait in one transaction, so it works
  behind a transaction pooler and ends, at the lock timeout, in a 409 the client may retry.
- A refusal (4xx) has no effect to keep: its transaction rolls back as any refusal's, then its
  answer is stored in a transaction of its own. If another request took the key in between,
  its answer is the key's answer, and this one gets it too.
- Not stored, so a retry runs again: 5xx answers and every 409 (a lock timeout or deadlock,
  a stale `expected_stocked_quantity`, something still in use: states that may change, and
  Medusa's client retries 409s itself). Nor are answers given before the write starts:
  401, 405, a bad key, a key reused for another request.
"""

import hashlib
import re
from dataclasses import dataclass
from functools import cache

from django.db import connection, transaction
from django.http import HttpResponse
from django.utils import timezone

from config.api.errors import respond_to
from config.errors import Conflict, DomainError, Duplicate, InvalidData
from config.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
METHODS = frozenset({"POST", "DELETE"})
VALID_KEY = re.compile(r"[!-~]{1,255}")  # visible ASCII


class Replay(Exception):
    """A repeat of a stored request: `response` is its answer."""

    def __init__(self, response: HttpResponse):
        super().__init__(response.status_code)
        self.response = response


@dataclass
class Claim:
    """A key this request holds, in its transaction."""

    user_id: str
    key: str
    request_hash: str
    pk: int | None = None


def claim(request) -> Claim | None:
    """Take the request's key (None without one), or raise `Replay` with a stored answer,
    `Duplicate` for a key used with another request, `InvalidData` for a malformed key."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not VALID_KEY.fullmatch(key):
        raise InvalidData(f"{HEADER} must be 1 to 255 visible ASCII characters")
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(request.body)
    held = Claim(request.user.pk, key, digest.hexdigest())
    held.pk = _insert(held, None, "")
    if held.pk is None:
        raise Replay(_stored_answer(held))
    return held


def keep(held: Claim, response) -> None:
    """Store a rendered success with its effect, in the write's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            _store_sql(connection.vendor),
            [response.status_code, response.content.decode(), held.pk],
        )


def keep_refusal(held: Claim, response) -> HttpResponse:
    """After a refusal rolled back: store it, unless a retry may fare better (409, 5xx).
    Returns the key's answer: this one, or that of a request that took the key meanwhile."""
    status = response.status_code
    if status >= 500 or status == 409:
        return response
    with transaction.atomic():
        if _insert(held, status, response.content.decode()) is not None:
            return response
    try:
        return _stored_answer(held)
    except DomainError as error:
        return respond_to(error)


def replayed(status: int, body: str) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="application/json")
    response[REPLAYED] = "true"
    return response


def _stored_answer(held: Claim) -> HttpResponse:
    row = (
        IdempotencyKey.objects.filter(user_id=held.user_id, key=held.key)
        .values_list("request_hash", "status", "body")
        .first()
    )
    if row is None:  # deleted since it was read (its user was): the client may retry
        raise Conflict(f"The {HEADER} changed while this request read it; retry")
    request_hash, status, body = row
    if request_hash != held.request_hash:
        raise Duplicate(
            f"This {HEADER} was already used for another request (method, path or body): "
            "send a new key",
            code="idempotency_key_reused",
        )
    return replayed(status, body)


def _insert(held: Claim, status: int | None, body: str) -> int | None:
    """Insert the key's row, or take over an expired one; its id, or None when the key holds
    a live answer. On PostgreSQL, waits for a transaction that holds the key."""
    now = timezone.now()
    created, cutoff = (
        connection.ops.adapt_datetimefield_value(t) for t in (now, now - IdempotencyKey.KEPT)
    )
    values = [held.user_id, held.key, held.request_hash, status, body, created, cutoff]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor), values)
        row = cursor.fetchone()
    return row[0] if row else None


@cache
def _insert_sql(vendor: str) -> str:
    quote, meta = connection.ops.quote_name, IdempotencyKey._meta
    table = quote(meta.db_table)
    names = ("user", "key", "request_hash", "status", "body", "created_at")
    columns = [quote(meta.get_field(name).column) for name in names]
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns[2:])
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(names))}) "
        f"ON CONFLICT ({columns[0]}, {columns[1]}) DO UPDATE SET {updates} "
        f"WHERE {table}.{columns[-1]} < %s RETURNING {quote(meta.pk.column)}"
    )


@cache
def _store_sql(vendor: str) -> str:
    quote, meta = connection.ops.quote_name, IdempotencyKey._meta
    return (
        f"UPDATE {quote(meta.db_table)} SET {quote('status')} = %s, {quote('body')} = %s "
        f"WHERE {quote(meta.pk.column)} = %s"
    )
