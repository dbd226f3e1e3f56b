"""The shape every handler shares: it matches a request, then replies through a Turn."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from ..turn import Turn


class TurnHandler(AbstractRequestHandler):
    """Matches by request type, intent names and what the skill asked in the turn before.

    `answers` names the expectations (conversation.py) a handler answers; a handler with
    none set answers whatever was asked, or nothing.
    """

    request_type = "IntentRequest"
    intents: tuple[str, ...] = ()
    answers: tuple[type, ...] = ()

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        if request.object_type != self.request_type:
            return False
        turn = Turn.of(handler_input)
        if self.intents and turn.intent_name not in self.intents:
            return False
        return not self.answers or isinstance(turn.state.offered, self.answers)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.reply(Turn.of(handler_input))

    def reply(self, turn: Turn) -> Response:
        raise NotImplementedError
