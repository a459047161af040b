"""Writes of staff users, under the roles: only admins manage users; anyone edits their own
name, metadata and API token."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from config.changes import save_changes
from config.errors import Duplicate, Forbidden, NotAllowed
from config.models import IdempotencyKey
from config.selectors import user_get

User = get_user_model()


def _require_admin(acting_user, action: str) -> None:
    if acting_user.role != User.Role.ADMIN:
        raise Forbidden(f"Only admins may {action}")


def _unique_token(token: str | None, exclude_pk=None) -> None:
    if token and User.objects.filter(api_token=token).exclude(pk=exclude_pk).exists():
        raise Duplicate("A user with this api_token already exists.")


@transaction.atomic
def user_create(*, acting_user, email: str, password: str, **fields) -> User:
    _require_admin(acting_user, "create users")
    if User.objects.filter(email=email.lower()).exists():
        raise Duplicate(f"A user with email {email} already exists.")
    _unique_token(fields.get("api_token"))
    return User.objects.create_user(email=email, password=password, **fields)


@transaction.atomic
def user_update(*, acting_user, user_id: str, **changes) -> User:
    user = user_get(user_id=user_id)
    if user.pk != acting_user.pk:
        _require_admin(acting_user, "edit other users")
    if changes.get("role", user.role) != user.role:
        _require_admin(acting_user, "change a role")
    _unique_token(changes.get("api_token"), exclude_pk=user.pk)
    return save_changes(user, changes)


@transaction.atomic
def user_delete(*, acting_user, user_id: str) -> None:
    _require_admin(acting_user, "delete users")
    user = user_get(user_id=user_id)
    if user.pk == acting_user.pk:
        raise NotAllowed("You cannot delete your own user")
    user.delete()


@transaction.atomic
def idempotency_keys_purge_batch(*, size: int) -> int | None:
    """Delete up to `size` Idempotency-Keys past their 24 hours, oldest first: how many, or
    None when none is left."""
    cutoff = timezone.now() - IdempotencyKey.KEPT
    expired = IdempotencyKey.objects.filter(created_at__lt=cutoff).order_by("created_at")
    ids = list(expired.values_list("pk", flat=True)[:size])
    if not ids:
        return None
    # The cutoff again: a key taken over by a new request meanwhile is kept.
    deleted, _ = IdempotencyKey.objects.filter(pk__in=ids, created_at__lt=cutoff).delete()
    return deleted
