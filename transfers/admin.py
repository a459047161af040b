"""Admin for stock transfers: drafts are created and edited through `transfers.services`,
and each transfer's page ships, receives (everything outstanding) or cancels it with
buttons that call the same services; the list shows what is in flight at each location."""

from django import forms
from django.contrib import admin, messages
from django.db import DatabaseError
from django.http import HttpResponseRedirect
from django.utils.html import format_html_join

from config.admin import ServiceAdmin, ServiceForm, refusal
from config.errors import DomainError
from inventory.admin import LocationListFilter
from inventory.models import InventoryItem
from transfers import services
from transfers.models import StockTransfer

Status = StockTransfer.Status
STEPS = {
    "_ship": ("Ship", services.transfer_ship, "shipped", (Status.DRAFT,)),
    "_receive": (
        "Receive everything outstanding",
        services.transfer_receive,
        "received",
        StockTransfer.IN_FLIGHT,
    ),
    "_cancel": (
        "Cancel",
        services.transfer_cancel,
        "canceled",
        (Status.DRAFT, *StockTransfer.IN_FLIGHT),
    ),
}


class TransferForm(ServiceForm):
    """A draft: its locations, its items as lines of `SKU-or-item-id quantity`, its text."""

    items_text = forms.CharField(
        label="Items",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One item a line: its SKU or id, a space, then the quantity.",
    )

    class Meta:
        model = StockTransfer
        fields = ("from_location", "to_location", "reference", "note", "metadata")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["items_text"].initial = "\n".join(
                f"{row.inventory_item.sku or row.inventory_item_id} {row.quantity}"
                for row in self.instance.items.select_related("inventory_item")
            )

    def clean_items_text(self):
        rows, problems = [], []
        for number, line in enumerate(self.cleaned_data["items_text"].splitlines(), 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2 or not parts[1].lstrip("-").isdigit():
                problems.append(f"line {number}: write the SKU or id, a space, the quantity")
                continue
            found = InventoryItem.objects.filter(sku=parts[0]).values_list("pk", flat=True)
            item_id = found[0] if found else parts[0]
            rows.append({"inventory_item_id": item_id, "quantity": int(parts[1])})
        if problems:
            raise forms.ValidationError(problems)
        return rows

    def apply(self):
        data = self.cleaned_data
        fields = {
            "from_location_id": data["from_location"].pk,
            "to_location_id": data["to_location"].pk,
            "items": data["items_text"],
            "reference": data.get("reference") or None,
            "note": data.get("note") or None,
            "metadata": data.get("metadata"),
        }
        if self.instance._state.adding:
            return services.transfer_create(**fields)
        return services.transfer_update(transfer_id=self.instance.pk, **fields)


class InFlightAtFilter(LocationListFilter):
    """Transfers shipped and not yet fully received, from or to one location."""

    title = "in flight at location"
    parameter_name = "in_flight_at"

    def queryset(self, request, queryset):
        location = self.value()
        if not location:
            return queryset
        ends = queryset.filter(from_location_id=location) | queryset.filter(to_location_id=location)
        return ends.filter(status__in=StockTransfer.IN_FLIGHT)


@admin.register(StockTransfer)
class StockTransferAdmin(ServiceAdmin):
    form = TransferForm
    change_form_template = "admin/transfers/stocktransfer/change_form.html"
    list_display = ("id", "status", "from_location", "to_location", "units", "created_at")
    list_select_related = ("from_location", "to_location")
    list_filter = ("status", InFlightAtFilter, "from_location", "to_location")
    search_fields = ("=id", "reference", "note")
    date_hierarchy = "created_at"
    actions = []  # transfers are canceled, never deleted

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("items")

    def get_fields(self, request, obj=None):
        editable = ("from_location", "to_location", "items_text", "reference", "note", "metadata")
        if obj is None:
            return editable
        if obj.status == Status.DRAFT:
            return ("id", "status", *editable, "created_at")
        return ("id", "status", "from_location", "to_location", "item_table", "reference") + (
            "note",
            "metadata",
            "shipped_at",
            "received_at",
            "canceled_at",
            "created_at",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.status == Status.DRAFT:
            return ("id", "status", "created_at")
        return self.get_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        """Only drafts are edited; the steps need the right to change transfers."""
        allowed = super().has_change_permission(request)
        return allowed and (obj is None or obj.status == Status.DRAFT)

    @admin.display(description="units")
    def units(self, transfer):
        rows = transfer.items.all()
        return (
            f"{sum(r.received_quantity for r in rows)} of {sum(r.quantity for r in rows)} received"
        )

    @admin.display(description="items")
    def item_table(self, transfer):
        return format_html_join(
            "<br>",
            "{}: {} shipped, {} received",
            (
                (row.inventory_item, row.quantity, row.received_quantity)
                for row in transfer.items.select_related("inventory_item")
            ),
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        transfer = StockTransfer.objects.filter(pk=object_id).first() if object_id else None
        step = next((name for name in STEPS if name in request.POST), None)
        if transfer is not None and step and self.has_change_permission(request):
            return self._step(request, transfer, step)
        steps = [
            (name, label)
            for name, (label, _, _, allowed) in STEPS.items()
            if transfer is not None and transfer.status in allowed
        ]
        context = {**(extra_context or {}), "transfer_steps": steps}
        return super().changeform_view(request, object_id, form_url, context)

    def _step(self, request, transfer, step):
        _, service, done, _ = STEPS[step]
        try:
            service(transfer_id=transfer.pk)
        except (DomainError, DatabaseError) as exc:
            message = refusal(exc)
            if message is None:
                raise
            self.message_user(request, message, messages.ERROR)
        else:
            self.message_user(request, f"Stock transfer {transfer.pk} {done}.", messages.SUCCESS)
        return HttpResponseRedirect(request.path)
