"""Reads of draft orders."""

from django.db.models import QuerySet

from config.api.query import apply_filterset
from config.errors import NotFound
from draft_orders.filters import DraftOrderFilter
from draft_orders.models import DraftOrder


def _drafts() -> QuerySet:
    return DraftOrder.objects.select_related("region").prefetch_related("items")


def draft_order_list(*, filters_data: dict) -> QuerySet:
    return apply_filterset(DraftOrderFilter, filters_data, _drafts())


def draft_order_get(*, draft_id: str) -> DraftOrder:
    draft = _drafts().filter(pk=draft_id).first()
    if draft is None:
        raise NotFound(f"Draft order with {draft_id} was not found")
    return draft
