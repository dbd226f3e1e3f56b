"""Wiring: settings, store and handlers into one skill, behind one boundary that Lambda, the
web service and the console all call: raw request JSON in, response JSON out, nothing escapes.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor, AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import Response
from ask_sdk_model.services import ApiClient

from . import budget
from .alexa_api import DeadlineApiClient
from .codec import CODEC
from .config import Settings
from .envelope import InvalidEnvelope, read
from .handlers import exception_handlers, request_handlers
from .handlers.skill_events import SkillDisabledHandler
from .recovery import Protocol
from .speech import speech_for, ssml
from .store import TreatmentStore, open_store
from .turn import TURN, Services, Turn

log = logging.getLogger(__name__)


class EventNotHandled(Exception):
    """A skill event (nobody listening) failed: Alexa retries it when told so."""


class TurnInterceptor(AbstractRequestInterceptor):
    """Gives every handler the same lazily-built view of the request."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def process(self, handler_input: HandlerInput) -> None:
        handler_input.attributes_manager.request_attributes[TURN] = Turn(handler_input, self._services)


class TurnFinisher(AbstractResponseInterceptor):
    """After every reply: the turn's bookkeeping is written and its state kept."""

    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        turn = handler_input.attributes_manager.request_attributes.get(TURN)
        if turn is not None:
            turn.finish()


def _builder(settings: Settings, store: TreatmentStore | None, api_client: ApiClient | None) -> CustomSkillBuilder:
    store = store if store is not None else open_store(settings)
    # Unverified requests (a laptop's service, verification off) may carry any session state:
    # it is signed with a key made for this process. Alexa vouches for it everywhere else.
    state_key = None if settings.verify_requests else _state_key()
    services = Services(store, Protocol.load(), state_key)
    builder = CustomSkillBuilder(api_client=api_client or DeadlineApiClient(settings.alexa_api_hosts))
    builder.add_global_request_interceptor(TurnInterceptor(services))
    builder.add_global_response_interceptor(TurnFinisher())
    builder.add_request_handler(SkillDisabledHandler(store))
    for request_handler in request_handlers():
        builder.add_request_handler(request_handler)
    for exception_handler in exception_handlers():
        builder.add_exception_handler(exception_handler)
    return builder


def _state_key() -> bytes:
    import secrets  # only a laptop's service needs it: kept off Lambda's cold start

    return secrets.token_bytes(32)


class Skill:
    """The skill as Alexa sees it. Built once per process: the handlers keep no request state."""

    def __init__(self, skill: CustomSkill, skill_id: str | None) -> None:
        self._skill = skill
        self._skill_id = skill_id

    def answer(self, event: Any, context: Any = None) -> dict[str, Any]:
        """The response envelope for a request envelope (parsed JSON).

        Raises InvalidEnvelope for anything Alexa could not have sent or that is meant for
        another skill, and EventNotHandled when a skill event failed (so Alexa sends it
        again); any other failure is answered with the spoken apology.
        """
        envelope = read(event)
        if self._skill_id is not None and application_id(event) != self._skill_id:
            raise InvalidEnvelope("request is for a different skill")
        try:
            with budget.turn(_remaining_ms(context)):
                response = self._skill.invoke(request_envelope=envelope, context=context)
            payload = CODEC.serialize(response)
        except Exception as failure:
            log.error("turn failed: %s", where_failed(failure))
            if envelope.request.object_type.startswith("AlexaSkillEvent."):
                raise EventNotHandled("skill event not handled") from None
            return _apology(envelope.request.locale)
        if not isinstance(payload, dict):  # the SDK's serialiser is untyped; never true today
            return _apology(envelope.request.locale)
        return payload

    def __call__(self, event: Any, context: Any) -> dict[str, Any]:
        """The Lambda entry point. A refusal is a response too: Lambda has no status to send."""
        try:
            return self.answer(event, context)
        except InvalidEnvelope as bad:
            log.warning("refused request: %s", bad)
            return _spoken(speech_for(None, Protocol.load()).say("errors.invalid"), end=True)


def _remaining_ms(context: Any) -> int | None:
    """The Lambda context's time left, when there is one (the web service has none)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    try:
        return int(remaining()) if callable(remaining) else None
    except (TypeError, ValueError):
        return None


def application_id(event: dict[str, Any]) -> str | None:
    """The skill id a checked envelope is for: context.System first, as Amazon recommends."""
    for holder in (event["context"]["System"], event.get("session") or {}):
        application = holder.get("application") or {}
        if application.get("applicationId") is not None:
            return str(application["applicationId"])
    return None


def _apology(locale: str | None) -> dict[str, Any]:
    speech = speech_for(locale, Protocol.load())
    return _spoken(speech.say("errors.general"), reprompt=speech.say("errors.reprompt"))


def _spoken(text: str, *, reprompt: str | None = None, end: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {"outputSpeech": {"type": "SSML", "ssml": ssml(text)}, "shouldEndSession": end}
    if reprompt is not None:
        response["reprompt"] = {"outputSpeech": {"type": "SSML", "ssml": ssml(reprompt)}}
    return {"version": "1.0", "response": response}


def where_failed(failure: BaseException) -> str:
    """The type and the place of a failure, never its message: that may quote ids or dates."""
    frames = traceback.extract_tb(failure.__traceback__)
    if not frames:
        return type(failure).__name__
    last = frames[-1]
    return f"{type(failure).__name__} at {last.filename}:{last.lineno} in {last.name}"


def build_skill(settings: Settings, store: TreatmentStore | None = None, api_client: ApiClient | None = None) -> Skill:
    """The skill, for the web service and the console."""
    return Skill(_builder(settings, store, api_client).create(), settings.skill_id)


# The Lambda entry point is the skill itself: a Skill is called with (event, context).
lambda_handler_for = build_skill
