"""One exception handler: every failure becomes `{type, message, code?}` with its status."""

import logging
import sys

from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, DataError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf

from config.errors import Conflict, DomainError, Duplicate, InvalidData, Unavailable

logger = logging.getLogger("stockroom.api")

CONFLICT_MESSAGE = (
    "The request conflicted with another request. "
    "You may retry the request with the provided Idempotency-Key."
)
UNAVAILABLE_MESSAGE = "The database cannot be reached. Retry later."
# PostgreSQL's states for a connection that failed, was lost or is refused (psycopg gives
# none for a failure on the client side, such as a refused connection).
UNREACHABLE_STATES = ("08", "53300", "57P01", "57P02", "57P03")


def error_body(type_: str, message: str, code: str | None = None) -> dict:
    body = {"type": type_, "message": message}
    if code:
        body["code"] = code
    return body


def respond(status: int, type_: str, message: str, code: str | None = None, headers=None):
    response = JsonResponse(error_body(type_, message, code), status=status)
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def flatten_errors(detail, path: str = "") -> list[str]:
    """DRF error details -> Medusa-style messages (`quantity must be a positive integer`)."""
    if isinstance(detail, dict):
        messages = []
        for key, value in detail.items():
            sub = (
                path
                if key in ("non_field_errors", "__all__")
                else (f"{path}.{key}" if path else str(key))
            )
            messages += flatten_errors(value, sub)
        return messages
    if isinstance(detail, list):
        messages = []
        for index, value in enumerate(detail):
            nested = isinstance(value, (dict, list)) and value
            messages += flatten_errors(value, f"{path}[{index}]" if nested else path)
        return messages
    text = str(detail)
    if getattr(detail, "code", None) == "unknown_field" or not path:
        return [text]
    return [f"{path} {text}"]


def _database_error(exc: DatabaseError) -> DomainError | None:
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    text = str(exc).lower()
    if isinstance(exc, IntegrityError):
        if sqlstate == "23505" or "unique" in text:
            return Duplicate("A record with the same unique value already exists.")
        return Conflict("The request conflicts with related records: " + str(exc).split("\n")[0])
    if isinstance(exc, DataError):
        return InvalidData("A value is out of range or malformed for its field.")
    if sqlstate in ("40001", "40P01", "55P03") or "database is locked" in text:
        return Conflict(CONFLICT_MESSAGE)
    if _unreachable(exc):
        return Unavailable(UNAVAILABLE_MESSAGE)
    return None


def _unreachable(exc: DatabaseError) -> bool:
    """The database could not be reached, as opposed to refusing a statement."""
    cause = exc.__cause__
    if isinstance(exc, InterfaceError):  # a connection already closed
        return True
    if hasattr(cause, "sqlite_errorname"):
        return cause.sqlite_errorname.startswith(("SQLITE_CANTOPEN", "SQLITE_IOERR"))
    if not hasattr(cause, "sqlstate"):
        return False
    return cause.sqlstate is None or cause.sqlstate.startswith(UNREACHABLE_STATES)


def as_domain_error(exc: Exception) -> DomainError | None:
    """The domain error an exception stands for, or None when it is a real bug."""
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, (IntegrityError, DataError, OperationalError, InterfaceError)):
        return _database_error(exc)
    if isinstance(exc, SuspiciousOperation):
        return InvalidData(str(exc) or "The request is malformed.")
    return None


def respond_to(error: DomainError):
    return respond(error.status, error.type, error.message, error.code, error.headers)


def exception_handler(exc, context):
    domain = as_domain_error(exc)
    if domain is not None:
        return respond_to(domain)
    if isinstance(exc, drf.ValidationError):
        return respond(400, "invalid_data", ", ".join(flatten_errors(exc.detail)))
    if isinstance(exc, drf.ParseError):
        return respond(400, "invalid_data", f"The request body is not valid JSON: {exc.detail}")
    if isinstance(exc, drf.UnsupportedMediaType):
        return respond(400, "invalid_data", f"{exc.detail} Send application/json.")
    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
        message = str(exc.detail) if isinstance(exc, drf.AuthenticationFailed) else "Unauthorized"
        return respond(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})
    if isinstance(exc, drf.MethodNotAllowed):
        view = context.get("view")
        allow = ", ".join(view.allowed_methods) if view else ""
        return respond(405, "not_allowed", str(exc.detail), headers={"Allow": allow})
    if isinstance(exc, (Http404, drf.NotFound)):
        return respond(404, "not_found", "Not found")
    if isinstance(exc, drf.APIException):
        return respond(exc.status_code, "invalid_data", str(exc.detail))
    logger.exception("Unhandled error", exc_info=exc)
    return respond(500, "unknown_error", "An unknown error occurred.", "unknown_error")


def json_not_found(request, exception=None):
    return respond(404, "not_found", f"Cannot {request.method} {request.path}")


def json_bad_request(request, exception=None):
    return respond(400, "invalid_data", "The request is malformed.")


def json_server_error(request):
    """Django's 500 view: an error that stands for a refusal (the database being out of
    reach, say) still answers its own status."""
    domain = as_domain_error(sys.exception())
    if domain is not None:
        return respond_to(domain)
    return respond(500, "unknown_error", "An unknown error occurred.", "unknown_error")
