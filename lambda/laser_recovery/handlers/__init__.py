"""Request handlers, grouped by what the patient is doing, in the order they are tried."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler

from .errors import CatchAllHandler, StoreErrorHandler
from .forget import ForgetConfirmedHandler, ForgetDeclinedHandler, ForgetHandler
from .planned import (
    CalledOffHandler,
    PlannedHadHandler,
    PlannedNotHadHandler,
    StillToComeHandler,
    UpcomingHandler,
)
from .questions import NotCoveredHandler, QuestionHandler, UnsureHandler
from .reading import AftercareHandler, AreasHandler, FactsHandler, ReadMoreHandler, StopReadingHandler
from .reminders import CancelRemindersHandler, PermissionAnsweredHandler, RemindHandler
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
    ChoiceDeclinedHandler,
    ChooseTreatmentHandler,
    ConfirmedHandler,
    DeclinedHandler,
    StrayChoiceHandler,
    TellDateHandler,
)
from .undated import OtherTreatmentHandler, SameTreatmentHandler


def request_handlers() -> list[AbstractRequestHandler]:
    # Answers to what the skill just asked ("yes", "no", "the May 4th one") come before the
    # general handlers; an intent with a meaning of its own never reaches them.
    return [
        LaunchHandler(),
        ConfirmedHandler(),
        DeclinedHandler(),
        SameTreatmentHandler(),
        OtherTreatmentHandler(),
        PlannedHadHandler(),
        PlannedNotHadHandler(),
        StillToComeHandler(),
        CalledOffHandler(),
        ChooseTreatmentHandler(),
        ChoiceDeclinedHandler(),
        ForgetConfirmedHandler(),
        ForgetDeclinedHandler(),
        ReadMoreHandler(),
        StopReadingHandler(),
        QuestionHandler(),
        UnsureHandler(),
        NotCoveredHandler(),
        UpcomingHandler(),
        TellDateHandler(),
        StrayChoiceHandler(),
        ForgetHandler(),
        RemindHandler(),
        CancelRemindersHandler(),
        PermissionAnsweredHandler(),
        FactsHandler(),
        AreasHandler(),
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
