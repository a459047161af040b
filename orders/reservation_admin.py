"""Admin for reservations: every create, change and delete goes through the services
(`orders.allocation`, which applies a line's rules to a line's reservations), so the level
counters and the ledger follow and a shortage is a form error."""

from django import forms
from django.contrib import admin
from django.template.defaultfilters import truncatechars
from django.utils.html import format_html

from config.admin import ServiceAdmin, ServiceForm, admin_link
from inventory.admin import level_item, with_item_names
from inventory.models import InventoryItem, InventoryLevel
from inventory.selectors import item_names
from orders import allocation as services
from reservations.models import ReservationItem


class ReservationForm(ServiceForm):
    """Reserve units of an item at a location, or change how many and where (units move)."""

    quantity = forms.IntegerField(min_value=1)
    line_item_id = forms.CharField(
        required=False, max_length=64, label="Line item id", help_text="Empty for a custom one."
    )
    created_by = None  # the acting user's id, set per request by the admin

    class Meta:
        model = ReservationItem
        fields = (
            "inventory_item",
            "location",
            "quantity",
            "description",
            "external_id",
            "metadata",
            "expires_at",
        )

    def apply(self):
        data = self.cleaned_data
        if self.instance._state.adding:
            return services.reservation_create(
                inventory_item_id=data["inventory_item"].pk,
                location_id=data["location"].pk,
                quantity=data["quantity"],
                line_item_id=data.get("line_item_id") or None,
                description=data.get("description") or None,
                metadata=data.get("metadata"),
                created_by=self.created_by,
                external_id=data.get("external_id") or None,
                expires_at=data.get("expires_at"),
            )
        expiry = {"expires_at": data.get("expires_at")} if "expires_at" in self.changed_data else {}
        return services.reservation_update(
            reservation_id=self.instance.pk,
            quantity=data["quantity"],
            location_id=data["location"].pk,
            description=data.get("description") or None,
            metadata=data.get("metadata"),
            **expiry,
        )


class KindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return (("order", "for an order line"), ("custom", "custom"))

    def queryset(self, request, queryset):
        if self.value() == "order":
            return queryset.filter(line_item_id__isnull=False)
        if self.value() == "custom":
            return queryset.filter(line_item_id__isnull=True)
        return queryset


@admin.register(ReservationItem)
class ReservationItemAdmin(ServiceAdmin):
    form = ReservationForm
    list_display = (
        "item",
        "quantity",
        "location",
        "order",
        "email",
        "about",
        "created_at",
    )
    list_display_links = ("item",)
    list_select_related = ("inventory_item", "location", "line_item__order")
    list_filter = ("location", KindFilter, "created_at")
    search_fields = (
        "=id",
        "inventory_item__sku",
        "inventory_item__title",
        "inventory_item__variant_links__variant__product__title",
        "inventory_item__variant_links__variant__title",
        "=inventory_item__id",
        "location__name",
        "=line_item__id",
        "=line_item__order__id",
        "=line_item__order__display_id",
        "line_item__order__email",
        "description",
        "=created_by",
        "=external_id",
    )
    autocomplete_fields = ("inventory_item", "location")
    date_hierarchy = "created_at"

    def get_fields(self, request, obj=None):
        if obj is None:
            return (
                "inventory_item",
                "location",
                "quantity",
                "line_item_id",
                "description",
                "external_id",
                "metadata",
                "expires_at",
            )
        return (
            "id",
            "item",
            "location",
            "quantity",
            "level",
            "order",
            "line_item_id",
            "description",
            "external_id",
            "metadata",
            "expires_at",
            "created_by",
            "created_at",
            "updated_at",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "id",
            "item",
            "order",
            "level",
            "line_item_id",
            "external_id",
            "created_by",
            "created_at",
            "updated_at",
        )

    def get_queryset(self, request):
        return with_item_names(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        """An order number may be typed as on the order's page: "#1001"."""
        return super().get_search_results(request, queryset, search_term.lstrip("#"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "inventory_item":  # the chosen item reads "Product / Variant (SKU)"
            kwargs["queryset"] = item_names(InventoryItem.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="inventory item", ordering="inventory_item__sku")
    def item(self, reservation):
        return level_item(reservation)

    @admin.display(description="order", ordering="line_item__order__display_id")
    def order(self, reservation):
        line = reservation.line_item
        return admin_link(line.order) if line else "custom"

    @admin.display(description="customer", ordering="line_item__order__email")
    def email(self, reservation):
        line = reservation.line_item
        return line.order.email if line else "-"

    @admin.display(description="description")
    def about(self, reservation):
        return truncatechars(reservation.description or "", 40) or "-"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.created_by = request.user.pk
        return form

    @admin.display(description="stock level")
    def level(self, reservation):
        level = InventoryLevel.objects.filter(
            inventory_item_id=reservation.inventory_item_id, location_id=reservation.location_id
        ).first()
        if level is None:
            return "-"
        return format_html(
            "{} (stocked {}, reserved {}, available {})",
            admin_link(level, "level"),
            level.stocked_quantity,
            level.reserved_quantity,
            level.available_quantity,
        )

    def delete_with_service(self, request, obj) -> None:
        services.reservation_delete(reservation_id=obj.pk)
