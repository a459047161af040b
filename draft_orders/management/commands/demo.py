"""`manage.py demo`: migrate, fill an empty database with a small store, serve it."""

import os
import sys

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from config.actor import ActorCommand
from draft_orders.services import draft_line_add, draft_order_create, draft_order_pay
from inventory import selectors, services
from inventory.models import ProductVariant, StockLocation
from orders.services import region_create, shipping_option_create
from reservations.services import reservation_create

DEMO_EMAIL = "admin@stockroom.local"
DEMO_PASSWORD = "stockroom"
DEMO_TOKEN = "stockroom-demo-token"

PRODUCTS = [
    ("Medusa T-Shirt", [("S", "SHIRT-S", 2500), ("M", "SHIRT-M", 2500), ("L", "SHIRT-L", 2500)]),
    ("Coffee Mug", [("White", "MUG-WHITE", 1200), ("Black", "MUG-BLACK", 1200)]),
    ("Sticker Pack", [("Standard", "STICKERS", 500)]),
]
STOCK = {  # sku -> (Copenhagen, Berlin)
    "SHIRT-S": (20, 5),
    "SHIRT-M": (3, 12),
    "SHIRT-L": (0, 8),
    "MUG-WHITE": (40, 0),
    "MUG-BLACK": (6, 6),
    "STICKERS": (200, 150),
}


def prices(amount: int) -> list[dict]:
    return [{"currency_code": c, "amount": amount} for c in ("eur", "usd")]


class Command(ActorCommand):
    help = "Set up and run the demo store: migrate, seed an empty database, serve on 127.0.0.1."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="set up, then exit")

    def handle(self, *args, bind, no_serve, **options):
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.ensure_admin()
        if not StockLocation.objects.exists():
            self.seed()
            self.stdout.write("Seeded the demo store.")
        self.stdout.write(
            f"\n  API:        http://{bind}/admin  (x-medusa-access-token: {DEMO_TOKEN})\n"
            f"  Dashboard:  http://{bind}/dashboard/\n"
            f"  API docs:   http://{bind}/api/docs\n"
            f"  Log in as   {DEMO_EMAIL} / {DEMO_PASSWORD}\n"
        )
        if not no_serve:
            sys.stdout.flush()
            gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
            settings = ["-c", "python:config.gunicorn", "-b", bind]
            os.execv(gunicorn, [gunicorn, *settings, "config.wsgi"])

    def ensure_admin(self):
        User = get_user_model()
        if not User.objects.filter(email=DEMO_EMAIL).exists():
            User.objects.create_superuser(
                email=DEMO_EMAIL, password=DEMO_PASSWORD, api_token=DEMO_TOKEN
            )

    @transaction.atomic
    def seed(self):
        channel = selectors.default_sales_channel()
        locations = [
            services.stock_location_create(
                name=name, address={"address_1": street, "city": city, "country_code": country}
            )
            for name, street, city, country in [
                ("Copenhagen Warehouse", "Vesterbrogade 1", "Copenhagen", "DK"),
                ("Berlin Store", "Torstraße 10", "Berlin", "DE"),
            ]
        ]
        for location in locations:
            services.sales_channel_location_add(
                sales_channel_id=channel.pk, location_id=location.pk
            )
        items = {}
        for title, variants in PRODUCTS:
            product = services.product_create(
                title=title,
                status="published",
                variants=[
                    {"title": v, "sku": sku, "prices": prices(price)} for v, sku, price in variants
                ],
            )
            for variant in product.variants.all():
                items[variant.sku] = variant.inventory_items.get()
        for sku, quantities in STOCK.items():
            for location, stocked in zip(locations, quantities, strict=True):
                services.inventory_level_create(
                    item_id=items[sku].pk, location_id=location.pk, stocked_quantity=stocked
                )
        gift_box = services.product_create(title="Gift Box", status="published")
        services.variant_create(
            product_id=gift_box.pk,
            title="Shirt + 2 mugs",
            sku="GIFTBOX",
            prices=prices(4500),
            kit=[(items["SHIRT-M"].pk, 1), (items["MUG-WHITE"].pk, 2)],
        )
        self.seed_orders()
        for sku, location, quantity, note in [
            ("SHIRT-S", locations[0], 4, "Held for a photo shoot"),
            ("STICKERS", locations[1], 30, "Conference giveaway"),
        ]:
            reservation_create(
                inventory_item_id=items[sku].pk,
                location_id=location.pk,
                quantity=quantity,
                description=note,
            )

    def seed_orders(self):
        """Two placed orders (their stock reserved, one split over both locations, one a
        kit) and two open drafts (which reserve nothing until paid)."""
        region = region_create(
            name="Europe", currency_code="eur", tax_rate=25, countries=["dk", "de"]
        )
        post = shipping_option_create(name="PostNord", region_id=region.pk, amount=495)
        shirt_m, shirt_l, mug, stickers, gift_box = (
            ProductVariant.objects.get(sku=sku)
            for sku in ["SHIRT-M", "SHIRT-L", "MUG-BLACK", "STICKERS", "GIFTBOX"]
        )
        shipping = [{"option_id": post.pk}]
        placed = [
            [(shirt_m, 14), (stickers, 5)],  # no location has 14 M shirts: split
            [(gift_box, 1), (mug, 2)],
        ]
        for number, lines in enumerate(placed, start=1):
            draft = draft_order_create(
                email=f"customer{number}@example.com",
                region_id=region.pk,
                shipping_methods=shipping,
                items=[{"variant_id": v.pk, "quantity": q} for v, q in lines],
            )
            draft_order_pay(draft_id=draft.pk)
        draft = draft_order_create(
            email="wholesale@example.com",
            region_id=region.pk,
            shipping_methods=shipping,
            items=[{"variant_id": shirt_l.pk, "quantity": 4}],
        )
        draft_line_add(draft_id=draft.pk, title="Gift wrapping", unit_price=300, quantity=1)
        draft_order_create(
            email="newsletter@example.com", items=[{"variant_id": stickers.pk, "quantity": 50}]
        )
