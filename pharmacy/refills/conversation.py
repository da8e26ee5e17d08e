"""Reading a shopper's reply in the refill conversation, without Rasa.

The conversation asks three things in turn (``Step``): which prescriptions, how to deliver, and
whether to place the order. ``interpret`` turns one reply into a ``FormAnswer``: what it answers,
what it changes ("ship it to work instead" at the summary), a cancel, a reply that was meant as an
answer but could not be read, or nothing at all (a question for another skill).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from pharmacy import repositories
from pharmacy.identity import RX_NUMBER
from pharmacy.knowledge.loader import knowledge_base
from pharmacy.models import Address, Prescription
from pharmacy.refills.class_words import pick_by_class_words
from pharmacy.refills.policy import RefillDecision, RefillPolicyConfig, decide_refill
from pharmacy.refills.service import (
    live_order_number,
    match_prescription,
    refill_idempotency_key,
    summary_line,
)

PICKUP = "pickup"
# "All of them", "all my meds", "everything", "both": the whole list, not "I'm all out" or "every day".
REFILL_ALL = re.compile(
    r"\b(all|each|every|both)\s+(of\s+)?(them|those|these|one)\b"
    r"|\b(all|each|every)\s+(of\s+)?(my\s+|the\s+|our\s+)?(\w+\s+)?"
    r"(prescriptions|medicines|medications|meds|refills|rxs?|ones)\b"
    r"|\b(refill|reorder)\s+(them\s+)?(all|both|everything)\b|\beverything\b"
    r"|^\W*(all|both)\W*$",
    re.IGNORECASE,
)
PICKUP_WORDS = re.compile(
    r"\b(pick\s?-?up|pick (it|them) up|collect|in store|at (a|the) store|"
    r"partner store)\b",
    re.IGNORECASE,
)
SHIP_WORDS = re.compile(r"\b(deliver\w*|ship\w*|send|mail\w*)\b", re.IGNORECASE)
DELIVERY_WORDS = re.compile(
    r"\b(deliver\w*|ship\w*|send|address|pick\s?-?up|store|mail)\b", re.IGNORECASE
)
PRESCRIPTION_WORDS = re.compile(
    r"\b(medicines?|medications?|meds|prescriptions?|rx|pills?|drugs?)\b", re.IGNORECASE
)
# Words of a question about a medicine rather than a choice of one ("metformin side effects?").
QUESTION_WORDS = re.compile(
    r"\?|\b(what|how|why|when|which|can|could|is|are|does|do|side|effects?|"
    r"dose|dosage|safe|interact\w*|with|alcohol|pregnan\w*|used)\b",
    re.IGNORECASE,
)
# Intents a shopper uses to answer the refill questions. Anything else (a FAQ, a medicine
# question, tracking...) is left to the other skills, whatever words it contains: "how long does
# shipping take" names no delivery and "is lisinopril safe with ibuprofen" chooses no medicine.
ANSWER_INTENTS = frozenset(
    {
        "request_refill",
        "inform",
        "choose_delivery",
        "affirm",
        "deny",
        "change_answer",
        "change_address",
        "choose_address",
        "out_of_scope",
        "nlu_fallback",
    }
)
# Intents whose words may pick other prescriptions once the list was chosen ("the metformin instead").
RENAMING_INTENTS = frozenset({"request_refill", "inform", "change_answer", "deny"})
MEDICINE_QUESTION_INTENTS = frozenset({"ask_medicine_info", "faq"})
CANCEL_INTENTS = frozenset({"deny", "stop"})
CHANGE_INTENTS = frozenset({"change_answer", "change_address", "choose_address"})


class Step(str, enum.Enum):
    """The form's required slots, in the order they are asked."""

    PRESCRIPTIONS = "refill_rx_list"
    DELIVERY = "refill_delivery"
    CONFIRMATION = "refill_confirmed"


class Change(str, enum.Enum):
    PRESCRIPTIONS = "prescriptions"
    DELIVERY = "delivery"
    UNSPECIFIED = "unspecified"  # "I want to change something": show the summary's choices again


@dataclass(frozen=True)
class Reply:
    """One shopper message as NLU read it."""

    text: str
    intent: str | None = None
    entities: Mapping[str, Any] | None = None  # entity name -> first value

    def entity(self, name: str) -> str | None:
        value = (self.entities or {}).get(name)
        return str(value) if value not in (None, "") else None


@dataclass(frozen=True)
class FormAnswer:
    rx_numbers: tuple[str, ...] | None = None  # prescriptions named (all of them for "all")
    unknown_rx: str | None = None  # a typed Rx number that is not one of theirs
    # Prescriptions that class words ("my blood pressure pills") fit when more than one does.
    several: tuple[str, ...] | None = None
    delivery: str | None = None  # PICKUP or the id of one of their addresses, as text
    confirmed: bool = False
    cancelled: bool = False
    change: Change | None = None
    unclear: bool = False  # meant as an answer to the question, but not understood

    @property
    def is_answer(self) -> bool:
        return self != FormAnswer()


def interpret(
    step: Step,
    reply: Reply,
    prescriptions: Sequence[Prescription],
    addresses: Sequence[Address],
    current_rx: Sequence[str] = (),
    current_delivery: str | None = None,
) -> FormAnswer:
    """What ``reply`` means while the conversation is at ``step``."""
    if step is Step.PRESCRIPTIONS:
        if reply.intent in ANSWER_INTENTS or _just_a_medicine_name(reply):
            named = _named_prescriptions(reply, prescriptions, whole_list_allowed=True)
            if named is not None:
                return named
        if reply.intent in CANCEL_INTENTS:
            return FormAnswer(cancelled=True)
        return FormAnswer(unclear=reply.intent in ANSWER_INTENTS)
    if reply.intent == "stop":
        return FormAnswer(cancelled=True)
    if reply.intent not in ANSWER_INTENTS:
        return FormAnswer()

    # A new delivery or other prescriptions win over a "no": "no, ship it to work instead".
    delivery = match_delivery(addresses, reply)
    if delivery is not None and delivery != current_delivery:
        return FormAnswer(delivery=delivery)
    if reply.intent in RENAMING_INTENTS or reply.entity("rx_number"):
        named = _named_prescriptions(reply, prescriptions, whole_list_allowed=False)
        if named is not None and named.unknown_rx:
            return named
        if named is not None and tuple(named.rx_numbers or ()) != tuple(current_rx):
            return named
    if reply.intent in CANCEL_INTENTS:
        return FormAnswer(cancelled=True)
    if reply.intent in CHANGE_INTENTS:
        return FormAnswer(change=_what_to_change(reply))
    if step is Step.CONFIRMATION and reply.intent == "affirm":
        return FormAnswer(confirmed=True)  # only a yes places the order
    return FormAnswer(unclear=True)


def _just_a_medicine_name(reply: Reply) -> bool:
    """A reply like "metformin" that NLU read as a medicine question, though it answers "which one"."""
    return (
        reply.intent in MEDICINE_QUESTION_INTENTS
        and len(reply.text.split()) <= 3
        and not QUESTION_WORDS.search(reply.text)
    )


def _named_prescriptions(
    reply: Reply, prescriptions: Sequence[Prescription], whole_list_allowed: bool
) -> FormAnswer | None:
    """The prescriptions a reply names by Rx number, medicine name or "all"; None if none."""
    typed_rx = reply.entity("rx_number")
    text = f"{typed_rx} {reply.text}" if typed_rx else reply.text
    typed = {f"RX{m.group(1)}" for m in RX_NUMBER.finditer(text)}
    found = match_prescription(prescriptions, text)
    if found is not None:
        return FormAnswer(rx_numbers=(found.rx_number,))
    if typed:
        return FormAnswer(unknown_rx=sorted(typed)[0])
    by_class = _by_class_words(reply.text, prescriptions)
    if len(by_class) == 1:
        return FormAnswer(rx_numbers=(by_class[0].rx_number,))
    if by_class and _ALL_OF_CLASS.search(reply.text):  # "all my blood pressure pills"
        return FormAnswer(rx_numbers=tuple(p.rx_number for p in by_class))
    if by_class:
        return FormAnswer(several=tuple(p.medicine_name for p in by_class))
    if whole_list_allowed and prescriptions and REFILL_ALL.search(reply.text):
        return FormAnswer(rx_numbers=tuple(p.rx_number for p in prescriptions))
    return None


_ALL_OF_CLASS = re.compile(r"\b(all|both|every|each)\b", re.IGNORECASE)


def _by_class_words(text: str, prescriptions: Sequence[Prescription]) -> list[Prescription]:
    """The prescriptions whose medicine's class the class words in ``text`` name."""
    picked = set(
        pick_by_class_words(text, [rx.medicine_id for rx in prescriptions], knowledge_base())
    )
    return [rx for rx in prescriptions if rx.medicine_id in picked]


def match_delivery(addresses: Sequence[Address], reply: Reply) -> str | None:
    """PICKUP, or the id of the saved address the reply names (button or words); else None."""
    chosen = reply.entity("delivery")
    if chosen is not None:
        if chosen == PICKUP or any(str(a.id) == chosen for a in addresses):
            return chosen
        return None
    if PICKUP_WORDS.search(reply.text):
        return PICKUP
    named = [a for a in addresses if _names_address(reply.text, a.label)]
    if len(named) == 1:
        return str(named[0].id)
    if not named and len(addresses) == 1 and SHIP_WORDS.search(reply.text):
        return str(addresses[0].id)  # "just ship it" when there is one address on file
    return None


def _names_address(text: str, label: str) -> bool:
    """ "to my work address", "ship it home", "Home please"; not "that will work"."""
    name = re.escape(label.strip().lower())
    lowered = text.lower()
    return bool(
        re.search(
            rf"\b(to|at)\s+(my\s+|the\s+|our\s+)?{name}\b"
            rf"|\b(ship|send|deliver|mail)\w*\s+(it\s+|them\s+)?{name}\b"
            rf"|\b{name}\s+address\b",
            lowered,
        )
        or re.fullmatch(rf"\W*(my\s+|the\s+)?{name}(\s+address)?(\s+please)?\W*", lowered)
    )


def _what_to_change(reply: Reply) -> Change:
    field = reply.entity("refill_field")
    if field in (Change.DELIVERY.value, Change.PRESCRIPTIONS.value):
        return Change(field)
    if reply.intent in ("change_address", "choose_address") or DELIVERY_WORDS.search(reply.text):
        return Change.DELIVERY
    if PRESCRIPTION_WORDS.search(reply.text):
        return Change.PRESCRIPTIONS
    return Change.UNSPECIFIED


# ----------------------------------------------------------------------------- what the chat shows


@dataclass(frozen=True)
class RefillItem:
    """One prescription the shopper asked to refill, with today's decision."""

    rx_number: str
    name: str  # medicine and strength
    decision: RefillDecision
    already_ordered: str | None  # order number if this refill was placed already


@dataclass(frozen=True)
class CustomerRefillContext:
    prescriptions: list[Prescription]  # active ones
    addresses: list[Address]


def customer_context(session: Session, customer_reference: str) -> CustomerRefillContext:
    customer = repositories.customer_by_reference(session, customer_reference)
    if customer is None:
        return CustomerRefillContext([], [])
    return CustomerRefillContext(
        repositories.active_prescriptions(session, customer.id), list(customer.addresses)
    )


def assess(
    session: Session,
    customer_reference: str,
    rx_numbers: Sequence[str],
    today: date,
    config: RefillPolicyConfig | None = None,
) -> list[RefillItem]:
    """The policy's decision for each of the customer's active prescriptions in ``rx_numbers``
    (others are left out), and whether this fill was already ordered."""
    config = config or RefillPolicyConfig.from_env()
    wanted = {rx.upper() for rx in rx_numbers}
    items = []
    for rx in customer_context(session, customer_reference).prescriptions:
        if rx.rx_number.upper() not in wanted:
            continue
        ordered = live_order_number(session, refill_idempotency_key(rx))
        items.append(
            RefillItem(
                rx.rx_number,
                f"{rx.medicine_name} {rx.strength}",
                decide_refill(rx, today, config),
                ordered,
            )
        )
    return items


def delivery_label(addresses: Sequence[Address], delivery: str) -> str | None:
    """ "pickup", or the label of the saved address; None if it is not one of theirs."""
    if delivery == PICKUP:
        return PICKUP
    return next((a.label for a in addresses if str(a.id) == str(delivery)), None)


def summary_lines(
    session: Session, customer_reference: str, rx_numbers: Sequence[str], delivery: str, today: date
) -> list[str] | None:
    """One line per refill for the confirmation; None if the choices no longer fit the customer."""
    context = customer_context(session, customer_reference)
    label = delivery_label(context.addresses, delivery)
    by_rx = {p.rx_number: p for p in context.prescriptions}
    if label is None or not rx_numbers or any(rx not in by_rx for rx in rx_numbers):
        return None
    return [
        summary_line(
            by_rx[rx], repositories.medicine_price(session, by_rx[rx].medicine_id), label, today
        )
        for rx in rx_numbers
    ]
