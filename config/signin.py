"""Sign-in by email, with failed sign-ins limited per email and per client address.

`POST /admin/auth`, `POST /admin/auth/token` and the Django admin's login all go through
`SignInBackend`. Failures are rows in the database, so every worker and process counts the
same ones. An attempt is written down as a failure before its password is checked, then
counted: one past the limit is refused (and its row dropped, so refusals do not prolong the
lockout) before any password hash, and concurrent guesses cannot all slip under the limit.
A success deletes the failures of its email.

Not django-axes: it applies one failure limit to all its lockout parameters (here 10 per
email but 100 per address), and a success resets the address's count along with the email's.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, Q
from django.utils import timezone

from config.errors import TooManyRequests
from config.models import SignInFailure

WINDOW = timedelta(minutes=15)
EMAIL_LIMIT = 10  # failures for one email within WINDOW
ADDRESS_LIMIT = 100  # failures from one client address within WINDOW


def now():
    return timezone.now()


class SignInBackend(ModelBackend):
    """Active staff sign in by email, in any letter case, within the limits above."""

    def authenticate(self, request, username=None, password=None, **credentials):
        email = username if username is not None else credentials.get("email")
        if not isinstance(email, str) or password is None:
            return None
        email = email.lower()[:254]
        attempt_begin(email=email, address=client_address(request))
        user = super().authenticate(request, username=email, password=password)
        if user is not None:
            SignInFailure.objects.filter(email=email).delete()
        return user

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and user.is_staff


def client_address(request) -> str | None:
    """The address the request came from: REMOTE_ADDR, or behind `TRUSTED_PROXIES` reverse
    proxies, the address the outermost of them saw (in X-Forwarded-For)."""
    if request is None:
        return None
    chain = [request.META.get("REMOTE_ADDR", "")]
    if settings.TRUSTED_PROXIES:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        chain = [hop.strip() for hop in forwarded if hop.strip()] + chain
    return chain[max(len(chain) - 1 - settings.TRUSTED_PROXIES, 0)][:45] or None


def attempt_begin(*, email: str, address: str | None) -> None:
    """Write down a sign-in attempt as a failure; raise `TooManyRequests` when it is one past
    a limit."""
    moment = now()
    since = moment - WINDOW
    SignInFailure.objects.filter(at__lte=since).delete()
    attempt = SignInFailure.objects.create(email=email, address=address, at=moment)
    keys = {"email": (email, EMAIL_LIMIT)}
    if address is not None:
        keys["address"] = (address, ADDRESS_LIMIT)
    matching = {field: Q(**{field: value}) for field, (value, _) in keys.items()}
    counts = SignInFailure.objects.filter(
        Q(*matching.values(), _connector=Q.OR), at__gt=since
    ).aggregate(**{field: Count("pk", filter=match) for field, match in matching.items()})
    over = [(field, *keys[field]) for field, count in counts.items() if count > keys[field][1]]
    if not over:
        return
    attempt.delete()
    free = max(_free_at(field, value, limit, since) for field, value, limit in over)
    seconds = max(math.ceil((free - moment).total_seconds()), 1)
    raise TooManyRequests(
        f"Too many failed sign-ins; try again in {seconds} seconds", retry_after=seconds
    )


def _free_at(field: str, value: str, limit: int, since):
    """When fewer than `limit` failures of `field` = `value` will be left in the window."""
    failures = SignInFailure.objects.filter(**{field: value}, at__gt=since).order_by("-at")
    found = failures.values_list("at", flat=True)[limit - 1 : limit]
    return found[0] + WINDOW if found else since + WINDOW
