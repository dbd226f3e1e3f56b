"""Wiring: settings, store and handlers into one skill, for Lambda and the web service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor, AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import Response
from ask_sdk_model.services import ApiClient

from .alexa_api import DeadlineApiClient
from .config import Settings
from .handlers import exception_handlers, request_handlers
from .handlers.skill_events import SkillDisabledHandler
from .recovery import Protocol
from .store import TreatmentStore, open_store
from .turn import TURN, Services, Turn


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


def _builder(
    settings: Settings, store: TreatmentStore | None, api_client: ApiClient | None
) -> CustomSkillBuilder:
    store = store if store is not None else open_store(settings)
    services = Services(store, Protocol.load())
    builder = CustomSkillBuilder(api_client=api_client or DeadlineApiClient(settings.alexa_api_hosts))
    builder.skill_id = settings.skill_id
    builder.add_global_request_interceptor(TurnInterceptor(services))
    builder.add_global_response_interceptor(TurnFinisher())
    builder.add_request_handler(SkillDisabledHandler(store))
    for request_handler in request_handlers():
        builder.add_request_handler(request_handler)
    for exception_handler in exception_handlers():
        builder.add_exception_handler(exception_handler)
    return builder


def build_skill(
    settings: Settings, store: TreatmentStore | None = None, api_client: ApiClient | None = None
) -> CustomSkill:
    """The skill, for the web service and the console."""
    return _builder(settings, store, api_client).create()


def lambda_handler_for(
    settings: Settings, store: TreatmentStore | None = None, api_client: ApiClient | None = None
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """A Lambda entry point: request envelope JSON in, response envelope JSON out."""
    return _builder(settings, store, api_client).lambda_handler()
