"""Admin for reservations: every create, change and delete goes through the services
(`orders.allocation`, which applies a line's rules to a line's reservations), so the level
counters and the ledger follow and a shortage is a form error."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from config.admin import ServiceAdmin, ServiceForm, admin_link
from inventory.models import InventoryLevel
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
        "id",
        "inventory_item",
        "location",
        "quantity",
        "line_item_id",
        "description",
        "created_by",
        "created_at",
    )
    list_select_related = ("inventory_item", "location")
    list_filter = ("location", KindFilter, "created_at")
    search_fields = (
        "=id",
        "inventory_item__sku",
        "inventory_item__title",
        "=inventory_item__id",
        "location__name",
        "=line_item__id",
        "=line_item__order__id",
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
            "inventory_item",
            "location",
            "quantity",
            "level",
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
            "inventory_item",
            "level",
            "line_item_id",
            "external_id",
            "created_by",
            "created_at",
            "updated_at",
        )

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
