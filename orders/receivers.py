"""The default receiver of `order_placed`: placing an order reserves its stock."""

from django.dispatch import receiver

from orders.allocation import allocate_order
from orders.signals import order_placed


@receiver(order_placed, dispatch_uid="orders.allocate_placed_order")
def allocate_placed_order(sender, order, **kwargs):
    allocate_order(order)
