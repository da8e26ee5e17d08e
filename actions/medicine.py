"""Medicine questions: label facts with their source, or a pharmacist when judgement is needed.

The medicine is found in the text by ``pharmacy.knowledge`` (spaCy entity ruler plus fuzzy
matching) here in the action rather than in the NLU pipeline: the knowledge base can change
without retraining the model, and a follow-up ("and side effects?") needs the previous turn's
medicine, which only the tracker knows.
"""

import re
import threading
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import DatabaseGuard, off_loop, say
from actions.handoff import open_handoff
from pharmacy.handoff import HandoffReason
from pharmacy.knowledge import (
    Aspect,
    answer,
    asks_beyond_the_label,
    aspect_missing_text,
    beyond_label_text,
    default_recognizer,
    detect_aspect,
    has_answer,
    knowledge_base,
    pharmacist_only_text,
    unknown_medicine_text,
)
from pharmacy.knowledge.comparison import compare, is_comparison
from pharmacy.knowledge.drug_names import looks_like_medicine_name
from pharmacy.safety.routing import looks_clinical, pharmacist_reason

# Building the recogniser takes seconds (spaCy); start it when the action server loads this module
# so the first medicine question or refill by name does not wait for it.
threading.Thread(target=default_recognizer, name="recogniser-warm-up", daemon=True).start()


def _unknown_name(text: str) -> str | None:
    """A word of ``text`` that looks like a medicine's name, or None: only such a word is echoed."""
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z-]{3,}", text) if looks_like_medicine_name(w)]
    return words[-1] if words else None


def _find(text: str):
    return default_recognizer().find(text)


class ActionAnswerMedicine(DatabaseGuard, Action):
    def name(self) -> str:
        return "action_answer_medicine"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        mentions = await off_loop(_find, text)
        medicines = knowledge_base()
        ids = [m.medicine_id for m in mentions] or (
            [tracker.get_slot("medicine")] if tracker.get_slot("medicine") else []
        )

        reason = pharmacist_reason(text)
        controlled = [i for i in ids if medicines[i].is_controlled]
        if reason or controlled:
            dispatcher.utter_message(text=pharmacist_only_text(reason or "controlled_substance"))
            events = await open_handoff(
                dispatcher, tracker, HandoffReason.PHARMACIST_ONLY, question=text
            )
            return events + ([SlotSet("medicine", ids[-1])] if ids else [])

        if not ids:
            # A medicine we have no facts for, or a health question naming none: a pharmacist
            # answers it, with the question attached.
            name = _unknown_name(text)
            if name:
                dispatcher.utter_message(text=unknown_medicine_text(name))
            elif looks_clinical(text):
                dispatcher.utter_message(text=pharmacist_only_text("health_question"))
            else:
                say(dispatcher, "medicine.which")
                return []
            return await open_handoff(
                dispatcher, tracker, HandoffReason.PHARMACIST_ONLY, question=text
            )

        beyond = asks_beyond_the_label(text, [mention.text for mention in mentions])
        aspect = detect_aspect(text) or Aspect.OVERVIEW
        for mention in mentions:
            if mention.match == "fuzzy":
                say(
                    dispatcher,
                    "medicine.assumed",
                    typed=mention.text,
                    name=medicines[mention.medicine_id].generic_name,
                )
        named = list(dict.fromkeys(ids))  # each medicine once, in the order mentioned
        if len(named) == 2 and is_comparison(text):
            first, second = (medicines[i] for i in named)
            dispatcher.utter_message(text=compare(first, second, text))
            return [SlotSet("medicine", named[-1])]
        answered = [i for i in named if has_answer(medicines[i], aspect)]
        for medicine_id in answered:
            dispatcher.utter_message(text=answer(medicines[medicine_id], aspect))
        # What the label facts we hold do not cover: say so, and a pharmacist answers it.
        missing = [i for i in named if i not in answered]
        for medicine_id in missing:
            dispatcher.utter_message(text=aspect_missing_text(medicines[medicine_id], aspect))
        if beyond:
            dispatcher.utter_message(text=beyond_label_text(medicines[named[-1]]))
        handoff = []
        if missing or beyond:
            handoff = await open_handoff(
                dispatcher, tracker, HandoffReason.PHARMACIST_ONLY, question=text
            )
        return handoff + [SlotSet("medicine", named[-1])]
