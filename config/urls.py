"""Routes: the Medusa Admin API under /admin, the Django admin at /dashboard/ (its index is
the dashboard's home), and `/` sends people there."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.admin import dashboard_login
from config.api.errors import respond
from config.api.users import SessionView, TokenView, UserViewSet
from config.api.viewsets import Router
from config.health import LiveView, ReadyView
from dashboard.home import index as dashboard_home
from draft_orders.views import DraftOrderViewSet
from inventory.views import (
    InventoryItemViewSet,
    ProductViewSet,
    SalesChannelViewSet,
    StockLocationViewSet,
    StockMovementViewSet,
    VariantViewSet,
)
from orders.reservation_views import ReservationViewSet
from orders.views import OrderViewSet, RegionViewSet, ReturnViewSet, ShippingOptionViewSet
from transfers.views import StockTransferViewSet

router = Router()
router.register("users", UserViewSet, basename="users")
router.register("stock-locations", StockLocationViewSet, basename="stock-locations")
router.register("sales-channels", SalesChannelViewSet, basename="sales-channels")
router.register("products", ProductViewSet, basename="products")
router.register("variants", VariantViewSet, basename="variants")
router.register("inventory-items", InventoryItemViewSet, basename="inventory-items")
router.register("stock-movements", StockMovementViewSet, basename="stock-movements")
router.register("stock-transfers", StockTransferViewSet, basename="stock-transfers")
router.register("reservations", ReservationViewSet, basename="reservations")
router.register("regions", RegionViewSet, basename="regions")
router.register("shipping-options", ShippingOptionViewSet, basename="shipping-options")
router.register("orders", OrderViewSet, basename="orders")
router.register("returns", ReturnViewSet, basename="returns")
router.register("draft-orders", DraftOrderViewSet, basename="draft-orders")


@csrf_exempt  # as the API's views are: a POST here is a 404 too
def api_root(request):
    """`/admin/` itself is no API route: the answer says where the API and the dashboard are."""
    return respond(
        404,
        "not_found",
        f"Cannot {request.method} {request.path}: the Admin API's routes are /admin/<resource> "
        "(see /api/docs); the staff dashboard is at /dashboard/",
    )


urlpatterns = [
    path("", RedirectView.as_view(url="/dashboard/"), name="home"),
    path("health", LiveView.as_view()),
    path("health/ready", ReadyView.as_view()),
    re_path(r"^admin/auth/?$", SessionView.as_view()),
    re_path(r"^admin/auth/token/?$", TokenView.as_view()),
    re_path(r"^admin/?$", api_root),
    path("admin/", include(router.urls)),
    path("dashboard/login/", dashboard_login),
    path("dashboard/", admin.site.admin_view(dashboard_home)),
    path("dashboard/", admin.site.urls),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

handler400 = "config.api.errors.json_bad_request"
handler404 = "config.api.errors.json_not_found"
handler500 = "config.api.errors.json_server_error"
