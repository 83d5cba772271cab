"""Orders in the admin: each merchant works on its own order parts; statuses move only through
orders.services.order_part_set_status (admin actions and the change page's buttons); nothing else is edited."""
from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join

from catalog.admin.scoping import MerchantScopedAdmin
from catalog.selectors import user_sees_all_merchants
from ecommerce.admin_mixins import ReadOnlyAdminMixin

from .models import Order, OrderEvent, OrderLine, OrderPart
from .selectors import order_parts_for_staff
from .services import TRANSITIONS, order_part_set_status
from .shipping import COUNTRY_NAMES

# The words of each step, on the action menu and on the change page's buttons.
STEP_LABELS = {
    OrderPart.Status.PAID: "Mark paid",
    OrderPart.Status.SHIPPED: "Mark shipped",
    OrderPart.Status.DELIVERED: "Mark delivered",
    OrderPart.Status.CANCELLED: "Cancel (restores stock)",
}


class _ReadOnlyInline(admin.TabularInline):
    """Rows shown as they are: lines are frozen at placement and events are the audit trail."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrderLineInline(_ReadOnlyInline):
    model = OrderLine
    fields = readonly_fields = ("product_title", "variant_label", "sku", "unit_price", "quantity", "line_total")


class OrderEventInline(_ReadOnlyInline):
    model = OrderEvent
    verbose_name, verbose_name_plural = "status change", "status history"
    fields = readonly_fields = ("created_at", "from_status", "to_status", "actor", "note")
    ordering = ("created_at", "id")


def _status_action(status: str):
    """Build the changelist action that moves the selected parts to ``status``."""

    def action(modeladmin, request, queryset):
        modeladmin.apply_status(request, queryset, status)

    action.__name__ = f"mark_{status}"
    return admin.action(description=STEP_LABELS[status], permissions=["change"])(action)


@admin.register(OrderPart)
class OrderPartAdmin(MerchantScopedAdmin):
    """A merchant's share of an order: read-only details, status steps through the service."""

    merchant_path = "merchant"
    change_form_template = "admin/orders/orderpart/change_form.html"
    list_display = ("order_number", "placed_at", "merchant", "status", "customer", "destination", "items", "total")
    list_display_links = ("order_number",)
    list_filter = ("status", "order__placed_at")
    search_fields = ("order__number", "order__full_name", "order__email", "lines__sku")
    date_hierarchy = "order__placed_at"
    inlines = [OrderLineInline, OrderEventInline]
    actions = [
        _status_action(OrderPart.Status.PAID), "mark_shipped", _status_action(OrderPart.Status.DELIVERED),
        _status_action(OrderPart.Status.CANCELLED),
    ]
    fieldsets = (
        ("Order", {"fields": ("order_number", "placed_at", "merchant", "status", "tracking_reference")}),
        ("Customer", {"fields": ("customer", "email", "phone", "shipping_address", "shipping_method", "notes")}),
        ("Money", {"fields": ("subtotal", "shipping", "total", "payment")}),
    )
    readonly_fields = (
        "order_number", "placed_at", "merchant", "status", "tracking_reference", "customer", "email", "phone",
        "shipping_address", "shipping_method", "notes", "subtotal", "shipping", "total", "payment",
    )

    # -- scope: orders.selectors.order_parts_for_staff is the one rule (reviewers see none) --------------------

    def scope(self, request, qs):
        return qs.filter(pk__in=order_parts_for_staff(request.user).values("pk"))

    def get_queryset(self, request):
        return order_parts_for_staff(request.user)

    def get_list_filter(self, request):
        base = list(super().get_list_filter(request))
        return (["merchant"] + base) if user_sees_all_merchants(request.user) else base

    def has_add_permission(self, request):
        return False  # parts are made by checkout only

    def has_delete_permission(self, request, obj=None):
        return False  # an order is cancelled (stock restored, audit row), never erased

    # -- columns and read-only fields ---------------------------------------------------------------------------

    @admin.display(description="Order", ordering="order__number")
    def order_number(self, part):
        return part.order.number

    @admin.display(description="Placed", ordering="order__placed_at")
    def placed_at(self, part):
        return part.order.placed_at

    @admin.display(description="Customer", ordering="order__full_name")
    def customer(self, part):
        return part.order.full_name

    @admin.display(description="Ships to")
    def destination(self, part):
        return f"{part.order.city}, {part.order.country}"

    @admin.display(description="Items")
    def items(self, part):
        return sum(line.quantity for line in part.lines.all())  # lines are prefetched by the selector

    @admin.display(description="Total")
    def total(self, part):
        return f"{part.total} {part.order.currency}"

    @admin.display(description="Email")
    def email(self, part):
        return part.order.email

    @admin.display(description="Phone")
    def phone(self, part):
        return part.order.phone or "—"

    @admin.display(description="Address")
    def shipping_address(self, part):
        order = part.order
        rows = [order.address_line1, order.address_line2, f"{order.postal_code} {order.city}",
                COUNTRY_NAMES.get(order.country, order.country)]
        return format_html_join("", "{}<br>", ((row,) for row in rows if row))

    @admin.display(description="Shipping method")
    def shipping_method(self, part):
        return part.order.shipping_method

    @admin.display(description="Customer's note")
    def notes(self, part):
        return part.order.notes or "—"

    @admin.display(description="Payment")
    def payment(self, part):
        order = part.order
        return f"{order.payment_provider}: {order.payment_status}"

    # -- status changes ---------------------------------------------------------------------------------------

    def apply_status(self, request, parts, status: str, *, note: str = "", tracking: dict | None = None) -> None:
        """Move each part through the service and say, per part, whether it moved or why not."""
        for part in parts:
            try:
                order_part_set_status(
                    part=part, status=status, actor=request.user, note=note,
                    tracking_reference=(tracking or {}).get(part.pk, ""),
                )
            except (ValidationError, PermissionDenied) as exc:
                reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                messages.error(request, f"{part}: {reason}")
            else:
                messages.success(request, f"{part}: now {OrderPart.Status(status).label.lower()}.")

    @admin.action(description=STEP_LABELS[OrderPart.Status.SHIPPED], permissions=["change"])
    def mark_shipped(self, request, queryset):
        """Ask for each part's tracking reference (optional) on a second page, then mark them shipped."""
        if request.POST.get("apply"):
            tracking = {part.pk: request.POST.get(f"tracking_{part.pk}", "").strip() for part in queryset}
            self.apply_status(request, queryset, OrderPart.Status.SHIPPED, tracking=tracking)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Mark shipped", "opts": self.model._meta, "parts": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/orders/orderpart/mark_shipped.html", context)

    def get_urls(self):
        urls = [path("<path:object_id>/status/", self.admin_site.admin_view(self.status_view),
                     name="orders_orderpart_status")]
        return urls + super().get_urls()

    def status_view(self, request, object_id):
        """The change page's buttons: one status step for this part, then back to its page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        part = self.get_object(request, unquote(object_id))
        if part is None:
            raise Http404("No order part with this id.")
        if not self.has_change_permission(request, part):
            raise PermissionDenied
        status = request.POST.get("status", "")
        self.apply_status(
            request, [part], status, note=request.POST.get("note", "").strip(),
            tracking={part.pk: request.POST.get("tracking_reference", "").strip()},
        )
        return HttpResponseRedirect(reverse("admin:orders_orderpart_change", args=[part.pk]))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            # Nothing on the page is edited in place; status steps post to status_view.
            return HttpResponseNotAllowed(["GET"])
        part = self.get_object(request, unquote(object_id)) if object_id else None
        can_change = part is not None and self.has_change_permission(request, part)
        extra_context = {
            **(extra_context or {}),
            "show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False,
            "show_delete": False,
            "status_steps": [(s, STEP_LABELS[s]) for s in STEP_LABELS if can_change and s in TRANSITIONS[part.status]],
            "status_url": reverse("admin:orders_orderpart_status", args=[part.pk]) if part is not None else "",
        }
        return super().changeform_view(request, object_id, form_url, extra_context)


class OrderPartSummaryInline(_ReadOnlyInline):
    model = OrderPart
    fields = readonly_fields = ("merchant", "status", "subtotal", "shipping", "tracking_reference")
    show_change_link = True


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Whole orders across shops: superusers only, read-only (each shop works on its own parts)."""

    list_display = ("number", "placed_at", "full_name", "email", "country", "total", "currency", "status_label",
                    "payment_status")
    list_filter = ("payment_status", "placed_at")
    search_fields = ("number", "full_name", "email")
    date_hierarchy = "placed_at"
    inlines = [OrderPartSummaryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("parts")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    @admin.display(description="Status")
    def status_label(self, order):
        return order.get_status_display()
