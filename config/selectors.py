"""Reads of staff users, as the user asking may see them."""

from django.contrib.auth import get_user_model
from django.db.models import Case, F, QuerySet, Value, When

from config.errors import NotFound

User = get_user_model()


def users_seen_by(viewer) -> QuerySet:
    """Users with `shown_api_token`: an admin sees every token, anyone else only their own."""
    if viewer.role == User.Role.ADMIN:
        token = F("api_token")
    else:
        token = Case(When(pk=viewer.pk, then=F("api_token")), default=Value(None))
    return User.objects.annotate(shown_api_token=token)


def user_get(*, user_id: str, viewer=None) -> User:
    """One user; with `viewer`, as `users_seen_by(viewer)` shows it."""
    users = User.objects if viewer is None else users_seen_by(viewer)
    user = users.filter(pk=user_id).first()
    if user is None:
        raise NotFound(f"User with id: {user_id} was not found")
    return user
