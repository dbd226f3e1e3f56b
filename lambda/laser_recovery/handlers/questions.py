"""The patient asks about their recovery: sun, makeup, results, skin, progress."""

from __future__ import annotations

from ask_sdk_model import Response

from ..answers import QUESTIONS, answer
from ..cards import WITH_CARD, key_dates
from ..conversation import Question, TreatmentDateWanted
from ..dates import Unclear, read_date
from ..recovery import day_number
from ..screens import show, timeline_data
from ..store import PatientRecord, StoreError
from ..turn import Turn
from .base import TurnHandler
from .replies import check_prompt, close, context, date_prompt, day_prompt, planned_prompt, respond


def ask(turn: Turn, question: Question) -> Response:
    """Answer from the patient's dates; first ask for what the answer cannot do without."""
    kind = QUESTIONS[question.intent]
    if not kind.uses_date:
        return turn.answer(respond(turn, question, PatientRecord()).text)
    try:
        if turn.shared_with_others:
            # The household's dates may be someone else's: the rule for everyone, then where
            # to get an answer of their own. Nothing is asked that would lead to a stored date.
            general = None if kind.needs_date else answer(context(turn), question.intent, None, question.on).text
            return turn.answer(*filter(None, [general, turn.speech.say("shared.unsure")]))
        record = turn.record
    except StoreError:
        if kind.needs_date:
            raise
        record = PatientRecord()  # the general answer is still true; no verdict rests on it
    if record.latest_unconfirmed and record.latest is not None:
        # Nothing rests on a moved date the patient has not confirmed: ask again first.
        return close(turn, [], check_prompt(turn, record.latest, question))
    if record.undated is not None:
        # A treatment told without its date may be the newest: ask for it first.
        return close(turn, [], date_prompt(turn, question, dating=True, key="undated.ask"))
    come = record.arrived(turn.latest_today)
    if come is not None:
        # The day of a treatment told of in advance has come: was it had? Asked first (H17).
        return close(turn, [], planned_prompt(turn, come, question))
    if kind.needs_date and record.latest is None:
        return close(turn, [], date_prompt(turn, question, key="treatment.ask_first"))
    given = respond(turn, question, record)
    if question.intent in WITH_CARD and given.rests_on == record.latest:
        card = key_dates(turn, record)
        if card is not None:
            turn.input.response_builder.set_card(card)
        show(turn, "timeline", timeline_data(turn, record))
    return turn.answer(given.text)


def where_you_are(turn: Turn) -> list[str]:
    """For a returning patient opening the skill: the day of their recovery and the sun
    answer, the one most asked. Nothing when no date can carry it (none yet, one awaiting a
    check, an undated treatment), when the dates may be someone else's (a voice Alexa did not
    recognise, in a household where others have their own) or the store cannot say: then the
    menu alone."""
    try:
        record = turn.record
        if record.latest is None or record.latest_unconfirmed or record.undated is not None:
            return []
        if record.arrived(turn.latest_today):
            return []
        if turn.shared_with_others:
            return []
    except StoreError:
        return []
    day = day_number(record.latest, turn.today.earliest)
    where = turn.speech.say("launch.day", day=day) if day else turn.speech.say("launch.treatment_day")
    return [where, respond(turn, Question("SunIntent"), record).text]


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
        speech = turn.speech
        if not isinstance(turn.state.offered, TreatmentDateWanted) and not turn.shared_with_others:
            # Not asked for a date: "I don't remember my treatment date" may want the one kept.
            record = turn.record
            if record.latest is not None and not record.latest_unconfirmed and record.undated is None:
                ago = speech.ago(max(0, (turn.today.earliest - record.latest).days))
                return turn.answer(speech.say("unsure.known", date=speech.weekday_date(record.latest), ago=ago))
        return turn.answer(speech.say("unsure.speech"))


class NotCoveredHandler(TurnHandler):
    """A question the clinic's guide does not answer: said so, and the conversation goes on
    (even after a one-shot: the patient was asking, and may have a question we can answer)."""

    intents = ("NotCoveredIntent",)

    def reply(self, turn: Turn) -> Response:
        speech = turn.speech
        follow_up = speech.say("welcome.anything_else")
        return turn.ask(speech.say("not_covered.speech"), follow_up, reprompt=follow_up)
