"""The patient has their data forgotten: asked first, then everything goes. Never for a
voice that could be another member of the household's (H6): it could delete theirs."""

from __future__ import annotations

from ask_sdk_model import Response

from ..conversation import DeletionWanted
from ..turn import Turn
from .base import TurnHandler
from .treatment import DatesHandler


class ForgetHandler(DatesHandler):
    intents = ("ForgetIntent",)
    refusal = "shared.not_deleted"

    def reply(self, turn: Turn) -> Response:
        speech = turn.speech
        record = turn.record
        if not record.treatments and not record.planned and record.undated is None:
            turn.forget()  # nothing the patient would miss (reminders kept to be deleted, at most)
            return turn.answer(speech.say("forget.nothing"))
        turn.state.expect(DeletionWanted())
        return turn.ask(speech.say("forget.confirm"), reprompt=speech.say("forget.confirm_reprompt"))


class ForgetConfirmedHandler(DatesHandler):
    intents = ("AMAZON.YesIntent",)
    answers = (DeletionWanted,)
    refusal = "shared.not_deleted"

    def reply(self, turn: Turn) -> Response:
        done = turn.forget()
        return turn.answer(turn.speech.say("forget.done" if done else "forget.done_but_reminders"))


class ForgetDeclinedHandler(TurnHandler):
    intents = ("AMAZON.NoIntent", "AMAZON.CancelIntent")
    answers = (DeletionWanted,)

    def reply(self, turn: Turn) -> Response:
        return turn.answer(turn.speech.say("forget.kept"))
