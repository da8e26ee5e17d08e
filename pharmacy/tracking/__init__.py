"""Delivery tracking and address changes: the core the tracking actions call.

Functions here open their own short transactions and return frozen results; actions render them
(``pharmacy.tracking.text``) and know nothing of sessions or the carrier.
"""

from pharmacy.tracking.address import (
    AddressChoice,
    AddressKind,
    AddressOptions,
    SavedAddress,
    address_options,
    apply_address_change,
    chosen_address,
)
from pharmacy.tracking.orders import (
    ADDRESS_CHANGEABLE,
    HistoryStep,
    OrderChoice,
    OrderView,
    ShipmentView,
    order_of,
    orders_of,
)
from pharmacy.tracking.status import (
    LiveStatus,
    TrackingAnswer,
    TrackingKind,
    problem_orders,
    record_carrier_status,
    track_order,
)

__all__ = [
    "ADDRESS_CHANGEABLE",
    "AddressChoice",
    "AddressKind",
    "AddressOptions",
    "HistoryStep",
    "LiveStatus",
    "OrderChoice",
    "OrderView",
    "SavedAddress",
    "ShipmentView",
    "TrackingAnswer",
    "TrackingKind",
    "address_options",
    "apply_address_change",
    "chosen_address",
    "order_of",
    "orders_of",
    "problem_orders",
    "record_carrier_status",
    "track_order",
]
