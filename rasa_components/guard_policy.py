"""A policy that wins over rules, forms and learned dialogue in three situations:

1. an emergency message: ``action_emergency`` at once, in any state (pharmacy rules, section 3);
2. a person has taken over (slot ``handoff_active``): the shopper's message is relayed to them and
   the bot stays silent;
3. the shopper was asked to leave a message for the team (slot ``awaiting_offline_message``).
After its action, and after the fallback, it predicts ``action_listen``. Otherwise it abstains.

It also marks where each of the shopper's messages begins, for the count of unclear answers in a
row (actions/unclear_replies.py): the count so far becomes the count before this message, which
starts at none. Rasa applies a policy's ``events`` whichever policy wins, and drops them with a
rejected action, so they are given again until an action has run.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

EMERGENCY_INTENT = "emergency"
EMERGENCY_ACTION = "action_emergency"
RELAY_ACTION = "action_relay_to_agent"
OFFLINE_MESSAGE_ACTION = "action_store_offline_message"
OWN_ACTIONS = {EMERGENCY_ACTION, RELAY_ACTION, OFFLINE_MESSAGE_ACTION}
# After these the bot has said all it can; predicting anything but listening would loop.
LISTEN_AFTER = OWN_ACTIONS | {"action_default_fallback"}
# Slots of actions/unclear_replies.py (the Rasa server does not import the actions package).
UNCLEAR_REPLIES = "unclear_replies"
UNCLEAR_BEFORE = "unclear_replies_before"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class ConversationGuardPolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Above RulePolicy (6): on equal confidence the higher priority wins.
        return {"priority": 7}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        featurizer: Any | None = None,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        action = self._next_action(tracker)
        probabilities = self._default_predictions(domain)
        if action is not None:
            probabilities[domain.index_for_action(action)] = 1.0
        events = self.new_message_events(tracker) if self._user_just_spoke(tracker) else []
        # Marked "no user prediction" so that it also overrules a form's happy path.
        return self._prediction(
            probabilities, events=events, is_no_user_prediction=action is not None
        )

    @staticmethod
    def new_message_events(tracker: DialogueStateTracker) -> list[Event]:
        """Before the first action on a new message: the unclear answers in a row so far become
        those before it; none yet for it. Nothing when there is nothing to move (most turns)."""
        so_far = tracker.get_slot(UNCLEAR_REPLIES) or 0
        if not so_far and not tracker.get_slot(UNCLEAR_BEFORE):
            return []
        return [SlotSet(UNCLEAR_BEFORE, so_far), SlotSet(UNCLEAR_REPLIES, 0)]

    @staticmethod
    def _user_just_spoke(tracker: DialogueStateTracker) -> bool:
        # Not "latest action is action_listen": an action run through the HTTP API (the desk's
        # deliveries) is followed directly by the shopper's next message.
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                return True
            if isinstance(event, ActionExecuted):
                return False
        return False

    def _next_action(self, tracker: DialogueStateTracker) -> str | None:
        if tracker.latest_action_name in LISTEN_AFTER and not self._user_just_spoke(tracker):
            return ACTION_LISTEN_NAME
        if not self._user_just_spoke(tracker) or tracker.latest_message is None:
            return None
        if tracker.latest_message.intent.get("name") == EMERGENCY_INTENT:
            return EMERGENCY_ACTION
        if tracker.get_slot("handoff_active"):
            return RELAY_ACTION
        if tracker.get_slot("awaiting_offline_message"):
            return OFFLINE_MESSAGE_ACTION
        return None

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ConversationGuardPolicy:
        return cls(config, model_storage, resource, execution_context)
