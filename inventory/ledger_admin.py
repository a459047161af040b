"""Admin for the stock ledger: the movements list, read-only for everyone, and `WithHistory`,
which shows an object's latest movements on its change page (levels and items).

Movements keep their item, location and actor after those are deleted, so what the pages
show of them comes from subqueries (`labelled`), never joins that would drop the row.
"""

from functools import partial

from django.contrib import admin
from django.contrib.admin.utils import (
    display_for_field,
    display_for_value,
    label_for_field,
    lookup_field,
    unquote,
)
from django.db.models import OuterRef, Subquery
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.timezone import localtime

from config.admin import ViewOnly, link_to, url_of
from config.models import User
from inventory.models import InventoryItem, StockLocation, StockMovement, item_label
from inventory.selectors import variant_name

HISTORY_LENGTH = 50
NEWEST_FIRST = ("-created_at", "-version", "-id")
"""A level's movements written together share their time: `version` orders them."""


def labelled(movements):
    """`movements` with their item's sku, title and "Product / Variant", their location's
    name and their actor's email (None for a command or a deleted user), in the same query."""

    def of(model, key, field):
        return Subquery(model.objects.filter(pk=OuterRef(key)).values(field)[:1])

    return movements.annotate(
        item_sku=of(InventoryItem, "inventory_item_id", "sku"),
        item_title=of(InventoryItem, "inventory_item_id", "title"),
        item_variant=variant_name("inventory_item_id"),
        location_name=of(StockLocation, "location_id", "name"),
        actor_email=of(User, "created_by", "email"),
    )


def _counters(movement, suffix: str, signed=False) -> str:
    """`stocked_<suffix>`, `reserved_<suffix>`, `incoming_<suffix>` as "5 stocked, 2 reserved":
    signed deltas only when not zero; counters always, but incoming only when not zero."""
    parts = []
    for counter in ("stocked", "reserved", "incoming"):
        value = getattr(movement, f"{counter}_{suffix}")
        if value or not (signed or counter == "incoming"):
            parts.append(f"{value:+d} {counter}" if signed else f"{value} {counter}")
    return ", ".join(parts)


# The movements list's columns that a level's and an item's history show.
LEVEL_HISTORY = (
    "when",
    "reason",
    "change",
    "after",
    "actor",
    "reference",
    "caused_by",
)
ITEM_HISTORY = ("when", "location_link", *LEVEL_HISTORY[1:])


@admin.register(StockMovement)
class StockMovementAdmin(ViewOnly, admin.ModelAdmin):
    """Every change to a level's counters, newest first. Nobody adds, changes or deletes a
    movement here (superusers neither): stock changes on the level pages, and the ledger
    records them."""

    list_display = ("when", "item", *ITEM_HISTORY[1:])
    list_display_links = ("when",)
    ordering = NEWEST_FIRST
    list_filter = ("reason", "location", "created_at")
    search_fields = (
        "inventory_item__sku",
        "inventory_item__variant_links__variant__product__title",
        "reference",
        "order_id__exact",
        "reservation_id__exact",
        "id__exact",
    )
    list_per_page = 50
    show_full_result_count = False  # a count of the whole ledger is a scan of it
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "id",
                    "created_at",
                    "item",
                    "location_link",
                    "reason",
                    "actor",
                    "reference",
                    "note",
                )
            },
        ),
        (
            "Quantities",
            {
                "fields": (
                    ("stocked_delta", "reserved_delta", "incoming_delta"),
                    ("stocked_after", "reserved_after", "incoming_after"),
                    "version",
                )
            },
        ),
        (
            "Caused by",
            {
                "fields": (
                    "caused_by",
                    "order_id",
                    "reservation_id",
                    "line_item_id",
                    "fulfillment_id",
                    "return_id",
                    "transfer_id",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return labelled(super().get_queryset(request))

    @admin.display(description="when", ordering="created_at")
    def when(self, movement):
        """Compact, to the second (the movement's page has the full time)."""
        return date_format(localtime(movement.created_at), "Y-m-d H:i:s")

    @admin.display(description="item")
    def item(self, movement):
        label = item_label(movement.item_variant, movement.item_sku, movement.item_title)
        url = url_of("inventory_inventoryitem_change", movement.inventory_item_id)
        return link_to(url, label or movement.inventory_item_id)

    @admin.display(description="location")
    def location_link(self, movement):
        url = url_of("inventory_stocklocation_change", movement.location_id)
        return link_to(url, movement.location_name or movement.location_id)

    @admin.display(description="change")
    def change(self, movement):
        """The counters it moved: "+5 stocked", "-2 reserved, +2 incoming"."""
        return _counters(movement, "delta", signed=True) or "0"

    @admin.display(description="after")
    def after(self, movement):
        """The counters it left: "16 stocked, 2 reserved" (incoming when there is some)."""
        return _counters(movement, "after")

    @admin.display(description="by")
    def actor(self, movement):
        return movement.actor_email or movement.created_by

    @admin.display(description="caused by")
    def caused_by(self, movement):
        links = [
            (_document_link(kind, name, pk),)
            for kind, name, pk in (
                ("order", "orders_order_change", movement.order_id),
                ("reservation", "reservations_reservationitem_change", movement.reservation_id),
            )
            if pk
        ]
        return format_html_join(" · ", "{}", links) if links else None


def _document_link(kind: str, url_name: str, pk: str) -> str:
    """A short link to a document's admin page, titled with its id."""
    url = url_of(url_name, pk)
    return format_html('<a href="{}" title="{}">{}</a>', url, pk, kind) if url else pk


def history(columns, length: int = HISTORY_LENGTH, **where) -> str:
    """The latest `length` movements matching `where`, newest first, as an HTML table of the
    movements list's `columns`, with a link to that list filtered the same way."""
    model_admin = admin.site.get_model_admin(StockMovement)
    movements = StockMovement.objects.filter(**where).order_by(*NEWEST_FIRST)
    movements = list(labelled(movements)[: length + 1])
    if not movements:
        return "No movements yet."
    listed = url_of("inventory_stockmovement_changelist", **where)
    if len(movements) > length:
        summary = link_to(listed, f"The latest {length}: see them all")
    else:
        summary = link_to(listed, "See them in the movements list")
    head = ((capfirst(label_for_field(name, StockMovement, model_admin)),) for name in columns)
    rows = (
        (
            format_html_join(
                "", '<td class="{}">{}</td>', (_cell(model_admin, n, m) for n in columns)
            ),
        )
        for m in movements[:length]
    )
    return format_html(
        '<p>{}</p><table style="width: 100%"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
        summary,
        format_html_join("", "<th>{}</th>", head),
        format_html_join("", "<tr>{}</tr>", rows),
    )


def _cell(model_admin, name: str, movement) -> tuple[str, str]:
    """The CSS class and the text of one column of a movement, as the movements list has them."""
    field, _, value = lookup_field(name, movement, model_admin)
    empty = model_admin.get_empty_value_display()
    if field is None:
        text = display_for_value(value, empty)
    else:
        text = display_for_field(value, field, empty)
    return f"field-{name}{' nowrap' if name == 'when' else ''}", text


class WithHistory:
    """A ModelAdmin mixin: the change page shows the object's latest movements below the form.
    `history_key` is the movement field that refers to the object."""

    change_form_template = "admin/inventory/change_form_with_history.html"
    history_key: str
    history_columns: tuple[str, ...]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        where = {self.history_key: unquote(object_id)}
        movements = partial(history, self.history_columns, **where)  # read if the page renders
        context = {**(extra_context or {}), "movements": movements}
        return super().change_view(request, object_id, form_url, context)
