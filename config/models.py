"""Staff users: they log in by email and act on `/admin` and `/dashboard/`."""

from datetime import timedelta

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models

from config.ids import id_field


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self._create(email, password, **extra)


class User(AbstractUser):
    class Role(models.TextChoices):
        ADMIN = "admin"
        MEMBER = "member"
        DEVELOPER = "developer"

    id = id_field("usr")
    username = None
    email = models.EmailField(unique=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    api_token = models.CharField(max_length=255, unique=True, null=True, blank=True)
    metadata = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email


class SignInFailure(models.Model):
    """A failed sign-in, kept while it counts against its email and address (config.signin)."""

    email = models.CharField(max_length=254)
    address = models.CharField(max_length=45, null=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["email", "at"], name="signin_email_at"),
            models.Index(fields=["address", "at"], name="signin_address_at"),
        ]

    def __str__(self):
        return f"{self.email} from {self.address} at {self.at:%Y-%m-%d %H:%M:%S}"


class IdempotencyKey(models.Model):
    """A write's `Idempotency-Key`, per user, and the answer it got (config.api.idempotency).

    Written in the write's own transaction; kept 24 hours, then purged by
    `manage.py purge_idempotency_keys` (or taken over by the next request with that key).
    """

    KEPT = timedelta(hours=24)

    # No database constraint: its check would lock the user's row on every keyed write.
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)  # sha256 of method, path and body
    status = models.PositiveSmallIntegerField()
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key"),
        ]

    def __str__(self):
        return f"{self.key} of {self.user_id}: {self.status}"
