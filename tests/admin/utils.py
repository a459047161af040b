"""Helpers for driving the Django admin through the test client."""

from django.contrib.messages import get_messages
from django.urls import reverse


def admin_url(model, action: str, *args) -> str:
    """`admin_url(ReservationItem, "change", pk)` -> /dashboard/reservations/reservationitem/…"""
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=args)


def form_errors(response) -> list[str]:
    """Every error the admin change form shows (non-field errors first)."""
    form = response.context["adminform"].form
    errors = list(form.non_field_errors())
    for name, field_errors in form.errors.items():
        if name != "__all__":
            errors += [f"{name}: {error}" for error in field_errors]
    return errors


def messages_of(response) -> list[tuple[str, str]]:
    """The (level tag, text) messages queued for the next page."""
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def no_inline_rows(*prefixes: str) -> dict:
    """Management data for inline formsets posted without rows (read-only inlines)."""
    data = {}
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return data
