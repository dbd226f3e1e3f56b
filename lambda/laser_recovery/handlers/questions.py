"""The patient asks about their recovery: sun, makeup, results, skin, progress."""

from __future__ import annotations

from ask_sdk_model import Response

from ..answers import QUESTIONS
from ..conversation import Question
from ..dates import Move, Unclear, read_date
from ..store import PatientRecord, StoreError
from ..turn import Turn
from .base import TurnHandler
from .replies import close, confirm_prompt, date_prompt, day_prompt, respond


def ask(turn: Turn, question: Question) -> Response:
    """Answer from the patient's dates; first ask for what the answer cannot do without."""
    kind = QUESTIONS[question.intent]
    if not kind.uses_date:
        return turn.answer(respond(turn, question, PatientRecord()).text)
    try:
        record = turn.record
    except StoreError:
        if kind.needs_date:
            raise
        record = PatientRecord()  # the general answer is still true; no verdict rests on it
    if record.latest_unconfirmed and record.latest is not None:
        # Nothing rests on a moved date the patient has not confirmed: ask again first.
        return close(turn, [], confirm_prompt(turn, record.latest, Move.NONE, question))
    if record.undated is not None:
        # A treatment told without its date may be the newest: ask for it first.
        return close(turn, [], date_prompt(turn, question, dating=True, key="undated.ask"))
    if kind.needs_date and record.latest is None:
        return close(turn, [], date_prompt(turn, question, key="treatment.ask_first"))
    return turn.answer(respond(turn, question, record).text)


class QuestionHandler(TurnHandler):
    intents = tuple(QUESTIONS)

    def reply(self, turn: Turn) -> Response:
        intent = turn.intent_name or ""
        said = turn.slot("date") if QUESTIONS[intent].takes_day else None
        if said is None:
            return ask(turn, Question(intent))
        if said.upper() == "PRESENT_REF":  # "now": today, counted as every answer about today is
            return ask(turn, Question(intent))
        day = read_date(said, turn.today.latest)
        if isinstance(day, Unclear):
            return close(turn, [], day_prompt(turn, Question(intent)))
        return ask(turn, Question(intent, day))


class UnsureHandler(TurnHandler):
    """ "I don't remember" / "I don't know" (usually when asked for the date): the general
    rule and where to find the date, never the same question again."""

    intents = ("UnsureIntent",)

    def reply(self, turn: Turn) -> Response:
        return turn.answer(turn.speech.say("unsure.speech"))
