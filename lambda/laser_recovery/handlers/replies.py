"""What handlers share: the questions the skill asks back, and answers to the patient's
questions from a given record."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from ask_sdk_model import Response

from ..answers import Answer, Context, answer
from ..conversation import (
    ChoiceWanted,
    ConfirmationWanted,
    DayWanted,
    Expectation,
    PlannedWanted,
    Question,
    SameTreatmentWanted,
    TreatmentDateWanted,
)
from ..dates import Move, Unclear, read_date
from ..store import PatientRecord
from ..turn import Turn

RECORD = "RecordTreatmentIntent"
CORRECT = "CorrectTreatmentIntent"


@dataclass(frozen=True)
class Prompt:
    """A question the skill ends its reply with, and what it then waits for."""

    text: str
    reprompt: str
    expecting: Expectation
    elicit: tuple[str, str] | None = None


def close(turn: Turn, parts: list[str], prompt: Prompt | None = None) -> Response:
    """The reply: the parts, then the prompt if there is one, else an answer."""
    if prompt is None:
        return turn.answer(*parts)
    turn.state.expect(prompt.expecting)
    return turn.ask(*parts, prompt.text, reprompt=prompt.reprompt, elicit=prompt.elicit)


def context(turn: Turn) -> Context:
    return Context(turn.speech, turn.protocol, turn.today)


def respond(turn: Turn, question: Question, record: PatientRecord) -> Answer:
    """The answer to a question from this record, remembered if it is a verdict on today."""
    given = answer(context(turn), question.intent, counted_from(record, question.on), question.on)
    _hear(turn, given, question.intent)
    return given


def counted_from(record: PatientRecord, on: date | None) -> date | None:
    """The treatment an answer about `on` (today, if None) counts from: the newest date, or
    a treatment told of in advance on or before `on` (H17)."""
    coming = [day for day in record.planned if on is not None and day <= on]
    return max([*coming, *([record.latest] if record.latest else [])], default=None)


def not_kept(turn: Turn, key: str = "shared.not_kept") -> Response:
    """To a voice whose dates could be mixed up with another member's: nothing is kept,
    changed, deleted or said back, and the reason why."""
    follow_up = turn.speech.say("welcome.anything_else")
    return turn.ask(turn.speech.say(key), follow_up, reprompt=follow_up)


def follow_ups(turn: Turn, record: PatientRecord, question: Question | None) -> list[tuple[Answer, str]]:
    """After the dates change: the question that was waiting for them, and every verdict the
    patient heard in this session that the change turns around, saying that it does.
    Each comes with the intent it answers. Nothing counts as heard until the caller says
    these answers (`hear_all`). None while no verdict can rest on the record: a treatment
    without its date, the newest date waiting for a yes, a treatment told of in advance whose
    day has come."""
    if record.latest is None or record.undated is not None or record.latest_unconfirmed:
        return []
    if record.arrived(turn.latest_today):
        return []
    ctx = context(turn)
    found: list[tuple[Answer, str]] = []
    covered: set[str | None] = set()
    if question is not None:
        given = answer(ctx, question.intent, counted_from(record, question.on), question.on)
        found.append((_noting_change(turn, given), question.intent))
        covered.add(given.key)
    for key, before in turn.state.heard.items():
        if key not in covered:
            given = answer(ctx, before.intent, counted_from(record, before.on), before.on)
            if given.verdict != before.verdict:
                found.append((_noting_change(turn, given), before.intent))
    return found


# The verdicts that say it is fine: the sun's "yes", makeup's minimum passed, the all-clear.
PERMITTING = frozenset({"safe", "minimum_passed", "all_clear"})
WITHDRAWN = "withdrawn"


def withdrawn(turn: Turn) -> list[str]:
    """When no verdict can be given any more (a treatment told without its date, the newest
    date waiting for a yes): an earlier "it's fine" heard in this session no longer stands,
    and the reply says so rather than leaving it as the last word."""
    gone = [key for key, heard in turn.state.heard.items() if heard.verdict in PERMITTING]
    for key in gone:
        # Kept, as withdrawn: once the date is known, the question is answered again.
        turn.state.heard[key] = replace(turn.state.heard[key], verdict=WITHDRAWN)
    return [turn.speech.say("earlier.withdrawn")] if gone else []


def hear_all(turn: Turn, answers: list[tuple[Answer, str]]) -> None:
    """Remember the verdicts said: each answer with the intent of the question it answers."""
    for given, intent in answers:
        _hear(turn, given, intent)


def _hear(turn: Turn, given: Answer, intent: str) -> None:
    if given.rests_on is not None:
        turn.answered_from = given.rests_on
    if given.key is not None and given.verdict is not None:
        turn.state.hear(given.key, given.verdict, intent, given.on)


def _noting_change(turn: Turn, given: Answer) -> Answer:
    before = turn.state.heard.get(given.key) if given.key else None
    if before is None or before.verdict in (given.verdict, WITHDRAWN):  # said already, if withdrawn
        return given
    return replace(given, text=f"{turn.speech.say('earlier.changed')} {given.text}")


def date_prompt(
    turn: Turn,
    question: Question | None,
    *,
    correcting: bool = False,
    dating: bool = False,
    key: str = "treatment.ask",
    within: str | None = None,
) -> Prompt:
    speech = turn.speech
    return Prompt(
        speech.say(key),
        speech.say("treatment.ask_reprompt"),
        TreatmentDateWanted(question, correcting, dating, within),
        (CORRECT if correcting else RECORD, "date"),
    )


def day_prompt(turn: Turn, question: Question) -> Prompt:
    phrase = turn.speech.say("ask_day.unknown")
    return Prompt(phrase, phrase, DayWanted(question), (question.intent, "date"))


def confirm_prompt(
    turn: Turn,
    day: date,
    moved: Move,
    question: Question | None,
    replaces: date | None = None,
    dating: bool = False,
) -> Prompt:
    speech = turn.speech
    spoken = speech.weekday_date(day)
    today = turn.today.earliest
    key = "confirm.last_year" if day.year == today.year - 1 else "confirm.when"
    return Prompt(
        speech.say(key, date=spoken, ago=speech.ago(max(0, (today - day).days))),
        speech.say("confirm.reprompt", date=spoken),
        ConfirmationWanted(day, moved, question, replaces, dating),
    )


def check_prompt(turn: Turn, newest: date, question: Question | None) -> Prompt:
    """Before anything rests on the newest date, which waits for the patient's yes: "was it
    on ...?", unless it is the date they said was wrong in this session and have not yet
    given the right one for. Then the skill asks for that one (in the month or week they
    named), and the date told next corrects it."""
    disputed = turn.state.disputed
    if disputed is None or disputed.day != newest:
        return confirm_prompt(turn, newest, Move.NONE, question)
    turn.state.recorded = newest
    said = turn.speech.say("treatment.disputed", date=turn.speech.weekday_date(newest))
    return correction_prompt(turn, question, said, disputed.within)


def correction_prompt(turn: Turn, question: Question | None, said: str, within: str | None) -> Prompt:
    """ "What's the correct date?" after `said`; "which day that week?" when the patient
    named the week (or month) and the day picked out of it was not the one."""
    speech = turn.speech
    span = read_date(within, turn.today.latest) if within else None
    if not isinstance(span, Unclear) or span not in (Unclear.WEEK, Unclear.WEEKEND, Unclear.MONTH):
        span = within = None
    ask = speech.say(f"treatment.{span.value}" if span else "treatment.ask_correct")
    prompt = date_prompt(turn, question, correcting=True, within=within)
    return replace(prompt, text=f"{said} {ask}", reprompt=ask)


def same_treatment_prompt(turn: Turn, day: date, question: Question | None) -> Prompt:
    return yes_no_prompt(turn, "undated.same", SameTreatmentWanted(day, question), day=day)


def planned_prompt(turn: Turn, day: date, question: Question | None) -> Prompt:
    return yes_no_prompt(turn, "planned.ask", PlannedWanted(day, question), day=day)


def yes_no_prompt(
    turn: Turn, key: str, expecting: Expectation, *, day: date | None = None, elicit: tuple[str, str] | None = None
) -> Prompt:
    """A question at `key` (its reprompt at `key`_reprompt), naming `day` if given."""
    speech = turn.speech
    values = {"date": speech.weekday_date(day)} if day is not None else {}
    return Prompt(speech.say(key, **values), speech.say(f"{key}_reprompt", **values), expecting, elicit)


def choice_prompt(turn: Turn, new: date, moved: Move, treatments: tuple[date, ...]) -> Prompt:
    speech = turn.speech
    choices = treatments[-3:]  # the most recent; any stored date is still accepted as an answer
    said = [speech.say("choose.choice", date=speech.weekday_date(d)) for d in choices]
    spoken = speech.join(said, speech.say("calendar.or"))
    return Prompt(
        speech.say("choose.which", new=speech.weekday_date(new), choices=spoken),
        speech.say("choose.reprompt", choices=spoken),
        ChoiceWanted(new, moved, choices),
        ("ChooseTreatmentIntent", "date"),
    )


def prompt_again(turn: Turn) -> Prompt | None:
    """The question this turn interrupted, asked again, when it was one for a date."""
    offered = turn.state.offered
    record = turn.record
    if isinstance(offered, TreatmentDateWanted) and offered.correcting:
        return date_prompt(turn, offered.question, correcting=True, key="treatment.ask_correct")
    if isinstance(offered, DayWanted):
        return day_prompt(turn, offered.question)
    if isinstance(offered, ChoiceWanted):
        return choice_prompt(turn, offered.new, offered.moved, record.treatments)
    if isinstance(offered, ConfirmationWanted) and offered.day in record.unconfirmed:
        return confirm_prompt(turn, offered.day, offered.moved, offered.question, offered.replaces, offered.dating)
    return None
