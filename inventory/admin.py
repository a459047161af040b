"""Admin for locations, channels, the catalog, inventory items and levels.

Levels are created, changed and deleted only through `inventory.services` (which lock them);
`reserved_quantity` is never editable here: only reservations move it. A stock change is
recorded in the ledger with the reason staff give, and refused when the stock changed since
the page was loaded. The ledger's own pages are in `inventory.ledger_admin`. Deleting an item, a
location, a channel or a product goes through its delete service, which may refuse.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.html import format_html_join

from config.admin import (
    ServiceAdmin,
    ServiceForm,
    ViewOnly,
    admin_link,
    link_to,
    names_ids,
    url_of,
)
from config.errors import Conflict
from inventory import services
from inventory.ledger_admin import ITEM_HISTORY, LEVEL_HISTORY, WithHistory
from inventory.level_import_admin import LevelImportExport
from inventory.models import (
    InventoryItem,
    InventoryLevel,
    Product,
    ProductVariant,
    SalesChannel,
    SalesChannelLocation,
    StockLocation,
    StockLocationAddress,
    StockMovement,
    VariantInventoryItem,
    item_of,
)
from inventory.selectors import item_labels, item_names, variant_name

CUSTOMS_FIELDS = services.CUSTOMS_FIELDS
Reason = StockMovement.Reason
AVAILABLE = InventoryLevel.AVAILABLE


def _level_names(ids) -> dict[str, str]:
    levels = InventoryLevel.objects.filter(pk__in=ids).select_related("inventory_item", "location")
    levels = with_item_names(levels)
    return {level.pk: f"{level_item(level)} at {level.location}" for level in levels}


names_ids("iitem", item_labels)
names_ids(
    "sloc", lambda ids: dict(StockLocation.objects.filter(pk__in=ids).values_list("pk", "name"))
)
names_ids(
    "variant",
    lambda ids: {
        v.pk: str(v) for v in ProductVariant.objects.filter(pk__in=ids).select_related("product")
    },
)
names_ids("ilev", _level_names)


def with_item_names(levels):
    """Levels (or reservations) whose `level_item` reads "Product / Variant (SKU)" (select
    their `inventory_item` too, or it is read per row)."""
    return levels.annotate(item_variant=variant_name("inventory_item_id"))


level_item = item_of
"""The item of a level or reservation read `with_item_names`: "Product / Variant (SKU)"."""


class ReadOnlyInline(ViewOnly, admin.TabularInline):
    """Rows shown for reference, each linking to its own page; edited there, not here."""

    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class LevelInline(ReadOnlyInline):
    """An item's or a location's levels; change or add them on the level pages."""

    model = InventoryLevel
    verbose_name_plural = "stock levels (edit each on its own page)"

    @admin.display(description="available")
    def available(self, level):
        return level.available_quantity


class ItemLevelInline(LevelInline):
    fields = (
        "location",
        "stocked_quantity",
        "reserved_quantity",
        "available",
        "incoming_quantity",
        "adjust",
    )

    def get_queryset(self, request):
        levels = super().get_queryset(request).select_related("location", "inventory_item")
        return with_item_names(levels)

    @admin.display(description="stock")
    def adjust(self, level):
        return admin_link(level, "Receive or adjust")


class LocationLevelInline(LevelInline):
    fields = (
        "item",
        "stocked_quantity",
        "reserved_quantity",
        "available",
        "incoming_quantity",
    )

    def get_queryset(self, request):
        return with_item_names(super().get_queryset(request).select_related("inventory_item"))

    @admin.display(description="inventory item")
    def item(self, level):
        return admin_link(level, level_item(level))


def _add_level_link(**initial) -> str:
    return link_to(url_of("inventory_inventorylevel_add", **initial), "Add a stock level")


# Stock locations --------------------------------------------------------------------------


@admin.register(StockLocationAddress)
class StockLocationAddressAdmin(ServiceAdmin):
    list_display = ("address_1", "city", "postal_code", "country_code", "company", "id")
    search_fields = ("address_1", "city", "postal_code", "company", "=id")
    list_filter = ("country_code",)
    readonly_fields = ("id", "created_at", "updated_at")


class LocationChannelInline(ReadOnlyInline):
    model = SalesChannelLocation
    fields = ("sales_channel", "rank")
    verbose_name_plural = "sales channels (edit on the channel's page)"


@admin.register(StockLocation)
class StockLocationAdmin(ServiceAdmin):
    list_display = ("name", "address", "level_count", "id", "created_at")
    list_select_related = ("address",)
    search_fields = ("name", "=id", "address__city", "address__address_1")
    ordering = ("name", "id")
    list_filter = ("address__country_code",)
    fields = ("id", "name", "address", "metadata", "add_level", "created_at", "updated_at")
    readonly_fields = ("id", "add_level", "created_at", "updated_at")
    inlines = [LocationLevelInline, LocationChannelInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(level_count=Count("levels"))

    @admin.display(description="stock levels", ordering="level_count")
    def level_count(self, location):
        return location.level_count

    @admin.display(description="stock")
    def add_level(self, location):
        return _add_level_link(location=location.pk) if location.pk else "-"

    def delete_with_service(self, request, obj) -> None:
        services.stock_location_delete(location_id=obj.pk)


# Sales channels ---------------------------------------------------------------------------


class ChannelLocationInline(admin.TabularInline):
    """The channel's locations; allocation tries them by ascending rank."""

    model = SalesChannelLocation
    fields = ("location", "rank")
    autocomplete_fields = ("location",)
    extra = 0


@admin.register(SalesChannel)
class SalesChannelAdmin(ServiceAdmin):
    list_display = ("name", "is_default", "is_disabled", "location_count", "id", "created_at")
    search_fields = ("name", "description", "=id")
    list_filter = ("is_disabled", "is_default")
    fields = ("id", "name", "description", "is_disabled", "is_default", "metadata", "created_at")
    readonly_fields = ("id", "is_default", "created_at")
    inlines = [ChannelLocationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(location_count=Count("location_links"))

    @admin.display(description="locations", ordering="location_count")
    def location_count(self, channel):
        return channel.location_count

    def delete_with_service(self, request, obj) -> None:
        services.sales_channel_delete(sales_channel_id=obj.pk)


# Products and variants --------------------------------------------------------------------


class ProductVariantInline(ReadOnlyInline):
    model = ProductVariant
    fields = ("title", "sku", "manage_inventory", "allow_backorder", "variant_rank")
    verbose_name_plural = "variants (add or edit each on its own page)"


@admin.register(Product)
class ProductAdmin(ServiceAdmin):
    list_display = ("title", "handle", "status", "variant_count", "id", "created_at")
    search_fields = ("title", "handle", "subtitle", "=id")
    ordering = ("title", "id")
    list_filter = ("status", "is_giftcard", "discountable")
    readonly_fields = ("id", "add_variant", "created_at", "updated_at")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "id",
                    "title",
                    "subtitle",
                    "description",
                    "handle",
                    "status",
                    "thumbnail",
                    "is_giftcard",
                    "discountable",
                    "add_variant",
                )
            },
        ),
        (
            "Medusa data",
            {
                "classes": ("collapse",),
                "fields": (
                    "options",
                    "images",
                    "tags",
                    "type",
                    "collection_id",
                    "sales_channels",
                    "categories",
                    "metadata",
                    "created_at",
                    "updated_at",
                ),
            },
        ),
    )
    inlines = [ProductVariantInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(variant_count=Count("variants"))

    @admin.display(description="variants", ordering="variant_count")
    def variant_count(self, product):
        return product.variant_count

    @admin.display(description="variant")
    def add_variant(self, product):
        if not product.pk:
            return "-"
        return link_to(url_of("inventory_productvariant_add", product=product.pk), "Add a variant")

    def delete_with_service(self, request, obj) -> None:
        services.product_delete(product_id=obj.pk)


class VariantForm(ServiceForm):
    """A new variant is made by `variant_create`: one that manages inventory gets its own
    inventory item. Later edits (and its kit of items) are plain saves."""

    def apply(self):
        if not self.instance._state.adding:
            return None
        data = dict(self.cleaned_data)
        product = data.pop("product")
        return services.variant_create(product_id=product.pk, **data)


class VariantItemInline(admin.TabularInline):
    """The inventory items the variant is made of; a kit has several."""

    model = VariantInventoryItem
    fields = ("inventory_item", "required_quantity")
    autocomplete_fields = ("inventory_item",)
    extra = 0
    verbose_name = "inventory item"
    verbose_name_plural = "inventory items (a kit has several, each required_quantity times)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("variant__product", "inventory_item")


@admin.register(ProductVariant)
class ProductVariantAdmin(ServiceAdmin):
    form = VariantForm
    list_display = (
        "title",
        "sku",
        "product",
        "manage_inventory",
        "allow_backorder",
        "item_count",
        "id",
    )
    list_select_related = ("product",)
    search_fields = ("title", "sku", "barcode", "ean", "upc", "=id", "product__title")
    list_filter = ("manage_inventory", "allow_backorder")
    autocomplete_fields = ("product",)
    readonly_fields = ("id", "created_at", "updated_at")
    inlines = [VariantItemInline]

    def get_fieldsets(self, request, obj=None):
        main = ["product", "title", "sku", "barcode", "ean", "upc"]
        main += ["manage_inventory", "allow_backorder", "prices", "options"]
        if obj is not None:
            main = ["id", *main, "variant_rank"]
        dates = ("metadata", "created_at", "updated_at") if obj else ("metadata",)
        return (
            (None, {"fields": main}),
            ("Customs and dimensions", {"classes": ("collapse",), "fields": CUSTOMS_FIELDS}),
            ("Other", {"fields": dates}),
        )

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # a new variant is saved by its service

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count("inventory_links"))

    @admin.display(description="inventory items", ordering="item_count")
    def item_count(self, variant):
        return variant.item_count


# Inventory items and levels ---------------------------------------------------------------


class ItemVariantInline(ReadOnlyInline):
    model = VariantInventoryItem
    fields = ("variant", "required_quantity")
    verbose_name = "variant"
    verbose_name_plural = "variants made of this item (edit on the variant's page)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("variant__product", "inventory_item")


class LocationListFilter(admin.SimpleListFilter):
    """A list filter that chooses one stock location, by name."""

    def lookups(self, request, model_admin):
        return StockLocation.objects.order_by("name").values_list("pk", "name")


class ItemLocationFilter(LocationListFilter):
    """Items stocked at a location; the list's figures are then that location's."""

    title = "location"
    parameter_name = "location"

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(
            pk__in=InventoryLevel.objects.filter(location_id=self.value()).values(
                "inventory_item_id"
            )
        )


@admin.register(InventoryItem)
class InventoryItemAdmin(WithHistory, ServiceAdmin):
    list_display = (
        "sku",
        "name",
        "stocked_total",
        "reserved_total",
        "available_total",
        "requires_shipping",
        "id",
    )
    search_fields = (
        "sku",
        "title",
        "=id",
        "variant_links__variant__product__title",
        "variant_links__variant__title",
        "variant_links__variant__sku",
    )
    ordering = ("sku", "id")
    list_filter = ("requires_shipping",)
    readonly_fields = ("id", "totals", "add_level", "created_at", "updated_at")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "id",
                    "sku",
                    "title",
                    "description",
                    "thumbnail",
                    "requires_shipping",
                    "totals",
                    "add_level",
                )
            },
        ),
        ("Customs and dimensions", {"classes": ("collapse",), "fields": CUSTOMS_FIELDS}),
        ("Other", {"fields": ("metadata", "created_at", "updated_at")}),
    )
    inlines = [ItemLevelInline, ItemVariantInline]
    history_key, history_columns = "inventory_item_id", ITEM_HISTORY

    def get_list_filter(self, request):
        return (ItemLocationFilter, *self.list_filter)

    def get_queryset(self, request):
        """Items with their names and their stock over all locations, or at the location
        the list is filtered by (`ItemLocationFilter`)."""
        location = request.GET.get(ItemLocationFilter.parameter_name)
        at = Q(location_levels__location_id=location) if location else None

        def total(counter):
            return Coalesce(Sum(f"location_levels__{counter}", filter=at), 0)

        return (
            item_names(super().get_queryset(request))
            .annotate(stocked=total("stocked_quantity"), reserved=total("reserved_quantity"))
            .annotate(available=F("stocked") - F("reserved"))
        )

    def changelist_view(self, request, extra_context=None):
        location = request.GET.get(ItemLocationFilter.parameter_name)
        name = StockLocation.objects.filter(pk=location).values_list("name", flat=True).first()
        if name:
            title = f"Inventory items at {name}: stocked, reserved and available there"
            extra_context = {"title": title, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description="product / variant", ordering="variant_name")
    def name(self, item):
        return item.variant_name or item.title

    @admin.display(description="stocked", ordering="stocked")
    def stocked_total(self, item):
        return item.stocked

    @admin.display(description="reserved", ordering="reserved")
    def reserved_total(self, item):
        return item.reserved

    @admin.display(description="available", ordering="available")
    def available_total(self, item):
        return item.available

    @admin.display(description="all locations")
    def totals(self, item):
        if not item.pk:
            return "-"
        return f"stocked {item.stocked}, reserved {item.reserved}, available {item.available}"

    @admin.display(description="stock")
    def add_level(self, item):
        return _add_level_link(inventory_item=item.pk) if item.pk else "-"

    def delete_with_service(self, request, obj) -> None:
        services.inventory_item_delete(item_id=obj.pk)


class LevelForm(ServiceForm):
    """Stocks an item at a location through its service; `reserved_quantity` is not a field."""

    stocked_quantity = forms.IntegerField(min_value=0)
    incoming_quantity = forms.IntegerField(min_value=0, initial=0)

    class Meta:
        model = InventoryLevel
        fields = ("inventory_item", "location", "stocked_quantity", "incoming_quantity", "metadata")

    def apply(self):
        data = self.cleaned_data
        return services.inventory_level_create(
            item_id=data["inventory_item"].pk,
            location_id=data["location"].pk,
            stocked_quantity=data["stocked_quantity"],
            incoming_quantity=data["incoming_quantity"],
            metadata=data.get("metadata"),
        )


class LevelChangeForm(LevelForm):
    """Changes a level through `inventory_level_update`, which records the change in the
    ledger with its reason, reference and note. Compare-and-set: the form carries the stock
    shown when the page loaded, and saves nothing when it changed since."""

    reason = forms.ChoiceField(
        choices=[(r, Reason(r).label) for r in StockMovement.MANUAL_REASONS],
        initial=Reason.CORRECTION,
        help_text="Why the stock changes, for the ledger.",
    )
    reference = forms.CharField(
        max_length=255, required=False, help_text="Your document: a receipt number, a URL."
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    expected_stocked_quantity = forms.IntegerField(widget=forms.HiddenInput)
    adjust_by = forms.IntegerField(
        required=False,
        label="Receive (+) or remove (−)",
        help_text="Units to add to the stock (or take away, negative); or set the stocked "
        "quantity itself above.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_stocked_quantity"].initial = self.instance.stocked_quantity

    def clean(self):
        data = super().clean()
        if data.get("adjust_by") and "stocked_quantity" in self.changed_data:
            raise forms.ValidationError(
                "Either set the stocked quantity or enter units to add or remove, not both."
            )
        return data

    @property
    def change_note(self) -> str:
        """What the history of the level says besides the numbers: the ledger's reason."""
        data = self.cleaned_data
        parts = [f"reason: {Reason(data['reason']).label}"]
        parts += [f"{name}: {data[name]}" for name in ("reference", "note") if data.get(name)]
        return ", ".join(parts)

    def apply(self):
        data = self.cleaned_data
        changes = {
            name: data[name]
            for name in ("stocked_quantity", "incoming_quantity", "metadata")
            if name in self.changed_data
        }
        if data.get("adjust_by"):  # the compare-and-set makes it exactly this many units
            changes["stocked_quantity"] = data["expected_stocked_quantity"] + data["adjust_by"]
        try:
            return services.inventory_level_update(
                item_id=self.instance.inventory_item_id,
                location_id=self.instance.location_id,
                reason=data["reason"],
                reference=data["reference"] or None,
                note=data["note"] or None,
                expected_stocked_quantity=data["expected_stocked_quantity"],
                **changes,
            )
        except services.StaleQuantity as stale:
            # What the page shows now is what the next save compares with.
            self.data = self.data.copy()
            self.data[self.add_prefix("expected_stocked_quantity")] = stale.current
            raise Conflict(
                "The stocked quantity changed since you loaded this page: now "
                f"{stale.current}. Nothing was saved; save again to set it anyway."
            ) from stale


class StockStateFilter(admin.SimpleListFilter):
    title = "stock"
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        return (("reserved", "has reservations"), ("unavailable", "nothing available"))

    def queryset(self, request, queryset):
        if self.value() == "reserved":
            return queryset.filter(reserved_quantity__gt=0)
        if self.value() == "unavailable":
            return queryset.alias(available=AVAILABLE).filter(available__lte=0)
        return queryset


@admin.register(InventoryLevel)
class InventoryLevelAdmin(LevelImportExport, WithHistory, ServiceAdmin):
    """Stock of an item at a location. Stock may not drop below what is reserved there
    (the service refuses); `reserved_quantity` follows the reservations only. Its list links
    to the CSV import and export (`inventory.level_import_admin`)."""

    form = LevelForm
    list_display = (
        "item",
        "location",
        "stocked_quantity",
        "reserved_quantity",
        "available",
        "incoming_quantity",
        "updated_at",
    )
    list_select_related = ("inventory_item", "location")
    search_fields = (
        "inventory_item__sku",
        "inventory_item__title",
        "inventory_item__variant_links__variant__product__title",
        "inventory_item__variant_links__variant__title",
        "location__name",
        "=id",
        "=inventory_item__id",
        "=location__id",
    )
    list_filter = ("location", StockStateFilter)
    autocomplete_fields = ("inventory_item", "location")
    history_key, history_columns = "level_id", LEVEL_HISTORY

    def get_form(self, request, obj=None, **kwargs):
        return super().get_form(request, obj, form=LevelChangeForm if obj else LevelForm, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": LevelForm.Meta.fields}),)
        stock = ("stocked_quantity", "adjust_by", "reserved_quantity", "available")
        return (
            (
                None,
                {
                    "fields": (
                        "id",
                        "item",
                        "location",
                        *stock,
                        "incoming_quantity",
                        "reservations",
                    )
                },
            ),
            (
                "Why the stock changes",
                {
                    "fields": ("reason", "reference", "note", "expected_stocked_quantity"),
                    "description": "Recorded in the stock ledger with the change.",
                },
            ),
            ("Other", {"fields": ("metadata", "created_at", "updated_at")}),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "id",
            "item",
            "location",
            "reserved_quantity",
            "available",
            "reservations",
            "created_at",
            "updated_at",
        )

    def get_queryset(self, request):
        return with_item_names(super().get_queryset(request))

    @admin.display(description="inventory item", ordering="inventory_item__sku")
    def item(self, level):
        return level_item(level)

    @admin.display(description="available", ordering=AVAILABLE)
    def available(self, level):
        return level.available_quantity

    @admin.display(description="reservations")
    def reservations(self, level):
        where = {"inventory_item": level.inventory_item_id, "location": level.location_id}
        listed = url_of(
            "reservations_reservationitem_changelist",
            inventory_item__id__exact=where["inventory_item"],
            location__id__exact=where["location"],
        )
        return format_html_join(
            " · ",
            "{}",
            [
                (link_to(listed, "List them"),),
                (link_to(url_of("reservations_reservationitem_add", **where), "Reserve"),),
                (admin_link(level.inventory_item, "Item"),),
                (admin_link(level.location, "Location"),),
            ],
        )

    def delete_with_service(self, request, obj) -> None:
        services.inventory_level_delete(item_id=obj.inventory_item_id, location_id=obj.location_id)
