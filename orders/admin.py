"""Admin for regions, shipping options and orders.

Regions and shipping options are created, changed and deleted through `orders.services`.
Orders are placed only by paying a draft (or through the API), never added or deleted by
hand; staff change an order's email, addresses and metadata through `order_update`, and do
the work on it with its page's buttons (`orders.order_page`: fulfil, ship, return, reserve,
allocate, cancel, complete, archive) or the list's actions, all through the order services.
A line's reservations are also edited on their own pages, through the reservation services.
"""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.db import DatabaseError
from django.db.models import Prefetch
from django.urls import path
from django.utils.html import format_html, format_html_join

from config.admin import (
    ServiceAdmin,
    ServiceForm,
    admin_link,
    link_to,
    names_ids,
    refusal,
    run_each,
    url_of,
)
from config.errors import DomainError
from inventory.admin import ReadOnlyInline
from inventory.models import InventoryItem
from inventory.selectors import item_names
from orders import (
    order_page,
    reservation_admin,  # noqa: F401 - registers the reservations admin
    services,
)
from orders.allocation import allocate_open_lines
from orders.models import LineItem, Order, Region, ShippingOption
from orders.money import money_text, totals
from orders.order_page import counted, shortages_text
from orders.selectors import OPEN, short_of_stock, with_stock_cover
from reservations.models import ReservationItem


def changes_of(form, names) -> dict:
    """The cleaned values of the fields among `names` that the form changed."""
    return {name: form.cleaned_data[name] for name in names if name in form.changed_data}


def _line_names(ids) -> dict[str, str]:
    lines = LineItem.objects.filter(pk__in=ids).select_related("order", "variant__product")
    return {line.pk: f"{order_page.line_label(line)} of {line.order}" for line in lines}


names_ids("item", _line_names)
names_ids("order", lambda ids: {o.pk: str(o) for o in Order.objects.filter(pk__in=ids)})


# Regions and shipping options -------------------------------------------------------------


REGION_FIELDS = (
    "name",
    "currency_code",
    "tax_rate",
    "countries",
    "payment_providers",
    "fulfillment_providers",
    "metadata",
)


class RegionForm(ServiceForm):
    class Meta:
        model = Region
        fields = REGION_FIELDS

    def apply(self):
        if self.instance._state.adding:
            return services.region_create(**self.cleaned_data)
        return services.region_update(region_id=self.instance.pk, **changes_of(self, REGION_FIELDS))


class RegionShippingOptionInline(ReadOnlyInline):
    model = ShippingOption
    fields = ("name", "provider_id", "price_type", "amount", "is_return", "admin_only")
    verbose_name_plural = "shipping options (add or edit each on its own page)"


@admin.register(Region)
class RegionAdmin(ServiceAdmin):
    form = RegionForm
    list_display = ("name", "currency_code", "tax_rate", "countries", "id", "created_at")
    list_filter = ("currency_code",)
    search_fields = ("name", "=id", "=currency_code")
    ordering = ("name", "id")
    inlines = [RegionShippingOptionInline]

    def get_fields(self, request, obj=None):
        dates = ("created_at", "updated_at") if obj else ()
        return ("id", *REGION_FIELDS, *dates) if obj else REGION_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return ("id", "created_at", "updated_at") if obj else ()

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def delete_with_service(self, request, obj) -> None:
        services.region_delete(region_id=obj.pk)


OPTION_FIELDS = (
    "name",
    "provider_id",
    "price_type",
    "amount",
    "is_return",
    "admin_only",
    "data",
    "metadata",
)


class ShippingOptionForm(ServiceForm):
    price_type = forms.ChoiceField(
        choices=[("flat_rate", "flat rate"), ("calculated", "calculated")]
    )
    amount = forms.IntegerField(min_value=0, required=False)

    class Meta:
        model = ShippingOption
        fields = ("region", *OPTION_FIELDS)

    def apply(self):
        if self.instance._state.adding:
            data = dict(self.cleaned_data)
            region = data.pop("region")
            return services.shipping_option_create(region_id=region.pk, **data)
        return services.shipping_option_update(
            option_id=self.instance.pk, **changes_of(self, OPTION_FIELDS)
        )


@admin.register(ShippingOption)
class ShippingOptionAdmin(ServiceAdmin):
    """A shipping option belongs to its region for good (the API cannot move it either)."""

    form = ShippingOptionForm
    list_display = ("name", "region", "price_type", "amount", "is_return", "admin_only", "id")
    list_select_related = ("region",)
    list_filter = ("region", "is_return", "admin_only", "price_type")
    search_fields = ("name", "=id", "region__name")
    ordering = ("name", "id")
    autocomplete_fields = ("region",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("region", *OPTION_FIELDS)
        return ("id", "region", *OPTION_FIELDS, "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return ("id", "region", "created_at", "updated_at") if obj else ()

    def delete_with_service(self, request, obj) -> None:
        services.shipping_option_delete(option_id=obj.pk)


# Orders -----------------------------------------------------------------------------------


ORDER_FIELDS = ("email", "shipping_address", "billing_address", "no_notification", "metadata")


class OrderForm(ServiceForm):
    """What staff may change of a placed order, through `order_update`; its metadata as the
    form shows it, whole (a line removed is a key removed)."""

    class Meta:
        model = Order
        fields = ORDER_FIELDS

    def apply(self):
        changes = changes_of(self, ORDER_FIELDS)
        return services.order_update(order_id=self.instance.pk, merge_metadata=False, **changes)


SHORT = '{} <strong style="color: var(--error-fg)">short {}</strong>'


class StockCoverFilter(admin.SimpleListFilter):
    title = "stock"
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        return (("short", "short of stock"),)

    def queryset(self, request, queryset):
        return short_of_stock(queryset) if self.value() == "short" else queryset


@admin.register(Order)
class OrderAdmin(ServiceAdmin):
    """Orders are placed by paying a draft, never added or deleted here. Staff edit an order's
    email, addresses and metadata (`order_update`); the work on it (fulfil, ship, return,
    reserve, change its status) is on its page (`orders.order_page`), through the services."""

    form = OrderForm

    list_display = (
        "number",
        "email",
        "status",
        "fulfillment_status",
        "stock",
        "total",
        "created_at",
    )
    list_display_links = ("number", "email")
    list_select_related = ("sales_channel",)
    list_filter = (
        "status",
        StockCoverFilter,
        "fulfillment_status",
        "payment_status",
        "sales_channel",
    )
    search_fields = ("email", "=id", "=display_id", "=items__variant__sku")
    ordering = ("-created_at", "-display_id")
    actions = ["allocate_stock", "cancel_orders", "complete_orders", "archive_orders"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "id",
                    "display_id",
                    "email",
                    ("status", "fulfillment_status", "payment_status"),
                    "sales_channel",
                    "region",
                    "amounts",
                    "draft_order",
                    "customer_id",
                )
            },
        ),
        ("Reservations", {"fields": ("reservations",)}),
        (
            "Shipping",
            {
                "fields": (
                    "shipping_address",
                    "billing_address",
                    "shipping_methods",
                    "no_notification",
                ),
            },
        ),
        ("Other", {"fields": ("metadata", "created_at", "updated_at", "canceled_at")}),
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [
            name
            for fieldset in self.fieldsets
            for entry in fieldset[1]["fields"]
            for name in (entry if isinstance(entry, tuple) else (entry,))
            if name not in ORDER_FIELDS
        ]

    def get_queryset(self, request):
        return with_stock_cover(super().get_queryset(request).prefetch_related("items"))

    def get_urls(self):
        act = self.admin_site.admin_view(partial(order_page.act, self))
        mine = [path("<path:object_id>/act/<str:action>/", act, name="orders_order_act")]
        return mine + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, unquote(object_id))
        context = extra_context or {}
        if order is not None:
            context = {
                **context,
                "work": order_page.panel(order),
                "work_forms": order_page.ACTIONS,
                "can_manage": self.has_manage_permission(request),
            }
        return super().change_view(request, object_id, form_url, context)

    @admin.display(description="reserved / needed", ordering="reserved_units")
    def stock(self, order):
        """Inventory units held for the lines, of those their unfulfilled quantities need."""
        if not order.needed_units:
            return "-"
        text = f"{order.reserved_units} / {order.needed_units}"
        missing = order.needed_units - order.reserved_units
        if order.status in OPEN and missing > 0:
            return format_html(
                '{} <strong style="color: var(--error-fg)">short {}</strong>', text, missing
            )
        return text

    def has_manage_permission(self, request):
        """Who may run the actions: staff allowed to change orders."""
        codename = get_permission_codename("change", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    def _totals(self, order) -> dict[str, int]:
        return totals(order.items.all(), order.shipping_methods, order.tax_rate)

    @admin.display(description="order", ordering="display_id")
    def number(self, order):
        return f"#{order.display_id}"

    @admin.display(description="total")
    def total(self, order):
        """On one line: "474.94 EUR"."""
        return money_text(self._totals(order)["total"], order.currency_code).replace(" ", "\xa0")

    @admin.display(description="totals")
    def amounts(self, order):
        parts = self._totals(order)
        return ", ".join(
            f"{name.replace('_', ' ')} {money_text(amount, order.currency_code)}"
            for name, amount in parts.items()
        )

    @admin.display(description="draft order")
    def draft_order(self, order):
        if not order.draft_order_id:
            return "-"
        url = url_of("draft_orders_draftorder_change", order.draft_order_id)
        return link_to(url, order.draft_order_id)

    @admin.display(description="reservations of its lines")
    def reservations(self, order):
        """Each reservation links to its page, where staff move or change it."""
        rows = (
            ReservationItem.objects.filter(line_item__order=order)
            .select_related("location")
            .prefetch_related(Prefetch("inventory_item", item_names(InventoryItem.objects.all())))
            .order_by("line_item__created_at", "line_item_id", "created_at", "id")
        )
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((admin_link(r, "change"), r.inventory_item, r.location, r.quantity) for r in rows),
        )
        if not body:
            return "None"
        return format_html(
            "<table><thead><tr><th>reservation</th><th>item</th>"
            "<th>location</th><th>quantity</th></tr></thead><tbody>{}</tbody></table>"
            "<p>{}</p>",
            body,
            link_to(url_of("reservations_reservationitem_changelist", q=order.pk), "List them"),
        )

    # Actions ------------------------------------------------------------------------------

    @admin.action(
        description="Allocate stock (reserve what open lines still need)",
        permissions=["manage"],
    )
    def allocate_stock(self, request, queryset):
        try:
            _, plan = allocate_open_lines(order_ids=list(queryset.values_list("pk", flat=True)))
        except (DomainError, DatabaseError) as exc:
            message = refusal(exc)
            if message is None:
                raise
            self.message_user(request, f"Nothing was reserved: {message}", messages.ERROR)
            return
        lines = {line for line, *_ in plan.placements}
        units = sum(quantity for *_, quantity in plan.placements)
        if lines:
            self.message_user(
                request,
                f"Reserved {counted(units, 'unit')} for {counted(len(lines), 'line')}.",
                messages.SUCCESS,
            )
        if plan.shortages:
            short = {s["line_item_id"] for s in plan.shortages}
            self.message_user(
                request,
                f"Nothing reserved for {counted(len(short), 'short line')}: {shortages_text(plan)}",
                messages.WARNING,
            )
        if not lines and not plan.shortages:
            self.message_user(
                request, "Nothing to reserve: the open lines of these orders are fully reserved."
            )

    def _each(self, request, queryset, service, done: str):
        orders = run_each(
            self, request, queryset.order_by("display_id"), lambda o: service(order_id=o.pk)
        )
        if orders:
            self.message_user(request, f"{done} {counted(len(orders), 'order')}.", messages.SUCCESS)

    @admin.action(description="Cancel (releases their reservations)", permissions=["manage"])
    def cancel_orders(self, request, queryset):
        self._each(request, queryset, services.order_cancel, "Canceled")

    @admin.action(description="Complete", permissions=["manage"])
    def complete_orders(self, request, queryset):
        self._each(request, queryset, services.order_complete, "Completed")

    @admin.action(description="Archive", permissions=["manage"])
    def archive_orders(self, request, queryset):
        self._each(request, queryset, services.order_archive, "Archived")
