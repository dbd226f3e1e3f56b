"""The patient asks about their recovery: sun, makeup, results, redness, progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ask_sdk_model import Response

from .. import recovery
from ..dates import Vague, read_date
from ..turn import Turn
from .base import TurnHandler


def _sun(turn: Turn, treatment: date | None, on: date | None) -> str:
    assert treatment is not None
    speech = turn.speech
    answer = recovery.sun(treatment, on or turn.today, turn.protocol)
    values = {"safe_date": speech.weekday_date(answer.safe_date)}
    if on is None:
        return speech.say(f"sun.{answer.verdict.value}", **values)
    if answer.day < 0:
        return speech.say("sun.before_treatment", on_date=speech.weekday_date(on))
    return speech.say(f"sun.{answer.verdict.value}_on", on_date=speech.weekday_date(on), **values)


def _sun_duration(turn: Turn, treatment: date | None, on: date | None) -> str:
    speech = turn.speech
    general = speech.say("sun_duration.general")
    if treatment is None:
        return general
    answer = recovery.sun(treatment, turn.today, turn.protocol)
    part = {
        recovery.Sun.NOT_YET: "before_minimum",
        recovery.Sun.ASK_SPECIALIST: "between",
        recovery.Sun.SAFE: "after",
    }[answer.verdict]
    mine = speech.say(
        f"sun_duration.{part}",
        minimum_date=speech.weekday_date(answer.minimum_date),
        safe_date=speech.weekday_date(answer.safe_date),
    )
    return f"{general} {mine}"


def _makeup(turn: Turn, treatment: date | None, on: date | None) -> str:
    assert treatment is not None
    answer = recovery.makeup(treatment, turn.today, turn.protocol)
    key = "makeup.not_yet" if answer.verdict is recovery.Makeup.NOT_YET else "makeup.ok"
    return turn.speech.say(key, from_date=turn.speech.weekday_date(answer.from_date))


def _results(turn: Turn, treatment: date | None, on: date | None) -> str:
    speech = turn.speech
    if treatment is None:
        return speech.say("results.general")
    answer = recovery.results(treatment, turn.today, turn.protocol)
    return speech.say(
        f"results.{answer.verdict.value}",
        day=answer.day,
        in_days=speech.until(answer.days_until),
        from_date=speech.weekday_date(answer.from_date),
        by_date=speech.weekday_date(answer.by_date),
    )


def _redness(turn: Turn, treatment: date | None, on: date | None) -> str:
    return turn.speech.say("redness.speech")


def _progress(turn: Turn, treatment: date | None, on: date | None) -> str:
    assert treatment is not None
    speech = turn.speech
    where = recovery.progress(treatment, turn.today, turn.protocol)
    today = speech.say("progress.today", day=where.day, date=speech.weekday_date(treatment))
    if not where.upcoming:
        return f"{today} {speech.say('progress.all_done')}"
    names = [speech.say(f"progress.milestones.{m.name}") for m in where.passed[-3:]]
    passed = speech.say("progress.passed", items=speech.join(names)) if names else speech.say("progress.early")
    first = where.upcoming[0]
    upcoming = speech.say(
        "progress.next",
        items=speech.join([speech.say(f"progress.milestones.{m.name}") for m in where.upcoming]),
        date=speech.weekday_date(first.date),
        in_days=speech.until(first.offset - where.day),
    )
    return f"{today} {passed} {upcoming}"


@dataclass(frozen=True)
class Question:
    speak: Callable[[Turn, date | None, date | None], str]
    needs_date: bool  # without a treatment date there is no honest answer: ask for it
    takes_day: bool = False  # "can I sunbathe on December 20th?"
    uses_date: bool = True  # False: the same answer for everyone, so the store is not read


QUESTIONS: dict[str, Question] = {
    "SunIntent": Question(_sun, needs_date=True, takes_day=True),
    "SunDurationIntent": Question(_sun_duration, needs_date=False),
    "MakeupIntent": Question(_makeup, needs_date=True),
    "ResultsIntent": Question(_results, needs_date=False),
    "RednessIntent": Question(_redness, needs_date=False, uses_date=False),
    "ProgressIntent": Question(_progress, needs_date=True),
}


def answer_text(turn: Turn, intent: str, on: date | None = None) -> str:
    """The spoken answer to a question, from the patient's most recent treatment."""
    question = QUESTIONS[intent]
    return question.speak(turn, turn.record.latest if question.uses_date else None, on)


def ask_for_treatment(turn: Turn, intent: str, on: date | None) -> Response:
    """Remember the question, ask for the date; the date's turn answers the question."""
    turn.expect("treatment_date", pending={"intent": intent, "on": on.isoformat() if on else None})
    speech = turn.speech
    return turn.ask(speech.say("treatment.ask_first"), reprompt=speech.say("treatment.ask_reprompt"))


def answer_or_ask(turn: Turn, intent: str, on: date | None) -> Response:
    if QUESTIONS[intent].needs_date and turn.record.latest is None:
        return ask_for_treatment(turn, intent, on)
    return turn.answer(answer_text(turn, intent, on))


class QuestionHandler(TurnHandler):
    intents = tuple(QUESTIONS)

    def reply(self, turn: Turn) -> Response:
        intent = turn.intent_name or ""
        on = None
        said = turn.slot("date") if QUESTIONS[intent].takes_day else None
        if said is not None:
            day = read_date(said, turn.today)
            if isinstance(day, Vague):
                turn.expect("question_day", pending={"intent": intent, "on": None})
                phrase = turn.speech.say("ask_day.unknown")
                return turn.ask(phrase, reprompt=phrase)
            on = day
        return answer_or_ask(turn, intent, on)


class DayForQuestionHandler(TurnHandler):
    """The day a question was about, given after "which day do you mean?".

    A bare date sounds like a treatment date to the model; here it is not one.
    """

    intents = ("RecordTreatmentIntent", "SunIntent")
    expecting = "question_day"

    def reply(self, turn: Turn) -> Response:
        pending = turn.session.get("pending") or {}
        said = turn.slot("date")
        day = read_date(said, turn.today) if said else Vague.UNKNOWN
        if isinstance(day, Vague):
            phrase = turn.speech.say("ask_day.unknown")
            return turn.ask(phrase, reprompt=phrase)
        turn.session.pop("pending", None)
        return answer_or_ask(turn, pending.get("intent", "SunIntent"), day)
