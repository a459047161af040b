"""Writes of staff users."""

from django.contrib.auth import get_user_model
from django.db import transaction

from config.changes import save_changes
from config.errors import Duplicate, NotAllowed, NotFound

User = get_user_model()


def user_get(*, user_id: str) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(f"User with id: {user_id} was not found")
    return user


def _unique_token(token: str | None, exclude_pk=None) -> None:
    if token and User.objects.filter(api_token=token).exclude(pk=exclude_pk).exists():
        raise Duplicate("A user with this api_token already exists.")


@transaction.atomic
def user_create(*, email: str, password: str, **fields) -> User:
    if User.objects.filter(email=email.lower()).exists():
        raise Duplicate(f"A user with email {email} already exists.")
    _unique_token(fields.get("api_token"))
    return User.objects.create_user(email=email, password=password, **fields)


@transaction.atomic
def user_update(*, user_id: str, **changes) -> User:
    user = user_get(user_id=user_id)
    _unique_token(changes.get("api_token"), exclude_pk=user.pk)
    return save_changes(user, changes)


@transaction.atomic
def user_delete(*, user_id: str, acting_user_id: str) -> None:
    user = user_get(user_id=user_id)
    if user.pk == acting_user_id:
        raise NotAllowed("You cannot delete your own user")
    user.delete()
