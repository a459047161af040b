"""Admin for draft orders and their lines, every write through `draft_orders.services`.

A draft is created, changed and deleted through its services; its lines are listed on its
page and added, changed or deleted on their own pages (again through the services). The
"Mark paid (place order)" action pays each selected draft: its order is placed and its
stock reserved in one transaction, or nothing is written and the refusal is shown.
A paid draft (and its lines) is read-only and stays: its order refers to it.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.utils.html import format_html

from config.admin import ServiceAdmin, ServiceForm, admin_link, delete_selected, run_each
from draft_orders import services
from draft_orders.models import DraftLineItem, DraftOrder
from inventory.admin import ReadOnlyInline
from orders.admin import changes_of, link_to, url_of
from orders.models import ShippingOption
from orders.money import money_text, totals

DRAFT_FIELDS = (
    "customer_id",
    "shipping_address",
    "billing_address",
    "no_notification_order",
    "metadata",
)


def _pk(obj) -> str | None:
    return obj.pk if obj is not None else None


def _completed(draft) -> bool:
    return draft is not None and draft.status == DraftOrder.Status.COMPLETED


class DraftOrderForm(ServiceForm):
    """The draft's own fields; its shipping methods are picked among the shipping options
    (each priced at the option's amount)."""

    shipping_options = forms.ModelMultipleChoiceField(
        ShippingOption.objects.select_related("region"),
        required=False,
        help_text="Priced at each option's amount; options must belong to the draft's region.",
    )

    class Meta:
        model = DraftOrder
        fields = ("email", "sales_channel", "region", *DRAFT_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        channel = self.fields.get("sales_channel")
        if channel is not None and self.instance._state.adding:
            channel.required = False
            channel.help_text = "Empty: the store's default sales channel."
        if not self.instance._state.adding:
            self.initial["shipping_options"] = [
                method["shipping_option_id"] for method in self.instance.shipping_methods
            ]

    def clean(self):
        data = super().clean()
        if self.instance.region_id and "region" in self.changed_data and not data.get("region"):
            self.add_error("region", "A draft order's region can be changed, not removed.")
        return data

    def apply(self):
        data = self.cleaned_data
        methods = [{"option_id": option.pk} for option in data.get("shipping_options") or []]
        if self.instance._state.adding:
            return services.draft_order_create(
                email=data["email"],
                region_id=_pk(data.get("region")),
                sales_channel_id=_pk(data.get("sales_channel")),
                shipping_methods=methods,
                **{name: data[name] for name in DRAFT_FIELDS},
            )
        changes = changes_of(self, ("email", *DRAFT_FIELDS))
        if "region" in self.changed_data:
            changes["region_id"] = data["region"].pk
        if "sales_channel" in self.changed_data:
            changes["sales_channel_id"] = data["sales_channel"].pk
        if "shipping_options" in self.changed_data:
            changes["shipping_methods"] = methods
        return services.draft_order_update(draft_id=self.instance.pk, **changes)


class DraftLineInline(ReadOnlyInline):
    model = DraftLineItem
    fields = ("title", "variant", "unit_price", "quantity", "subtotal")
    verbose_name_plural = "line items (add, change or delete each on its own page)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("variant__product")

    @admin.display(description="subtotal")
    def subtotal(self, line):
        return line.unit_price * line.quantity


@admin.register(DraftOrder)
class DraftOrderAdmin(ServiceAdmin):
    form = DraftOrderForm
    list_display = (
        "display_id",
        "email",
        "status",
        "sales_channel",
        "line_count",
        "total",
        "created_at",
    )
    list_display_links = ("display_id", "email")
    list_select_related = ("sales_channel", "region")
    list_filter = ("status", "sales_channel")
    search_fields = ("email", "=id", "=display_id")
    ordering = ("-created_at", "-display_id")
    autocomplete_fields = ("region",)
    actions = ["mark_paid", delete_selected]
    inlines = [DraftLineInline]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            main = ("email", "sales_channel", "region", "shipping_options")
            return ((None, {"fields": main}), ("Other", {"fields": DRAFT_FIELDS}))
        shipping = "shipping_methods" if _completed(obj) else "shipping_options"
        main = ("id", "display_id", "status", "order_link", "email", "sales_channel", "region")
        dates = ("completed_at", "created_at", "updated_at")
        return (
            (None, {"fields": (*main, shipping, "amounts", "add_line")}),
            ("Other", {"fields": (*DRAFT_FIELDS, *dates)}),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "id",
            "display_id",
            "status",
            "order_link",
            "amounts",
            "add_line",
            "completed_at",
            "created_at",
            "updated_at",
        )

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # a new draft is saved by its service

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("items")
            .annotate(line_count=Count("items"))
        )

    def has_change_permission(self, request, obj=None):
        return not _completed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _completed(obj) and super().has_delete_permission(request, obj)

    def delete_with_service(self, request, obj) -> None:
        services.draft_order_delete(draft_id=obj.pk)

    @admin.display(description="lines", ordering="line_count")
    def line_count(self, draft):
        return draft.line_count

    def _totals(self, draft) -> dict[str, int]:
        return totals(draft.items.all(), draft.shipping_methods, draft.tax_rate)

    @admin.display(description="total")
    def total(self, draft):
        return money_text(self._totals(draft)["total"], draft.currency_code)

    @admin.display(description="totals")
    def amounts(self, draft):
        return ", ".join(
            f"{name.replace('_', ' ')} {money_text(amount, draft.currency_code)}"
            for name, amount in self._totals(draft).items()
        )

    @admin.display(description="order")
    def order_link(self, draft):
        return admin_link(draft.order) if draft.order_id else "-"

    @admin.display(description="lines")
    def add_line(self, draft):
        if _completed(draft):
            return "Paid: the lines are those of its order."
        return link_to(url_of("draft_orders_draftlineitem_add", draft_order=draft.pk), "Add a line")

    @admin.action(description="Mark paid (place order)", permissions=["change"])
    def mark_paid(self, request, queryset):
        """Pay each draft: its order is placed (and its stock reserved), or the refusal
        (a stock shortage, say) is shown and that draft stays open, nothing written."""
        paid = run_each(
            self,
            request,
            queryset.order_by("display_id"),
            lambda draft: services.draft_order_pay(draft_id=draft.pk),
        )
        for draft, order in paid:
            self.message_user(
                request,
                format_html("{} paid: placed {}.", draft, admin_link(order)),
                messages.SUCCESS,
            )


LINE_FIELDS = ("title", "unit_price", "quantity", "metadata")


class DraftLineForm(ServiceForm):
    """Adds a line (the same variant again adds to its line's quantity) or changes one."""

    title = forms.CharField(max_length=255, required=False, help_text="Empty: the product's title.")
    unit_price = forms.IntegerField(
        min_value=0,
        required=False,
        help_text="In the currency's smallest unit. Empty: the variant's price in the "
        "draft's currency (0 for a custom line).",
    )
    quantity = forms.IntegerField(min_value=1)

    class Meta:
        model = DraftLineItem
        fields = ("draft_order", "variant", *LINE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            for name in ("title", "unit_price"):
                self.fields[name].required = True
                self.fields[name].help_text = ""

    def apply(self):
        data = self.cleaned_data
        if self.instance._state.adding:
            return services.draft_line_add(
                draft_id=data["draft_order"].pk,
                variant_id=_pk(data.get("variant")),
                title=data.get("title") or None,
                unit_price=data.get("unit_price"),
                quantity=data["quantity"],
                metadata=data.get("metadata"),
            )
        line = self.instance
        services.draft_line_update(
            draft_id=line.draft_order_id, line_id=line.pk, **changes_of(self, LINE_FIELDS)
        )
        return DraftLineItem.objects.get(pk=line.pk)


@admin.register(DraftLineItem)
class DraftLineItemAdmin(ServiceAdmin):
    form = DraftLineForm
    list_display = ("title", "draft_order", "variant", "unit_price", "quantity", "id")
    list_select_related = ("draft_order", "variant__product")
    list_filter = ("draft_order__status",)
    search_fields = ("title", "=id", "=draft_order__id", "variant__sku")
    autocomplete_fields = ("draft_order", "variant")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("draft_order", "variant", *LINE_FIELDS)
        return ("id", "draft_order", "variant", *LINE_FIELDS, "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return ("id", "draft_order", "variant", "created_at", "updated_at") if obj else ()

    def has_change_permission(self, request, obj=None):
        return not _completed(obj and obj.draft_order) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return not _completed(obj and obj.draft_order) and super().has_delete_permission(
            request, obj
        )

    def _to_draft(self, line):
        return HttpResponseRedirect(url_of("draft_orders_draftorder_change", line.draft_order_id))

    def response_post_save_add(self, request, obj):
        return self._to_draft(obj)

    def response_post_save_change(self, request, obj):
        return self._to_draft(obj)

    def delete_with_service(self, request, obj) -> None:
        services.draft_line_delete(draft_id=obj.draft_order_id, line_id=obj.pk)
