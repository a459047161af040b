"""Admin for regions, shipping options and orders.

Regions and shipping options are created, changed and deleted through `orders.services`.
Orders are placed only by paying a draft (or through the API), never added or deleted by
hand: their pages are read-only, and staff act on them with the actions, which call the
order services (allocate, cancel, complete, archive). A line's reservations are edited
on their own pages, through the reservation services.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.db import DatabaseError
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.html import format_html, format_html_join

from config.admin import (
    ServiceAdmin,
    ServiceForm,
    ViewOnly,
    admin_link,
    link_to,
    refusal,
    run_each,
    url_of,
)
from config.errors import DomainError
from inventory.admin import ReadOnlyInline
from orders import (
    reservation_admin,  # noqa: F401 - registers the reservations admin
    services,
)
from orders.allocation import allocate_open_lines
from orders.models import Fulfillment, LineItem, Order, Region, Return, ShippingOption
from orders.money import totals
from reservations.models import ReservationItem

OPEN = (Order.Status.PENDING, Order.Status.REQUIRES_ACTION)


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def money(amount: int, currency_code: str) -> str:
    """An amount in the currency's smallest unit, as stored and as the API reports it."""
    return f"{amount} {currency_code.upper()}"


def changes_of(form, names) -> dict:
    """The cleaned values of the fields among `names` that the form changed."""
    return {name: form.cleaned_data[name] for name in names if name in form.changed_data}


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


class LineInline(ReadOnlyInline):
    """The order's lines; `reserved` counts inventory units (a kit's items each count)."""

    model = LineItem
    fields = (
        "title",
        "variant",
        "quantity",
        "fulfilled_quantity",
        "shipped_quantity",
        "returned_quantity",
        "reserved",
        "reserve",
    )
    verbose_name_plural = "line items"
    show_change_link = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("order", "variant__product")
            .prefetch_related("variant__inventory_links")
            .annotate(reserved_units=Coalesce(Sum("reservations__quantity"), 0))
            .order_by("created_at", "id")  # GROUP BY queries drop Meta.ordering
        )

    @admin.display(description="reserved units")
    def reserved(self, line):
        return line.reserved_units

    @admin.display(description="reserve")
    def reserve(self, line):
        """A link to the reservation form for this line (its item filled in when the
        variant has one), while the order is open and the line has units to fulfill."""
        variant = line.variant
        if not (
            variant
            and variant.manage_inventory
            and line.order.status in OPEN
            and line.unfulfilled_quantity
        ):
            return "-"
        query = {"line_item_id": line.pk}
        links = list(variant.inventory_links.all())
        if len(links) == 1:
            query["inventory_item"] = links[0].inventory_item_id
        return link_to(url_of("reservations_reservationitem_add", **query), "Reserve")


def _item_list(rows) -> str:
    return ", ".join(f"{row.quantity} × {row.item.title}" for row in rows) or "-"


class FulfillmentInline(ReadOnlyInline):
    model = Fulfillment
    fields = ("location", "fulfilled_items", "tracking_numbers", "shipped_at", "canceled_at")
    show_change_link = False

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("location").prefetch_related("items__item")
        )

    @admin.display(description="items")
    def fulfilled_items(self, fulfillment):
        return _item_list(fulfillment.items.all())


class ReturnInline(ReadOnlyInline):
    model = Return
    fields = ("status", "location", "returned_items", "refund_amount", "received_at")
    show_change_link = False

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("location").prefetch_related("items__item")
        )

    @admin.display(description="items")
    def returned_items(self, ret):
        return _item_list(ret.items.all())


@admin.register(Order)
class OrderAdmin(ViewOnly, admin.ModelAdmin):
    """Orders: read-only pages; the actions change them through `orders.services`."""

    list_display = (
        "display_id",
        "email",
        "status",
        "fulfillment_status",
        "payment_status",
        "sales_channel",
        "total",
        "created_at",
    )
    list_display_links = ("display_id", "email")
    list_select_related = ("sales_channel",)
    list_filter = ("status", "fulfillment_status", "payment_status", "sales_channel")
    search_fields = ("email", "=id", "=display_id")
    ordering = ("-created_at", "-display_id")
    actions = ["allocate_stock", "cancel_orders", "complete_orders", "archive_orders"]
    inlines = [LineInline, FulfillmentInline, ReturnInline]
    readonly_fields = ("amounts", "draft_order", "reservations")
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
                "classes": ("collapse",),
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

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("items")

    def has_manage_permission(self, request):
        """Who may run the actions: staff allowed to change orders."""
        codename = get_permission_codename("change", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    def _totals(self, order) -> dict[str, int]:
        return totals(order.items.all(), order.shipping_methods, order.tax_rate)

    @admin.display(description="total")
    def total(self, order):
        return money(self._totals(order)["total"], order.currency_code)

    @admin.display(description="totals")
    def amounts(self, order):
        parts = self._totals(order)
        return ", ".join(
            f"{name.replace('_', ' ')} {money(amount, order.currency_code)}"
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
            .select_related("inventory_item", "location", "line_item")
            .order_by("line_item__created_at", "line_item_id", "created_at", "id")
        )
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    admin_link(r, r.pk),
                    r.line_item.title,
                    r.inventory_item.sku or r.inventory_item_id,
                    r.location,
                    r.quantity,
                )
                for r in rows
            ),
        )
        if not body:
            return "None"
        return format_html(
            "<table><thead><tr><th>reservation</th><th>line</th><th>item</th>"
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
                f"Reserved {_n(units, 'unit')} for {_n(len(lines), 'line')}.",
                messages.SUCCESS,
            )
        if plan.shortages:
            short = {s["line_item_id"] for s in plan.shortages}
            details = "; ".join(
                f"{s['label']}: missing {s['missing']} of {s['requested']} "
                f"(available {s['available']})"
                for s in plan.shortages
            )
            self.message_user(
                request,
                f"Nothing reserved for {_n(len(short), 'short line')}: {details}",
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
            self.message_user(request, f"{done} {_n(len(orders), 'order')}.", messages.SUCCESS)

    @admin.action(description="Cancel (releases their reservations)", permissions=["manage"])
    def cancel_orders(self, request, queryset):
        self._each(request, queryset, services.order_cancel, "Canceled")

    @admin.action(description="Complete", permissions=["manage"])
    def complete_orders(self, request, queryset):
        self._each(request, queryset, services.order_complete, "Completed")

    @admin.action(description="Archive", permissions=["manage"])
    def archive_orders(self, request, queryset):
        self._each(request, queryset, services.order_archive, "Archived")
