"""The shape every handler shares: it matches a request, then replies through a Turn."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from ..turn import Turn

ANYTHING = object()


class TurnHandler(AbstractRequestHandler):
    """Matches by request type, intent names and what the skill is expecting."""

    request_type = "IntentRequest"
    intents: tuple[str, ...] = ()
    expecting: object = ANYTHING  # a context name, a tuple of them, or ANYTHING

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        if request.object_type != self.request_type:
            return False
        turn = Turn.of(handler_input)
        if self.intents and turn.intent_name not in self.intents:
            return False
        if self.expecting is ANYTHING:
            return True
        wanted = self.expecting if isinstance(self.expecting, tuple) else (self.expecting,)
        return turn.expecting in wanted

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.reply(Turn.of(handler_input))

    def reply(self, turn: Turn) -> Response:
        raise NotImplementedError
