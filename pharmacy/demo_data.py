"""Deterministic demo data: about 50 customers, 150 prescriptions and 200 orders.

Dates are relative to a reference day (``today``) so that the refill edge cases of the rules
document hold on the day the database is seeded; the same day and seed give the same rows.
The first four customers are fixed personas that the tests and the README refer to.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from pharmacy.database import session_scope
from pharmacy.models import (
    Address,
    Consent,
    ConsentKind,
    Customer,
    DeliveryMethod,
    MedicinePrice,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusEvent,
    Prescriber,
    Prescription,
    PrescriptionStatus,
    Shipment,
    ShipmentStatus,
)

SEED = 20261123
CUSTOMER_COUNT = 50
PRESCRIPTION_COUNT = 150
ORDER_COUNT = 200
CARRIER = "RapidParcel"


@dataclass(frozen=True)
class CatalogueEntry:
    medicine_id: str
    name: str
    strength: str
    directions: str
    days_supply: int
    quantity: int
    price_cents: int
    dea_schedule: str | None = None
    maintenance: bool = True
    specialty: bool = False


CATALOGUE: dict[str, CatalogueEntry] = {
    entry.medicine_id: entry
    for entry in [
        CatalogueEntry(
            "atorvastatin",
            "Atorvastatin",
            "20 mg tablet",
            "Take 1 tablet by mouth once daily",
            30,
            30,
            1200,
        ),
        CatalogueEntry(
            "metformin",
            "Metformin",
            "500 mg tablet",
            "Take 1 tablet by mouth twice daily with meals",
            30,
            60,
            900,
        ),
        CatalogueEntry(
            "lisinopril",
            "Lisinopril",
            "10 mg tablet",
            "Take 1 tablet by mouth once daily",
            90,
            90,
            1500,
        ),
        CatalogueEntry(
            "levothyroxine",
            "Levothyroxine",
            "50 mcg tablet",
            "Take 1 tablet by mouth every morning on an empty stomach",
            30,
            30,
            1100,
        ),
        CatalogueEntry(
            "amlodipine",
            "Amlodipine",
            "5 mg tablet",
            "Take 1 tablet by mouth once daily",
            30,
            30,
            800,
        ),
        CatalogueEntry(
            "losartan",
            "Losartan",
            "50 mg tablet",
            "Take 1 tablet by mouth once daily",
            90,
            90,
            1800,
        ),
        CatalogueEntry(
            "sertraline",
            "Sertraline",
            "50 mg tablet",
            "Take 1 tablet by mouth once daily",
            30,
            30,
            1000,
        ),
        CatalogueEntry(
            "omeprazole",
            "Omeprazole",
            "20 mg capsule",
            "Take 1 capsule by mouth before breakfast",
            30,
            30,
            1300,
        ),
        CatalogueEntry(
            "albuterol",
            "Albuterol HFA inhaler",
            "90 mcg/actuation",
            "Inhale 2 puffs every 4 to 6 hours as needed",
            30,
            1,
            3500,
        ),
        CatalogueEntry(
            "apixaban",
            "Apixaban",
            "5 mg tablet",
            "Take 1 tablet by mouth twice daily",
            30,
            60,
            52000,
        ),
        CatalogueEntry(
            "escitalopram",
            "Escitalopram",
            "10 mg tablet",
            "Take 1 tablet by mouth once daily",
            30,
            30,
            1000,
        ),
        CatalogueEntry(
            "montelukast",
            "Montelukast",
            "10 mg tablet",
            "Take 1 tablet by mouth every evening",
            30,
            30,
            1400,
        ),
        CatalogueEntry(
            "amoxicillin",
            "Amoxicillin",
            "500 mg capsule",
            "Take 1 capsule by mouth three times daily for 10 days",
            10,
            30,
            700,
            maintenance=False,
        ),
        CatalogueEntry(
            "azithromycin",
            "Azithromycin",
            "250 mg tablet",
            "Take 2 tablets on day 1, then 1 tablet daily for 4 days",
            5,
            6,
            900,
            maintenance=False,
        ),
        CatalogueEntry(
            "semaglutide",
            "Semaglutide pen",
            "1 mg/dose",
            "Inject 1 mg under the skin once weekly",
            28,
            1,
            93500,
            specialty=True,
        ),
        CatalogueEntry(
            "oxycodone",
            "Oxycodone",
            "5 mg tablet",
            "Take 1 tablet by mouth every 6 hours as needed for pain",
            7,
            28,
            1900,
            dea_schedule="II",
            maintenance=False,
        ),
        CatalogueEntry(
            "amphetamine_dextroamphetamine",
            "Amphetamine-dextroamphetamine",
            "20 mg tablet",
            "Take 1 tablet by mouth every morning",
            30,
            30,
            4500,
            dea_schedule="II",
        ),
        CatalogueEntry(
            "alprazolam",
            "Alprazolam",
            "0.5 mg tablet",
            "Take 1 tablet by mouth twice daily as needed for anxiety",
            30,
            60,
            1100,
            dea_schedule="IV",
        ),
        CatalogueEntry(
            "zolpidem",
            "Zolpidem",
            "10 mg tablet",
            "Take 1 tablet by mouth at bedtime as needed for sleep",
            30,
            30,
            1300,
            dea_schedule="IV",
        ),
        CatalogueEntry(
            "tramadol",
            "Tramadol",
            "50 mg tablet",
            "Take 1 tablet by mouth every 6 hours as needed for pain",
            15,
            60,
            1200,
            dea_schedule="IV",
            maintenance=False,
        ),
        CatalogueEntry(
            "pregabalin",
            "Pregabalin",
            "75 mg capsule",
            "Take 1 capsule by mouth twice daily",
            30,
            60,
            2600,
            dea_schedule="V",
        ),
    ]
}

FIRST_NAMES = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "Lucas",
    "Mia",
    "Mateo",
    "Harper",
    "Ethan",
    "Amelia",
    "Wei",
    "Priya",
    "Diego",
    "Fatima",
    "Hiroshi",
    "Grace",
    "Samuel",
]
LAST_NAMES = [
    "Smith",
    "Nguyen",
    "Patel",
    "Williams",
    "Brown",
    "Lopez",
    "Kim",
    "Davis",
    "Wilson",
    "Okafor",
    "Martin",
    "Lee",
    "Clark",
    "Rossi",
    "Walker",
    "Young",
    "Allen",
    "Wright",
    "Scott",
    "Hill",
]
STREETS = ["Maple Ave", "Oak St", "Cedar Ln", "Elm Dr", "Pine Rd", "Birch Way", "Willow Ct"]
CITIES = [
    ("Portland", "OR", "972"),
    ("Austin", "TX", "787"),
    ("Denver", "CO", "802"),
    ("Columbus", "OH", "432"),
    ("Raleigh", "NC", "276"),
    ("Madison", "WI", "537"),
]
PRESCRIBERS = [
    ("Dr. Helen Ortiz", "Riverside Family Medicine"),
    ("Dr. Samuel Brooks", "Northgate Internal Medicine"),
    ("Dr. Anika Rao", "Lakeside Psychiatry"),
    ("Dr. Thomas Reed", "Summit Pain and Spine"),
    ("Dr. Mei Lin", "Harbor Pediatrics and Adults"),
]

# The sequence every shipped order passes through; an order's current state cuts it short.
SHIPMENT_PATH = [
    ShipmentStatus.LABEL_CREATED,
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.OUT_FOR_DELIVERY,
    ShipmentStatus.DELIVERED,
]


@dataclass(frozen=True)
class Persona:
    reference: str
    first_name: str
    last_name: str
    date_of_birth: date
    phone: str
    email: str


PERSONAS = [
    Persona(
        "C-1001",
        "Maria",
        "Garcia",
        date(1958, 3, 14),
        "+1-503-555-0101",
        "maria.garcia@example.com",
    ),
    Persona(
        "C-1002", "James", "Chen", date(1975, 11, 2), "+1-512-555-0102", "james.chen@example.com"
    ),
    Persona(
        "C-1003",
        "Aisha",
        "Johnson",
        date(1990, 6, 30),
        "+1-303-555-0103",
        "aisha.johnson@example.com",
    ),
    Persona(
        "C-1004",
        "Robert",
        "Miller",
        date(1949, 1, 22),
        "+1-614-555-0104",
        "robert.miller@example.com",
    ),
]


class _Builder:
    """Adds rows with sequential human-facing numbers; one instance per seeding run."""

    def __init__(self, session: Session, today: date, rng: random.Random):
        self.session = session
        self.today = today
        self.rng = rng
        self.prescribers: list[Prescriber] = []
        self._rx_seq = 1000000
        self._order_seq = 100000
        self._tracking_seq = 4000000000

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def at(self, day: date, hour: int = 10) -> datetime:
        return datetime.combine(day, time(hour=hour))

    def add_prescribers(self) -> None:
        for index, (name, clinic) in enumerate(PRESCRIBERS):
            prescriber = Prescriber(
                name=name, npi=f"19{index:08d}", clinic=clinic, phone=f"+1-800-555-02{index:02d}"
            )
            self.session.add(prescriber)
            self.prescribers.append(prescriber)

    def add_customer(self, persona: Persona) -> Customer:
        city, state, zip_prefix = self.rng.choice(CITIES)
        customer = Customer(
            reference=persona.reference,
            first_name=persona.first_name,
            last_name=persona.last_name,
            date_of_birth=persona.date_of_birth,
            phone=persona.phone,
            email=persona.email,
            insurance_member_id=f"EVG{self.rng.randrange(10**8):08d}",
            created_at=self.at(self.days_ago(400)),
        )
        customer.addresses.append(
            Address(
                label="Home",
                line1=f"{self.rng.randrange(100, 9999)} {self.rng.choice(STREETS)}",
                city=city,
                state=state,
                postal_code=f"{zip_prefix}{self.rng.randrange(10, 99)}",
                is_default=True,
            )
        )
        if self.rng.random() < 0.3:
            customer.addresses.append(
                Address(
                    label="Work",
                    line1=f"{self.rng.randrange(1, 500)} Commerce Blvd",
                    line2=f"Suite {self.rng.randrange(100, 900)}",
                    city=city,
                    state=state,
                    postal_code=f"{zip_prefix}{self.rng.randrange(10, 99)}",
                )
            )
        self.session.add(customer)
        return customer

    def add_prescription(
        self,
        customer: Customer,
        medicine_id: str,
        *,
        written_days_ago: int,
        last_fill_days_ago: int | None,
        refills_authorized: int,
        refills_used: int,
        status: PrescriptionStatus = PrescriptionStatus.ACTIVE,
        days_supply: int | None = None,
    ) -> Prescription:
        entry = CATALOGUE[medicine_id]
        supply = days_supply or entry.days_supply
        self._rx_seq += 1
        prescription = Prescription(
            rx_number=f"RX{self._rx_seq}",
            customer=customer,
            prescriber=self.rng.choice(self.prescribers),
            medicine_id=entry.medicine_id,
            medicine_name=entry.name,
            strength=entry.strength,
            directions=entry.directions,
            quantity=entry.quantity * max(supply // entry.days_supply, 1),
            days_supply=supply,
            refills_authorized=refills_authorized,
            refills_used=refills_used,
            date_written=self.days_ago(written_days_ago),
            dea_schedule=entry.dea_schedule,
            last_fill_date=None
            if last_fill_days_ago is None
            else self.days_ago(last_fill_days_ago),
            status=status,
            is_maintenance=entry.maintenance,
            is_specialty=entry.specialty,
        )
        self.session.add(prescription)
        return prescription

    def add_order(
        self,
        customer: Customer,
        prescriptions: Sequence[Prescription],
        status: OrderStatus,
        *,
        placed_days_ago: int,
        shipment_status: ShipmentStatus | None = None,
    ) -> Order:
        self._order_seq += 1
        method = (
            DeliveryMethod.PICKUP
            if status in (OrderStatus.READY_FOR_PICKUP, OrderStatus.PICKED_UP)
            else DeliveryMethod.SHIP
        )
        placed = self.at(self.days_ago(placed_days_ago), hour=9 + self._order_seq % 8)
        order = Order(
            order_number=f"EP-{self._order_seq}",
            customer=customer,
            status=status,
            delivery_method=method,
            address=customer.addresses[0] if method is DeliveryMethod.SHIP else None,
            placed_at=placed,
        )
        for prescription in prescriptions:
            entry = CATALOGUE[prescription.medicine_id]
            order.items.append(
                OrderItem(
                    prescription=prescription,
                    description=f"{prescription.medicine_name} {prescription.strength}",
                    quantity=prescription.quantity,
                    price_cents=entry.price_cents,
                )
            )
        order.total_cents = sum(item.price_cents or 0 for item in order.items)
        for step, step_status in enumerate(self._order_path(status)):
            order.history.append(
                OrderStatusEvent(status=step_status, occurred_at=placed + timedelta(hours=6 * step))
            )
        if shipment_status is not None:
            order.shipment = self._shipment(order, prescriptions, shipment_status, placed)
        self.session.add(order)
        return order

    @staticmethod
    def _order_path(status: OrderStatus) -> list[OrderStatus]:
        paths = {
            OrderStatus.RECEIVED: [OrderStatus.RECEIVED],
            OrderStatus.PROCESSING: [OrderStatus.RECEIVED, OrderStatus.PROCESSING],
            OrderStatus.AWAITING_PRESCRIBER: [
                OrderStatus.RECEIVED,
                OrderStatus.AWAITING_PRESCRIBER,
            ],
            OrderStatus.READY_FOR_PICKUP: [
                OrderStatus.RECEIVED,
                OrderStatus.PROCESSING,
                OrderStatus.READY_FOR_PICKUP,
            ],
            OrderStatus.PICKED_UP: [
                OrderStatus.RECEIVED,
                OrderStatus.PROCESSING,
                OrderStatus.READY_FOR_PICKUP,
                OrderStatus.PICKED_UP,
            ],
            OrderStatus.SHIPPED: [
                OrderStatus.RECEIVED,
                OrderStatus.PROCESSING,
                OrderStatus.SHIPPED,
            ],
            OrderStatus.DELIVERED: [
                OrderStatus.RECEIVED,
                OrderStatus.PROCESSING,
                OrderStatus.SHIPPED,
                OrderStatus.DELIVERED,
            ],
            OrderStatus.CANCELLED: [OrderStatus.RECEIVED, OrderStatus.CANCELLED],
        }
        return paths[status]

    def _shipment(
        self,
        order: Order,
        prescriptions: Sequence[Prescription],
        status: ShipmentStatus,
        placed: datetime,
    ) -> Shipment:
        self._tracking_seq += 7
        shipped_at = placed + timedelta(hours=12)
        eta = (shipped_at + timedelta(days=3)).date()
        if status is ShipmentStatus.EXCEPTION:
            eta = max(eta, self.today) + timedelta(days=2)
        return Shipment(
            carrier=CARRIER,
            tracking_number=f"RP{self._tracking_seq}",
            status=status,
            signature_required=any(p.is_controlled for p in prescriptions),
            shipped_at=shipped_at,
            estimated_delivery=eta,
            delivered_at=(shipped_at + timedelta(days=2))
            if status is ShipmentStatus.DELIVERED
            else None,
        )


def _add_prices(session: Session) -> None:
    """The price list the refill code reads (the catalogue itself stays demo data)."""
    session.add_all(
        MedicinePrice(medicine_id=entry.medicine_id, price_cents=entry.price_cents)
        for entry in CATALOGUE.values()
    )


def _add_personas(builder: _Builder) -> None:
    maria, james, aisha, robert = (builder.add_customer(persona) for persona in PERSONAS)
    if len(robert.addresses) == 1:  # the address-change persona needs a second address
        home = robert.addresses[0]
        robert.addresses.append(
            Address(
                label="Work",
                line1="77 Commerce Blvd",
                line2="Suite 210",
                city=home.city,
                state=home.state,
                postal_code=home.postal_code,
            )
        )
    builder.session.add(
        Consent(
            customer=maria,
            kind=ConsentKind.REFILL_REMINDERS,
            granted_at=builder.at(builder.days_ago(200)),
            source="web",
        )
    )
    # Refill edge cases of rules R1-R7, one prescription each.
    due_today = builder.add_prescription(
        maria,
        "atorvastatin",
        written_days_ago=120,
        last_fill_days_ago=23,
        refills_authorized=11,
        refills_used=3,
    )
    builder.add_prescription(
        maria,
        "metformin",
        written_days_ago=120,
        last_fill_days_ago=22,
        refills_authorized=11,
        refills_used=3,
    )
    ninety_day = builder.add_prescription(
        maria,
        "lisinopril",
        written_days_ago=200,
        last_fill_days_ago=70,
        refills_authorized=3,
        refills_used=1,
    )
    oxycodone = builder.add_prescription(
        james,
        "oxycodone",
        written_days_ago=10,
        last_fill_days_ago=10,
        refills_authorized=0,
        refills_used=0,
    )
    builder.add_prescription(
        james,
        "alprazolam",
        written_days_ago=150,
        last_fill_days_ago=28,
        refills_authorized=5,
        refills_used=5,
    )
    builder.add_prescription(
        james,
        "zolpidem",
        written_days_ago=190,
        last_fill_days_ago=27,
        refills_authorized=5,
        refills_used=2,
    )
    builder.add_prescription(
        aisha,
        "sertraline",
        written_days_ago=366,
        last_fill_days_ago=30,
        refills_authorized=11,
        refills_used=10,
    )
    builder.add_prescription(
        aisha,
        "amoxicillin",
        written_days_ago=40,
        last_fill_days_ago=40,
        refills_authorized=0,
        refills_used=0,
        status=PrescriptionStatus.ACTIVE,
    )
    levo = builder.add_prescription(
        aisha,
        "levothyroxine",
        written_days_ago=90,
        last_fill_days_ago=29,
        refills_authorized=5,
        refills_used=2,
    )
    amlodipine = builder.add_prescription(
        robert,
        "amlodipine",
        written_days_ago=60,
        last_fill_days_ago=31,
        refills_authorized=5,
        refills_used=1,
    )
    losartan = builder.add_prescription(
        robert,
        "losartan",
        written_days_ago=60,
        last_fill_days_ago=60,
        refills_authorized=3,
        refills_used=0,
    )

    builder.add_order(
        maria,
        [due_today],
        OrderStatus.SHIPPED,
        placed_days_ago=2,
        shipment_status=ShipmentStatus.IN_TRANSIT,
    )
    builder.add_order(
        maria,
        [ninety_day],
        OrderStatus.DELIVERED,
        placed_days_ago=70,
        shipment_status=ShipmentStatus.DELIVERED,
    )
    builder.add_order(
        james,
        [oxycodone],
        OrderStatus.SHIPPED,
        placed_days_ago=1,
        shipment_status=ShipmentStatus.OUT_FOR_DELIVERY,
    )
    builder.add_order(
        aisha,
        [levo],
        OrderStatus.SHIPPED,
        placed_days_ago=6,
        shipment_status=ShipmentStatus.EXCEPTION,
    )
    builder.add_order(
        aisha,
        [levo],
        OrderStatus.SHIPPED,
        placed_days_ago=0,
        shipment_status=ShipmentStatus.LABEL_CREATED,
    )
    for status, days in [
        (OrderStatus.PROCESSING, 1),
        (OrderStatus.AWAITING_PRESCRIBER, 3),
        (OrderStatus.READY_FOR_PICKUP, 2),
        (OrderStatus.CANCELLED, 20),
        (OrderStatus.PICKED_UP, 45),
        (OrderStatus.RECEIVED, 0),
    ]:
        builder.add_order(
            robert, [amlodipine, losartan][: 1 + days % 2], status, placed_days_ago=days
        )


def _add_random_population(builder: _Builder) -> None:
    rng = builder.rng
    customers = []
    for number in range(len(PERSONAS) + 1, CUSTOMER_COUNT + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        birthday = date(rng.randrange(1940, 2004), rng.randrange(1, 13), rng.randrange(1, 29))
        customers.append(
            builder.add_customer(
                Persona(
                    f"C-{1000 + number}",
                    first,
                    last,
                    birthday,
                    f"+1-555-555-{1000 + number:04d}",
                    f"{first}.{last}.{number}@example.com".lower(),
                )
            )
        )
        if rng.random() < 0.4:
            builder.session.add(
                Consent(
                    customer=customers[-1],
                    kind=ConsentKind.REFILL_REMINDERS,
                    granted_at=builder.at(builder.days_ago(90)),
                    source="app",
                )
            )
    builder.session.flush()

    prescriptions: list[Prescription] = []
    medicines = sorted(CATALOGUE)
    while len(prescriptions) + 11 < PRESCRIPTION_COUNT:
        entry = CATALOGUE[rng.choice(medicines)]
        authorized = 0 if entry.dea_schedule == "II" else rng.randrange(0, 6)
        written = rng.randrange(5, 300)
        prescriptions.append(
            builder.add_prescription(
                rng.choice(customers),
                entry.medicine_id,
                written_days_ago=written,
                last_fill_days_ago=rng.randrange(0, min(written, 60) + 1),
                refills_authorized=authorized,
                refills_used=rng.randrange(0, authorized + 1),
            )
        )

    order_states = (
        [
            (OrderStatus.RECEIVED, None),
            (OrderStatus.PROCESSING, None),
            (OrderStatus.AWAITING_PRESCRIBER, None),
            (OrderStatus.READY_FOR_PICKUP, None),
            (OrderStatus.PICKED_UP, None),
            (OrderStatus.CANCELLED, None),
            (OrderStatus.DELIVERED, ShipmentStatus.DELIVERED),
        ]
        + [(OrderStatus.SHIPPED, status) for status in SHIPMENT_PATH[:-1]]
        + [(OrderStatus.SHIPPED, ShipmentStatus.EXCEPTION)]
    )
    for index in range(ORDER_COUNT - 11):
        status, shipment_status = order_states[index % len(order_states)]
        prescription = rng.choice(prescriptions)
        recent = status not in (OrderStatus.DELIVERED, OrderStatus.PICKED_UP, OrderStatus.CANCELLED)
        builder.add_order(
            prescription.customer,
            [prescription],
            status,
            placed_days_ago=rng.randrange(0, 4) if recent else rng.randrange(5, 120),
            shipment_status=shipment_status,
        )


def seed(database_url: str | None = None, *, today: date, seed_value: int = SEED) -> None:
    """Fill an empty, migrated database with the demo data for the day ``today``."""
    with session_scope(database_url) as session:
        builder = _Builder(session, today, random.Random(seed_value))
        _add_prices(session)
        builder.add_prescribers()
        _add_personas(builder)
        _add_random_population(builder)
