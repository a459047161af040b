"""The three ways to authenticate on `/admin`: session cookie, Bearer JWT, API token."""

import time
from functools import cache

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission


def active_staff_user(*, pk: str | None = None, api_token: str | None = None):
    """The active staff user with this id or API token, or None (one indexed query)."""
    field, value = ("pk", pk) if api_token is None else ("api_token", api_token)
    return next(iter(get_user_model().objects.raw(_staff_sql(field), [value])), None)


@cache
def _staff_sql(field: str) -> str:
    """Written once: every request runs it, and compiling a queryset costs more than the query."""
    opts = get_user_model()._meta
    column = opts.pk.column if field == "pk" else opts.get_field(field).column
    quote = connection.ops.quote_name
    active, staff = (quote(opts.get_field(name).column) for name in ("is_active", "is_staff"))
    return (
        f"SELECT * FROM {quote(opts.db_table)} "
        f"WHERE {quote(column)} = %s AND {active} AND {staff} LIMIT 1"
    )


def access_token_for(user) -> str:
    now = int(time.time())
    payload = {
        "user_id": user.pk,
        "domain": "admin",
        "iat": now,
        "exp": now + settings.JWT_TTL_SECONDS,
    }
    return jwt.encode(payload, settings.JWT_SECRET, algorithm="HS256")


class BearerAuthentication(BaseAuthentication):
    """`Authorization: Bearer <jwt>` as issued by `POST /admin/auth/token`."""

    def authenticate(self, request):
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            payload = jwt.decode(token.strip(), settings.JWT_SECRET, algorithms=["HS256"])
        except jwt.PyJWTError:
            return None
        if payload.get("domain") != "admin" or not isinstance(payload.get("user_id"), str):
            return None
        user = active_staff_user(pk=payload["user_id"])
        return (user, token) if user else None

    def authenticate_header(self, request):
        return 'Bearer realm="admin"'


class ApiTokenAuthentication(BaseAuthentication):
    """`x-medusa-access-token: <user.api_token>`."""

    def authenticate(self, request):
        token = request.META.get("HTTP_X_MEDUSA_ACCESS_TOKEN")
        if not token or "\x00" in token:
            return None
        user = active_staff_user(api_token=token)
        return (user, token) if user else None


class JsonSessionAuthentication(SessionAuthentication):
    """The session cookie of `POST /admin/auth`.

    A cross-site page cannot send `application/json` without a CORS preflight, so JSON
    requests need no CSRF token; any other unsafe request on a session alone is refused.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None or not (result[0].is_active and result[0].is_staff):
            return None
        return result

    def enforce_csrf(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return
        if request.content_type.split(";")[0].strip().lower() != "application/json":
            raise AuthenticationFailed(
                "Requests authenticated by the session cookie must be sent as application/json"
            )


class IsActiveStaff(BasePermission):
    def has_permission(self, request, view):
        return request.user is not None
