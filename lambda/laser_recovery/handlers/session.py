"""Opening, help, leaving, and everything that keeps a conversation from dead-ending."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from ..speech import names_a_date, unwrap
from ..turn import Turn
from .base import TurnHandler
from .questions import where_you_are


class LaunchHandler(TurnHandler):
    request_type = "LaunchRequest"

    def reply(self, turn: Turn) -> Response:
        speech = turn.speech
        if turn.notice_due():
            greeting = [speech.say("welcome.first"), turn.give_notice()]
        else:
            greeting = [speech.say("welcome.back")]
        status = where_you_are(turn)
        menu = speech.say("launch.menu") if status else speech.say("welcome.menu")
        return turn.ask(*greeting, *status, menu, reprompt=speech.say("welcome.menu_reprompt"))


class HelpHandler(TurnHandler):
    intents = ("AMAZON.HelpIntent",)

    def reply(self, turn: Turn) -> Response:
        speech = turn.speech
        last = turn.state.last
        if turn.state.offered is not None and last is not None and not _withheld(turn, last.reprompt):
            # Help in the middle of a question: the question is still open, and said again,
            # unless it names a date and the voice may not be the one it was asked of (H6).
            turn.state.keep_offered()
            question = unwrap(last.reprompt)
            return turn.ask(speech.say("help.during"), question, reprompt=question, elicit=last.elicit)
        return turn.ask(speech.say("help.speech"), reprompt=speech.say("help.reprompt"))


class HomeHandler(TurnHandler):
    intents = ("AMAZON.NavigateHomeIntent",)

    def reply(self, turn: Turn) -> Response:
        speech = turn.speech
        return turn.ask(speech.say("welcome.menu"), reprompt=speech.say("welcome.menu_reprompt"))


class StopHandler(TurnHandler):
    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent")

    def reply(self, turn: Turn) -> Response:
        return turn.end(turn.speech.say("goodbye.speech"))


class RepeatHandler(TurnHandler):
    intents = ("AMAZON.RepeatIntent",)

    def reply(self, turn: Turn) -> Response:
        last = turn.state.last
        if last is None:
            phrase = turn.speech.say("repeat.nothing")
            return turn.ask(phrase, reprompt=phrase)
        if (last.rests_on is not None or names_a_date(last.speech)) and turn.shared_with_others:
            # Someone else in the household has dates of their own now: no answer from the
            # shared ones, nor any of their dates, said again.
            return turn.ask(turn.speech.say("shared.unsure"), reprompt=turn.speech.say("welcome.anything_else"))
        record = turn.record if last.rests_on is not None else None
        unchanged = record is None or (
            record.latest == last.rests_on
            and not record.latest_unconfirmed
            and not record.undated
            and record.arrived(turn.latest_today) is None
        )
        if not unchanged:
            # Changed since (on another device, or the day of a treatment told of in advance
            # has come): the old answer may no longer hold.
            phrase = turn.speech.say("repeat.changed")
            return turn.ask(phrase, reprompt=turn.speech.say("welcome.anything_else"))
        turn.state.keep_offered()  # the question said again is still the one waiting
        return turn.repeat(last)


def _withheld(turn: Turn, question: str) -> bool:
    return names_a_date(question) and turn.shared_with_others


class FallbackHandler(TurnHandler):
    """Anything the model could not place, and "yes", "no" or "more" with nothing to answer."""

    intents = (
        "AMAZON.FallbackIntent",
        "AMAZON.YesIntent",
        "AMAZON.NoIntent",
        "AMAZON.NextIntent",
    )

    def reply(self, turn: Turn) -> Response:
        speech = turn.speech
        if turn.intent_name == "AMAZON.FallbackIntent":
            return turn.ask(speech.say("fallback.speech"), reprompt=speech.say("fallback.reprompt"))
        return turn.ask(speech.say("unclear_yes_no.speech"), reprompt=speech.say("help.reprompt"))


class SessionEndedHandler(TurnHandler):
    request_type = "SessionEndedRequest"

    def reply(self, turn: Turn) -> Response:
        return turn.input.response_builder.response


class UnhandledHandler(TurnHandler):
    """Last in line: an intent no other handler takes gets the fallback, never silence;
    other requests (e.g. System.ExceptionEncountered) get an empty, valid response."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def reply(self, turn: Turn) -> Response:
        if turn.input.request_envelope.request.object_type != "IntentRequest":
            return turn.input.response_builder.response
        speech = turn.speech
        return turn.ask(speech.say("fallback.speech"), reprompt=speech.say("fallback.reprompt"))
