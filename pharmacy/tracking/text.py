"""Tracking answers in words, from the message catalogue (``tracking.*``, ``*_status.*``)."""

from __future__ import annotations

from datetime import date, datetime

from pharmacy.messages import render
from pharmacy.models import DeliveryMethod, OrderStatus, ShipmentStatus
from pharmacy.tracking.orders import OrderChoice
from pharmacy.tracking.status import TrackingAnswer


def _say(key: str, **values: object) -> str:
    return render(key, "en", **values).text


def order_status_words(status: OrderStatus) -> str:
    return _say(f"order_status.{status.value}")


def shipment_status_words(status: ShipmentStatus) -> str:
    return _say(f"shipment_status.{status.value}")


def day(value: date) -> str:
    return _say("tracking.day", weekday=f"{value:%A}", month=f"{value:%B}", day=value.day)


def moment(value: datetime) -> str:
    return _say("tracking.moment", month=f"{value:%b}", day=value.day, time=f"{value:%H:%M}")


def order_title(order: OrderChoice) -> str:
    """A button title: "EP-100123 · Atorvastatin · shipped"."""
    items = ", ".join(order.item_names) or _say("tracking.order_without_items")
    return _say(
        "tracking.order_button",
        order_number=order.order_number,
        items=items,
        status=order_status_words(order.status),
    )


def delayed_eta(answer: TrackingAnswer) -> str:
    eta = answer.delayed_eta
    return day(eta) if eta else _say("tracking.eta_unknown")


def status_text(answer: TrackingAnswer) -> str:
    """The status answer: what, where it is, when it arrives, and what to expect at the door."""
    order = answer.order
    if order is None:
        raise ValueError("a status text needs the order")
    lines = [
        _say(
            "tracking.status.headline",
            order_number=order.order_number,
            items=", ".join(order.items),
            status=order_status_words(order.status),
        ),
        _say(
            "tracking.status.history",
            steps=" → ".join(
                _say(
                    "tracking.status.step",
                    status=order_status_words(step.status),
                    moment=moment(step.occurred_at),
                )
                for step in order.history
            ),
        ),
    ]
    shipment = order.shipment
    if order.delivery_method is DeliveryMethod.PICKUP or shipment is None:
        return "\n".join(lines)
    live = answer.live
    if live is not None:
        last_scan = ""
        if live.last_scan_place and live.last_scan_time:
            last_scan = _say(
                "tracking.status.last_scan",
                place=live.last_scan_place,
                moment=moment(live.last_scan_time),
            )
        lines.append(
            _say(
                "tracking.status.live",
                carrier=shipment.carrier,
                tracking_number=shipment.tracking_number,
                detail=live.detail or live.status,
                last_scan=last_scan,
            )
        )
        eta = live.estimated_delivery
    else:
        lines.append(
            _say(
                "tracking.status.records",
                status=shipment_status_words(shipment.status),
                carrier=shipment.carrier,
                tracking_number=shipment.tracking_number,
            )
        )
        if answer.carrier_unavailable:
            lines.append(_say("tracking.status.carrier_unavailable"))
        eta = shipment.estimated_delivery
    if shipment.status is not ShipmentStatus.DELIVERED and eta:
        lines.append(_say("tracking.status.eta", day=day(eta)))
    if shipment.signature_required and shipment.status is not ShipmentStatus.DELIVERED:
        lines.append(_say("tracking.status.signature"))
    return "\n".join(lines)
