"""Request handlers, grouped by what the patient is doing, in the order they are tried."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler

from .errors import CatchAllHandler, StoreErrorHandler
from .questions import DayForQuestionHandler, QuestionHandler
from .reading import AftercareHandler, FactsHandler, ReadMoreHandler, StopReadingHandler
from .session import (
    FallbackHandler,
    HelpHandler,
    HomeHandler,
    LaunchHandler,
    RepeatHandler,
    SessionEndedHandler,
    StopHandler,
    UnhandledHandler,
)
from .treatment import (
    ForgetConfirmedHandler,
    ForgetDeclinedHandler,
    ForgetHandler,
    RecordTreatmentHandler,
)


def request_handlers() -> list[AbstractRequestHandler]:
    # Handlers that depend on what the skill is expecting come before the general ones.
    return [
        LaunchHandler(),
        DayForQuestionHandler(),
        ForgetConfirmedHandler(),
        ForgetDeclinedHandler(),
        ReadMoreHandler(),
        StopReadingHandler(),
        QuestionHandler(),
        RecordTreatmentHandler(),
        ForgetHandler(),
        FactsHandler(),
        AftercareHandler(),
        HelpHandler(),
        HomeHandler(),
        StopHandler(),
        RepeatHandler(),
        FallbackHandler(),
        SessionEndedHandler(),
        UnhandledHandler(),
    ]


def exception_handlers() -> list[AbstractExceptionHandler]:
    return [StoreErrorHandler(), CatchAllHandler()]
