"""Reads of stock transfers."""

from django.db.models import QuerySet

from config.api.query import apply_filterset
from config.errors import NotFound
from transfers.filters import StockTransferFilter
from transfers.models import StockTransfer


def _transfers() -> QuerySet:
    return StockTransfer.objects.prefetch_related("items")


def transfer_list(*, filters_data: dict) -> QuerySet:
    return apply_filterset(StockTransferFilter, filters_data, _transfers())


def transfer_get(*, transfer_id: str) -> StockTransfer:
    transfer = _transfers().filter(pk=transfer_id).first()
    if transfer is None:
        raise NotFound(f"Stock transfer with id {transfer_id} was not found")
    return transfer
