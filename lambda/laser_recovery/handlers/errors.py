"""When something fails, the patient hears an apology and can carry on."""

from __future__ import annotations

import logging
from traceback import format_tb

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from ..recovery import Protocol
from ..speech import speech_for, ssml
from ..store import StoreError
from ..turn import TURN, Turn

log = logging.getLogger(__name__)


def _apologise(handler_input: HandlerInput, key: str) -> Response:
    turn: Turn | None = handler_input.attributes_manager.request_attributes.get(TURN)
    speech = turn.speech if turn else speech_for(None, Protocol.load())
    if turn is not None:
        # A failed turn answers nothing the skill asked: what it was waiting for lapses, as
        # after any other turn, so a later "yes" cannot answer a question from before.
        try:
            turn.finish()
        except Exception as error:  # the apology matters more than the bookkeeping
            log.warning("state not kept after a failure: %s", type(error).__name__)
    builder = handler_input.response_builder
    builder.speak(ssml(speech.say(key))).ask(ssml(speech.say("errors.reprompt")))
    return builder.set_should_end_session(False).response


def _heard(handler_input: HandlerInput) -> bool:
    """Skill events reach no listener: their failures must reach Alexa, which retries them."""
    return not handler_input.request_envelope.request.object_type.startswith("AlexaSkillEvent.")


class StoreErrorHandler(AbstractExceptionHandler):
    """The store did not answer in time: nothing was written, so the patient can retry."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return isinstance(exception, StoreError) and _heard(handler_input)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.warning("store unavailable: %s", exception)
        unsure = getattr(exception, "uncertain", False)  # can_handle took StoreErrors only
        return _apologise(handler_input, "errors.unsure" if unsure else "errors.store")


class CatchAllHandler(AbstractExceptionHandler):
    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return _heard(handler_input)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        # The type and where it was raised, not the message: it may quote health data.
        where = "".join(format_tb(exception.__traceback__))
        log.error("unhandled %s\n%s", type(exception).__name__, where)
        return _apologise(handler_input, "errors.general")
