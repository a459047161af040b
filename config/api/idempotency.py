"""`Idempotency-Key` on every `POST` and `DELETE` a `ResourceViewSet` serves (all of /admin but
signing in and out): the first request with a key, per user, runs; a repeat within 24 hours
gets the stored answer with `Idempotent-Replayed: true` and changes nothing.

- The key and the answer are one row, inserted as the write's last statement, in its
  transaction: effect and answer commit together or not at all, for one statement more.
- A repeat runs too, in its own transaction, and its insert finds the key taken: it rolls its
  work back and answers the stored answer. One that comes while the first still runs waits
  where the first holds rows (the key's, at the latest: a request inserts it last, after every
  other lock, so this never deadlocks), then does the same; a first that rolls back leaves the
  key to it. The waits are row waits in one transaction: they work behind a transaction
  pooler, and a wait past the lock timeout is a 409 the client retries.
- A refusal (4xx) has no effect to keep: its transaction rolls back as any refusal's, then its
  answer is stored in a transaction of its own (unless another request took the key meanwhile:
  then that one's answer is the key's, and this one gets it too).
- Not stored, so a retry runs again: 5xx answers and every 409 (a lock timeout or deadlock,
  a stale `expected_stocked_quantity`, something still in use: states that may change, and
  Medusa's client retries 409s itself); such an answer gives way to a stored one, though (a
  retry of a compare-and-set that was kept finds the stock changed: by itself). Nor are answers
  given before the write runs: 401, 405, a bad key.
"""

import hashlib
import re
from dataclasses import dataclass
from functools import cache

from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse
from django.utils import timezone

from config.api.errors import respond_to
from config.errors import Conflict, Duplicate, InvalidData
from config.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
METHODS = frozenset({"POST", "DELETE"})
VALID_KEY = re.compile(r"[!-~]{1,255}")  # visible ASCII


@dataclass(frozen=True)
class Key:
    """A request's key: whose, and what request it names."""

    user_id: str
    key: str
    request_hash: str


def key_of(request) -> Key | None:
    """The request's key (None without one); `InvalidData` for a malformed one. Read before
    the body is parsed: the body is part of what the key names."""
    meta = request.META  # (not `request.headers`, which copies every header first)
    key = meta.get("HTTP_IDEMPOTENCY_KEY")
    if key is None:
        return None
    if not VALID_KEY.fullmatch(key):
        raise InvalidData(f"{HEADER} must be 1 to 255 visible ASCII characters")
    named = f"{request.method} {request.path}?{meta.get('QUERY_STRING', '')}\n"
    digest = hashlib.sha256(named.encode("utf-8", "surrogateescape"))
    digest.update(request.body)
    return Key(request.user.pk, key, digest.hexdigest())


def keep(key: Key, response) -> HttpResponse | None:
    """Store a rendered success with its effect, in the write's transaction (waiting for a
    request that holds the key to end). None when kept; else the key's answer, and the
    caller rolls this request's effect back."""
    if _insert(key, response.status_code, response.content.decode()) is not None:
        return None
    return _taken(key)


def keep_refusal(key: Key, response) -> HttpResponse:
    """After a refusal rolled back: the key's answer. A 4xx is stored (in a transaction of its
    own) unless another request took the key meanwhile; a 409 or 5xx is not, so a retry
    runs again, unless the key already holds an answer."""
    status = response.status_code
    if status >= 500 or status == 409:
        try:
            return _answer(key) or response
        except DatabaseError:  # out of reach: the answer says so already
            return response
    with transaction.atomic():
        if _insert(key, status, response.content.decode()) is not None:
            return response
    return _taken(key)


def replayed(status: int, body: str) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="application/json")
    response[REPLAYED] = "true"
    return response


def _answer(key: Key) -> HttpResponse | None:
    """The key's answer: its stored one, 422 when it names another request; None if none."""
    row = (
        IdempotencyKey.objects.filter(user_id=key.user_id, key=key.key)
        .values_list("request_hash", "status", "body")
        .first()
    )
    if row is None:
        return None
    request_hash, status, body = row
    if request_hash != key.request_hash:
        return respond_to(
            Duplicate(
                f"This {HEADER} was already used for another request (method, path or body): "
                "send a new key",
                code="idempotency_key_reused",
            )
        )
    return replayed(status, body)


def _taken(key: Key) -> HttpResponse:
    """The answer of the request that took the key (a 409 if it is gone again: retry)."""
    return _answer(key) or respond_to(Conflict(f"The {HEADER} changed meanwhile; retry"))


def _insert(key: Key, status: int, body: str) -> int | None:
    """Insert the key's row, or take over an expired one; its id, or None when the key holds
    a live answer. On PostgreSQL, waits for a transaction that holds the key to end."""
    now, adapt = timezone.now(), connection.ops.adapt_datetimefield_value
    values = [key.user_id, key.key, key.request_hash, status, body]
    values += [adapt(now), adapt(now - IdempotencyKey.KEPT)]
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
