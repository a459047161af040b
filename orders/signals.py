"""`order_placed` is sent inside the placing transaction, with `order`, after its lines exist.

Receivers run in that transaction: an exception (say, a stock shortage) rolls the order back.
The default receiver (`orders.receivers.allocate_placed_order`) reserves the order's stock.
"""

from django.dispatch import Signal

order_placed = Signal()
