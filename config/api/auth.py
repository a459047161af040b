"""The three ways to authenticate on `/admin`: session cookie, Bearer JWT, API token."""

import time

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from config.prepared import Prepared


def active_staff_user(*, pk: str | None = None, api_token: str | None = None):
    """The active staff user with this id or API token, or None (one indexed query)."""
    found = _staff_by_id(pk) if api_token is None else _staff_by_token(api_token)
    return found[0] if found else None


def _staff(**lookup):
    return get_user_model().objects.filter(is_active=True, is_staff=True, **lookup).order_by()[:1]


_staff_by_id = Prepared(lambda pk: _staff(pk=pk))
_staff_by_token = Prepared(lambda token: _staff(api_token=token))


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
            payload = jwt.decode(
                token.strip(),
                settings.JWT_SECRET,
                algorithms=["HS256"],
                options={"require": ["exp", "iat"]},  # no token lives for ever
            )
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
