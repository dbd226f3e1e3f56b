"""The patient tells the skill when they were treated, corrects it, or confirms a date.

The rules that keep a wrong date from becoming a "yes" (docs/SAFETY.md, H1 to H4):
- a recording or correcting phrase always means what it says, whatever was asked before;
- a correction never silently drops or moves back the newest of several treatments;
- a date moved into the past is said back with its year, and a reply that first says it
  back never also says "yes": the skill asks the patient to confirm it instead;
- when a new date turns around a verdict the patient heard in this session, the reply says so.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ask_sdk_model import Response

from ..conversation import ChoiceWanted, ConfirmationWanted, Question, TreatmentDateWanted
from ..dates import Move, TreatmentDay, Unclear, days_ago, in_the_past, read_date, treatment_date
from ..store import Change
from ..turn import Turn
from .base import TurnHandler
from .replies import (
    CORRECT,
    RECORD,
    Prompt,
    choice_prompt,
    close,
    confirm_prompt,
    date_prompt,
    follow_ups,
    hear_all,
    prompt_again,
)


def spoken_treatment(turn: Turn) -> TreatmentDay | Unclear | None:
    """The day the patient named, moved into the past; None when they named none."""
    said = turn.slot("date")
    if said is not None:
        return treatment_date(said, turn.today)
    duration = turn.slot("duration")
    if duration is not None:
        back = days_ago(duration, turn.now, turn.zone)
        return Unclear.UNKNOWN if back is None else TreatmentDay(min(back, turn.today.latest))
    return None


def tell(
    turn: Turn,
    told: TreatmentDay,
    question: Question | None,
    *,
    target: date | None = None,
    then: Prompt | None = None,
    phrase: str = "",
) -> Response:
    """Record `told` (replacing `target`, if given), say it back, and answer what waits for it.

    `then` is a question to end with when no other is due; `phrase` says the date back in
    place of the usual words."""
    speech = turn.speech
    record = turn.record
    day = told.day
    # Said again as it is (with its year), or confirmed: the date waits for nothing more.
    confirms = day if day in record.unconfirmed and told.moved is Move.NONE else None
    if day == target or (target is None and day in record.treatments):
        # Re-adding a stored date changes no dates, but answers a treatment told undated.
        change = Change(confirm=confirms, add=day if record.undated else None)
        usual = "treatment.already"
    elif target is None:
        change, usual = Change(add=day), ""
    else:
        change, usual = Change(remove=target, add=day), "treatment.corrected"

    answers = follow_ups(turn, record.changed(change), question)
    days_ago = max(0, (turn.today.earliest - day).days)
    if told.moved is not Move.NONE and (
        any(given.permits for given, _ in answers) or days_ago >= turn.protocol.sun_safe_days
    ):
        # The first time a moved date is said back, nothing may also say "yes"; and one old
        # enough for a "yes" may be an appointment still to come, told in advance: ask first.
        turn.save(replace(change, add=day, doubt=True))
        turn.state.recorded = day
        return close(turn, [], confirm_prompt(turn, day, told.moved, question))
    after = turn.save(change) if change else record
    turn.state.recorded = day

    parts = [
        speech.say(
            phrase or usual or ("treatment.saved" if after.latest == day else "treatment.series"),
            date=speech.weekday_date(day),
            ago=speech.ago(days_ago),
            latest=speech.weekday_date(after.latest or day),
            old=speech.weekday_date(target) if target else "",
        )
    ]
    if told.moved is Move.WEEK and days_ago == 0:
        parts.append(speech.say("treatment.moved_today"))
    elif told.moved is not Move.NONE:
        parts.append(speech.say(f"treatment.moved_{told.moved.value}"))
        if not change:  # said again, and moved the same way again: how to name another year
            parts.append(speech.say("treatment.say_year"))
    if after.latest_unconfirmed and after.latest is not None and after.latest != day:
        # The newest date still waits for the patient's yes; nothing rests on it until then.
        return close(turn, parts, confirm_prompt(turn, after.latest, Move.NONE, question))
    hear_all(turn, answers)
    parts += [given.text for given, _ in answers]
    if not answers and then is None:
        parts.append(speech.say("treatment.change_hint"))
    return close(turn, parts, then)


class TellDateHandler(TurnHandler):
    """ "I had my treatment on ...", "actually it was ...", or a date the skill asked for."""

    intents = (RECORD, CORRECT)

    def reply(self, turn: Turn) -> Response:
        offered = turn.state.offered
        # Only a correcting phrase corrects: "I had another treatment on ..." always adds,
        # whatever the skill asked before (it asks again afterwards).
        correcting = turn.intent_name == CORRECT
        question = offered.question if isinstance(offered, TreatmentDateWanted) else None
        told = spoken_treatment(turn)
        record = turn.record
        if not isinstance(told, TreatmentDay):
            if told is None:
                key = "treatment.ask_correct" if correcting else "treatment.ask"
            else:
                key = f"treatment.{told.value}"
            if not correcting and told is not Unclear.AHEAD and record.treatments and record.undated is None:
                # Another treatment, date unknown: it may be the newest, so no "yes" until dated.
                turn.save(Change(undated=turn.today.latest))
            return close(turn, [], date_prompt(turn, question, correcting=correcting, key=key))

        if correcting and isinstance(offered, ConfirmationWanted) and offered.day in record.treatments:
            # "No, it was ..." to "was it on ...?": that date, and no other, is replaced.
            return tell(turn, told, offered.question, target=offered.day)
        if correcting and record.treatments:
            recorded = turn.state.recorded
            target = recorded if recorded in record.treatments else record.latest
            if len(record.treatments) > 1 and target == record.latest and target is not None and told.day < target:
                # It would drop or move back the newest treatment: ask which one is meant.
                return close(turn, [], choice_prompt(turn, told.day, told.moved, record.treatments))
            return tell(turn, told, question, target=target, then=prompt_again(turn))
        return tell(turn, told, question, then=prompt_again(turn))


class ChooseTreatmentHandler(TurnHandler):
    """The answer to "which one should I change?": the date of a stored treatment."""

    intents = ("ChooseTreatmentIntent",)
    answers = (ChoiceWanted,)

    def reply(self, turn: Turn) -> Response:
        offered = turn.state.offered
        assert isinstance(offered, ChoiceWanted)
        record = turn.record
        if offered.new > turn.today.latest:  # the session said so, not the patient: refuse
            return turn.answer(turn.speech.say("choose.unchanged"))
        chosen = _stored_day(turn.slot("date"), record.treatments, turn)
        if chosen is None:
            prompt = choice_prompt(turn, offered.new, offered.moved, record.treatments)
            return close(turn, [turn.speech.say("choose.not_found")], prompt)
        told = TreatmentDay(offered.new, offered.moved)
        return tell(turn, told, None, target=chosen, phrase="choose.changed")


class StrayChoiceHandler(TurnHandler):
    """ "The May 4th one" when nothing was asked: say how to correct a date instead."""

    intents = ("ChooseTreatmentIntent",)

    def reply(self, turn: Turn) -> Response:
        return turn.answer(turn.speech.say("choose.stray"))


class ChoiceDeclinedHandler(TurnHandler):
    intents = ("AMAZON.NoIntent", "AMAZON.CancelIntent")
    answers = (ChoiceWanted,)

    def reply(self, turn: Turn) -> Response:
        return turn.answer(turn.speech.say("choose.unchanged"))


class ConfirmedHandler(TurnHandler):
    """ "Yes" to "was your treatment on ...?": the date stands, and the waiting question is answered."""

    intents = ("AMAZON.YesIntent",)
    answers = (ConfirmationWanted,)

    def reply(self, turn: Turn) -> Response:
        offered = turn.state.offered
        assert isinstance(offered, ConfirmationWanted)
        record = turn.record
        if offered.day not in record.unconfirmed:
            # Confirmed already, or changed on another device: the record says what stands.
            return turn.answer(turn.speech.say("confirm.nothing"))
        told = TreatmentDay(offered.day)
        target = offered.day
        return tell(turn, told, offered.question, target=target, phrase="confirm.thanks")


class DeclinedHandler(TurnHandler):
    """ "No" to "was your treatment on ...?": that date goes, and the skill asks for the right one."""

    intents = ("AMAZON.NoIntent",)
    answers = (ConfirmationWanted,)

    def reply(self, turn: Turn) -> Response:
        offered = turn.state.offered
        assert isinstance(offered, ConfirmationWanted)
        if offered.day in turn.record.treatments:
            turn.save(Change(remove=offered.day))
        turn.state.recorded = None
        return close(turn, [], date_prompt(turn, offered.question, key="confirm.declined"))


def _stored_day(said: str | None, treatments: tuple[date, ...], turn: Turn) -> date | None:
    """The stored treatment the patient named: the same date, or the same day of the year
    when only one stored date has it (Alexa adds a year of its own choosing)."""
    if said is None:
        return None
    value = read_date(said, turn.today.latest)
    if isinstance(value, Unclear):
        return None
    candidates = [value]
    moved = in_the_past(value, turn.today)
    if isinstance(moved, TreatmentDay):
        candidates.append(moved.day)
    for candidate in candidates:
        if candidate in treatments:
            return candidate
    same_day = [d for d in treatments if (d.month, d.day) == (value.month, value.day)]
    return same_day[0] if len(same_day) == 1 else None
