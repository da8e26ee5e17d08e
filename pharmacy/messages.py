"""The message catalogue: every sentence that code (rather than a story) says to a shopper.

Keys are stable ids; a second language is a second table with the same keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Button = tuple[str, str]  # (title, payload)

HELP_BUTTON: Button = ("What can you do?", "/help")
HUMAN_BUTTON: Button = ("Talk to a person", "/request_human")
TRACK_BUTTON: Button = ("Track an order", "/track_order")


@dataclass(frozen=True)
class Message:
    text: str
    buttons: list[Button] = field(default_factory=list)


CATALOGUE: dict[str, dict[str, Message]] = {
    "en": {
        "fallback.default": Message(
            "Sorry, I didn't understand that. Could you put it another way?",
            [HELP_BUTTON, HUMAN_BUTTON],
        ),
        "fallback.empty": Message(
            "Your message looks empty. Type your question and I'll do my best to help."
        ),
        "fallback.too_long": Message(
            "That message is longer than I can read ({max_chars} characters at most). "
            "Could you send the main question in a shorter message?",
            [HUMAN_BUTTON],
        ),
        "service.trouble": Message(
            "Sorry, something went wrong on our side and I couldn't answer that. Please try "
            "again in a moment. In an emergency call 911.",
            [HUMAN_BUTTON],
        ),
        "service.slow": Message(
            "This is taking longer than usual. I'll answer here as soon as I can; you don't need "
            "to send it again. In an emergency call 911.",
        ),
        "service.database_down": Message(
            "Sorry, our systems are having trouble right now, so I can't look that up or change "
            "anything. Please try again in a few minutes.",
            [HUMAN_BUTTON],
        ),
        "service.action_failed": Message(
            "Sorry, something went wrong on our side and I couldn't finish that. Please try again "
            "in a moment, or talk to a person. In an emergency call 911.",
            [HUMAN_BUTTON],
        ),
        # chat access (said by the channel, before the assistant reads the message)
        "access.refused": Message(
            "This chat can't continue: it could not be confirmed as yours. Please reload the page "
            "to start a new chat. In an emergency call 911."
        ),
        "access.ended": Message(
            "This chat has ended. Please reload the page to start a new one. In an emergency "
            "call 911."
        ),
        "access.slow_down": Message(
            "You're sending messages faster than I can answer. Please wait a moment and try "
            "again. In an emergency call 911."
        ),
        "access.too_long": Message(
            "That message is far longer than I can read ({max_chars} characters at most). Please "
            "send the main question in a shorter message. In an emergency call 911."
        ),
        # identity
        "identity.ask_dob": Message(
            "To keep your health information private, I need to check who you are. What's your "
            "date of birth? (for example 07/04/1976)"
        ),
        "identity.ask_factor": Message(
            "Thanks. Now one more detail from your account: an order number (like EP-100123), an "
            "Rx number (like RX1000123), or the phone number on file."
        ),
        "identity.token_invalid": Message(
            "Your sign-in could not be confirmed (it may have expired), so I'll check who you are "
            "another way. You can also sign in again on the website or in the app."
        ),
        "identity.dob_unreadable": Message(
            "I couldn't read that as a date. Please type your date of birth like 07/04/1976."
        ),
        "identity.factor_unreadable": Message(
            "I couldn't find an order number, Rx number or phone number in that. An order number "
            "looks like EP-100123, an Rx number like RX1000123."
        ),
        "identity.mismatch": Message(
            "Those details don't match our records. Let's try again. Attempts left: {remaining}."
        ),
        "identity.verified": Message("Thank you, you're verified for this chat."),
        "identity.expired": Message(
            "For your privacy, verification lasts {minutes} minutes, so I need to check who you "
            "are again."
        ),
        "identity.still_locked": Message(
            "For your security, verification for this account is paused for {minutes} more "
            "minutes. A member of our team can help you now.",
            [HUMAN_BUTTON],
        ),
        "identity.locked": Message(
            "For your security I can't try verification again for {minutes} minutes. A member of "
            "our team can help you now.",
            [HUMAN_BUTTON],
        ),
        # tracking
        "tracking.no_orders": Message("I can't see any recent orders on your account."),
        "tracking.pick_order": Message("Which order would you like to check?"),
        "tracking.not_found": Message(
            "I couldn't find order {order_number} on your account. Please check the number, or "
            "pick one of your recent orders.",
            [TRACK_BUTTON, HUMAN_BUTTON],
        ),
        "tracking.status": Message("{text}"),
        # the lines of tracking.status's text (pharmacy/tracking/text.py puts them together)
        "tracking.status.headline": Message("Order {order_number} ({items}) is {status}."),
        "tracking.status.history": Message("So far: {steps}"),
        "tracking.status.step": Message("{status} {moment}"),
        "tracking.status.live": Message(
            "Live tracking ({carrier} {tracking_number}): {detail}{last_scan}."
        ),
        "tracking.status.last_scan": Message("; last scan {place}, {moment}"),
        "tracking.status.records": Message(
            "Our records say: {status} ({carrier} {tracking_number})."
        ),
        "tracking.status.carrier_unavailable": Message(
            "Live tracking from the carrier is unavailable right now; please try again later."
        ),
        "tracking.status.eta": Message("Expected delivery: {day}."),
        "tracking.status.signature": Message(
            "This parcel contains a controlled medicine: someone aged 18 or over must sign for it "
            "and show ID at the door."
        ),
        "tracking.order_button": Message("{order_number} · {items} · {status}"),
        "tracking.order_without_items": Message("order"),
        "tracking.eta_unknown": Message("not known yet"),
        "tracking.day": Message("{weekday}, {month} {day}"),
        "tracking.moment": Message("{month} {day} at {time}"),
        "order_status.received": Message("received"),
        "order_status.processing": Message("being prepared by the pharmacy"),
        "order_status.awaiting_prescriber": Message("waiting for your prescriber to confirm"),
        "order_status.ready_for_pickup": Message("ready for pickup"),
        "order_status.shipped": Message("shipped"),
        "order_status.delivered": Message("delivered"),
        "order_status.picked_up": Message("picked up"),
        "order_status.cancelled": Message("cancelled"),
        "shipment_status.label_created": Message(
            "label created, waiting for the carrier to pick it up"
        ),
        "shipment_status.in_transit": Message("in transit"),
        "shipment_status.out_for_delivery": Message("out for delivery today"),
        "shipment_status.delivered": Message("delivered"),
        "shipment_status.exception": Message("delayed"),
        "tracking.delayed": Message(
            "I'm sorry your parcel is running late. The carrier's new estimate is {eta}. If you "
            "need your medicine sooner, a pharmacist can help arrange something.",
            [HUMAN_BUTTON],
        ),
        "delivery_problem.handed_off": Message(
            "I'm sorry about this. I've passed order {order_number} to our customer-care team with "
            "the details; you're number {position} in the queue (about {minutes} minutes). They "
            "will help you here in this chat."
        ),
        "delivery_problem.pick_order": Message("Which order is the problem with?"),
        "address.pick_order": Message("Which order should go to a different address?"),
        "address.already_shipped": Message(
            "Order {order_number} has already left our pharmacy ({status}), so its address can't "
            "be changed any more. If it can't be delivered, the carrier returns it to us.",
            [HUMAN_BUTTON],
        ),
        "address.pick_address": Message("Where should order {order_number} go?"),
        "address.only_one": Message(
            "You have only one saved address. Add another on the website or in the app, or ask our "
            "team to help.",
            [HUMAN_BUTTON],
        ),
        "address.confirm": Message(
            "Send order {order_number} to your {label} address ({city})?",
            [("Yes, change it", "/affirm"), ("No, keep it", "/deny")],
        ),
        "address.changed": Message(
            "Done: order {order_number} will go to your {label} address ({city})."
        ),
        "address.unknown_choice": Message(
            "I couldn't tell which address you meant; please pick one of the buttons."
        ),
        "handoff.queued": Message(
            "I've asked a member of our team to join this chat. You're number {position} in the "
            "queue (about {minutes} minutes). You can keep typing: they will see everything."
        ),
        "handoff.limited": Message(
            "You've asked for a person several times in the last hour, so I can't open another "
            "request just now; our team can see the earlier ones. Please try again later. If "
            "this is an emergency, tell me what is happening."
        ),
        "handoff.closed": Message(
            "Our pharmacy team is offline right now; they're back {when}. You can leave a message "
            "and they'll reply here when they're back, or ask them to call you.",
            [("Leave a message", "/leave_message"), ("Call me back", "/request_callback")],
        ),
        "handoff.type_your_message": Message(
            "Please type your message for the pharmacy team (no need to include your date of birth)."
        ),
        "handoff.message_left": Message(
            "Thanks, your message is with our team. They'll reply in this chat {when}."
        ),
        "handoff.callback_verified": Message(
            "Done: our team will call you on the phone number on your account, starting {when}."
        ),
        "handoff.callback_unverified": Message(
            "Done: our team will call you back starting {when}. So that they can find your "
            "account, they'll first confirm who you are on the call."
        ),
        "handoff.back_to_bot": Message(
            "Our team member has left the chat, so you're back with the assistant. Anything else "
            "I can help with?"
        ),
        "handoff.rate": Message(
            "You're back with the assistant. Is there anything else I can help with? And how "
            "would you rate the help you just got, from 1 (poor) to 5 (excellent)?"
        ),
        "handoff.thanks_for_rating": Message("Thank you for your feedback!"),
        "handoff.low_confidence": Message(
            "Sorry, I'm still not getting it. I've asked a member of our team to join this chat: "
            "you're number {position} in the queue (about {minutes} minutes)."
        ),
        # refills
        "refill.no_prescriptions": Message(
            "I can't see any active prescriptions on your account. If your prescriber sent a new "
            "one, it can take a few hours to appear.",
            [HUMAN_BUTTON],
        ),
        "refill.pick": Message(
            "Which prescription would you like to refill? Tap one below, or type "
            "its name or Rx number."
        ),
        "refill.pick_unclear": Message("I couldn't tell which prescription you mean."),
        "refill.not_yours": Message("I can't find {rx} among your active prescriptions."),
        "refill.which_of_class": Message(
            "More than one of your prescriptions fits that: {names}. Which one would you like?"
        ),
        "refill.still_unclear": Message(
            "Sorry, I still can't follow. Tap one of the choices below, or talk to a person on "
            "our team.",
            [HUMAN_BUTTON],
        ),
        "refill.set_aside": Message(
            'I\'ve put your refill aside; nothing was ordered. Say "refill" whenever you want to '
            "pick it up again."
        ),
        "refill.kept_choice": Message("I've kept your earlier choice: {names}."),
        "refill.no_longer_active": Message(
            "Your prescription list changed while we were talking, so let's choose again."
        ),
        "refill.not_now": Message("{name}: {explanation}"),
        "refill.already_ordered": Message(
            "{name}: this refill is already ordered (order {order_number}). Nothing more to do."
        ),
        "refill.can_refill": Message("I can refill {names}."),
        "refill.choose_delivery": Message("How would you like to get it?"),
        "refill.choose_delivery_several": Message("How would you like to get them?"),
        "refill.delivery_unclear": Message(
            "Sorry, I didn't catch how you'd like to get it. Please pick one of these:"
        ),
        "refill.confirm": Message(
            "Please check:\n{summary}\nShall I place the order?",
            [
                ("Yes, place the order", "/affirm"),
                ("Change delivery", '/change_answer{"refill_field":"delivery"}'),
                ("Change medicines", '/change_answer{"refill_field":"prescriptions"}'),
                ("Cancel", "/deny"),
            ],
        ),
        "refill.confirm_unclear": Message(
            "Please tell me yes to place the order, or what to change."
        ),
        "refill.nothing_to_confirm": Message(
            'There\'s no refill waiting for confirmation. Say "refill" to start one.'
        ),
        "refill.cancelled": Message(
            "OK, I haven't placed anything. Your prescriptions are unchanged."
        ),
        "refill.submitted": Message(
            "Done: your refill of {rx} is order {order_number}. I'll keep you posted here."
        ),
        "refill.already_submitted": Message(
            "Your refill of {rx} was already ordered: order {order_number}. Nothing new was placed."
        ),
        "refill.refused_now": Message("{rx} can't be refilled right now: {explanation}"),
        "refill.not_placed": Message(
            "I couldn't place the refill of {rx}: it's no longer on your active prescriptions, or "
            "the delivery address changed. Nothing was ordered for it.",
            [HUMAN_BUTTON],
        ),
        "refill.system_down": Message(
            "Our order system isn't answering right now, so I couldn't place {what}. Nothing was "
            "charged. Please try again in a few minutes, or talk to a person.",
            [HUMAN_BUTTON],
        ),
        "refill.reminder": Message(
            "It's time to reorder one of your prescriptions. Tap below to refill it in a minute.",
        ),
        "refill.reminders": Message(
            "It's time to reorder {count} of your prescriptions. Tap below to refill them in a "
            "minute.",
        ),
        "reminders.on": Message(
            "Refill reminders are on. I'll message you here a few days before a prescription is "
            'due, without naming the medicine in the notification. Say "stop reminders" at any time.'
        ),
        "reminders.off": Message("Refill reminders are off. You won't get any more from us."),
        # medicines
        "medicine.which": Message(
            "Which medicine are you asking about? You can type its name as it is on the label, "
            "brand or generic."
        ),
        "medicine.assumed": Message('(I took "{typed}" to mean {name}.)'),
        # emergencies (pharmacy rules, section 3): said before anything else, in any state
        "emergency.poisoning": Message(
            "If someone may have taken too much medicine or swallowed something harmful, call "
            "Poison Help now at 1-800-222-1222 (free, any time). If the person is unconscious, not "
            "breathing or having a seizure, call 911 right away."
        ),
        "emergency.self_harm": Message(
            "I'm really sorry you're going through this. Please call or text 988 now to reach the "
            "988 Suicide & Crisis Lifeline, any time, day or night. If you are in immediate "
            "danger, call 911."
        ),
        "emergency.medical": Message(
            "This could be serious: call 911 or go to the nearest emergency room now. Don't wait "
            "for a reply here."
        ),
        "emergency.general": Message(
            "If this is an emergency, call 911 now. For a possible overdose or poisoning call "
            "Poison Help at 1-800-222-1222; if you're thinking about harming yourself, call or "
            "text 988."
        ),
        "emergency.flagged": Message(
            "I've marked this chat as urgent and asked a pharmacist to join you here as soon as "
            "possible."
        ),
        "emergency.flagged_closed": Message(
            "I've marked this chat as urgent for our pharmacists, who are back at the opening of "
            "the desk. Please don't wait for them: use the numbers above now."
        ),
    }
}


def render(key: str, language: str = "en", **values: object) -> Message:
    """The message ``key`` with its placeholders filled in; KeyError for an unknown key."""
    template = CATALOGUE[language][key]
    return Message(template.text.format(**values), list(template.buttons))
