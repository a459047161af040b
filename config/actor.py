"""Who is acting: the signed-in user of the request, or `command:<name>` for a command.

The ledger records it on every movement without each service taking it as an argument.
`ActorMiddleware` makes the request known (DRF and the Django admin both leave the user they
authenticated on it); `acting_as` names the actor for a block (management commands).
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.core.management import BaseCommand

_request = ContextVar("request", default=None)
_named = ContextVar("actor", default=None)


def current_actor() -> str | None:
    """The acting user's id, `command:<name>`, or None when no one is known."""
    named = _named.get()
    if named is not None:
        return named
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user.pk if user is not None and user.is_authenticated else None


@contextmanager
def acting_as(actor: str):
    token = _named.set(actor)
    try:
        yield
    finally:
        _named.reset(token)


class ActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


class ActorCommand(BaseCommand):
    """A management command whose writes are recorded as `command:<its name>`."""

    def execute(self, *args, **options):
        with acting_as(f"command:{self.__module__.rsplit('.', 1)[-1]}"):
            return super().execute(*args, **options)
