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

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from ..answers import Answer
from ..conversation import ChoiceWanted, ConfirmationWanted, Disputed, PlannedWanted, Question, TreatmentDateWanted
from ..dates import Move, TreatmentDay, Unclear, days_ago, in_the_past, read_date, treatment_date, within
from ..recovery import Protocol
from ..store import Change, PatientId, PatientRecord
from ..turn import Turn
from .base import TurnHandler
from .replies import (
    CORRECT,
    RECORD,
    Prompt,
    check_prompt,
    choice_prompt,
    close,
    confirm_prompt,
    correction_prompt,
    date_prompt,
    follow_ups,
    hear_all,
    not_kept,
    planned_prompt,
    prompt_again,
    same_treatment_prompt,
    withdrawn,
)


def spoken_treatment(turn: Turn) -> TreatmentDay | Unclear | None:
    """The day the patient named, moved into the past; None when they named none. A day
    answering "which day that month (or week)?" is that month's (or week's); a date told
    another way ("I had another treatment on ...", to a correction's question) is not."""
    said = turn.slot("date")
    offered = turn.state.offered
    asked = offered if isinstance(offered, TreatmentDateWanted) else None
    # The answer comes as the intent the question elicited; the other one is news of its own.
    span = asked.within if asked is not None and asked.correcting == (turn.intent_name == CORRECT) else None
    if said is not None and span is not None:
        day = read_date(said, turn.today.latest)
        return day if isinstance(day, Unclear) else within(day, span, turn.today)
    if said is not None:
        return treatment_date(said, turn.today)
    duration = turn.slot("duration")
    if duration is not None:
        back = days_ago(duration, turn.now, turn.zone)
        return back if isinstance(back, Unclear) else TreatmentDay(min(back, turn.today.latest), Move.COUNTED)
    return None


def needs_check(told: TreatmentDay, days_ago: int, answers: list[tuple[Answer, str]], protocol: Protocol) -> bool:
    """Whether a date the skill arrived at itself must be confirmed before anything rests on
    it. A date moved back a week may be an appointment this week, told in advance ("Friday";
    "December 1st" is not today); one picked out of a month or week named before may not be
    the day said ("November 30th" after "last week" is not that week's Monday); one old
    enough for a "yes" (moved a year, or counted from "about eight weeks ago") may be an
    appointment or a rough guess; and the reply that first says any of them back never
    also says "yes"."""
    if told.moved is Move.NONE:
        return False
    if told.moved in (Move.WEEK, Move.PICKED):
        return True
    return days_ago >= protocol.sun_safe_days or any(given.permits for given, _ in answers)


def tell(
    turn: Turn,
    told: TreatmentDay,
    question: Question | None,
    *,
    target: date | None = None,
    then: Prompt | None = None,
    phrase: str = "",
    dating: bool = False,
) -> Response:
    """Record `told` (replacing `target`, if given), say it back, and answer what waits for it.

    `then` is a question to end with when no other is due; `phrase` says the date back in
    place of the usual words; `dating`, that the patient confirmed the date of a treatment
    they had told of without one."""
    speech = turn.speech
    record = turn.record
    day = told.day
    # Said again as it is (with its year), or confirmed: the date waits for nothing more.
    confirms = day if day in record.unconfirmed and told.moved is Move.NONE else None
    offered = turn.state.offered
    # The undated treatment is dated when the patient confirms the date they gave for it, or
    # tells a date the skill did not have: as the answer to the question asking for it, or
    # unasked if not older than the newest kept (it may be the newest). Never by restating
    # or correcting an old one.
    asked = isinstance(offered, TreatmentDateWanted) and offered.dating
    newest = record.latest is None or day >= record.latest
    dated = record.undated is not None and (
        dating or (day not in record.treatments and (asked or (target is None and newest)))
    )
    if asked and record.undated is not None and day in record.treatments and day not in record.unconfirmed:
        # The date asked for is one already kept: the same treatment, told of twice, or a
        # slip? Asked, never assumed: the one without a date may be the newest.
        return close(turn, [], same_treatment_prompt(turn, day, question))
    if day == target or (target is None and day in record.treatments):
        change, usual = Change(confirm=confirms, dated=dated), "treatment.already"
    elif target is None:
        change, usual = Change(add=day, dated=dated), ""
    else:
        # With several treatments, which one changed is said: it may not be the one in mind.
        usual = "treatment.corrected" if len(record.treatments) == 1 else "treatment.changed"
        change = Change(remove=target, add=day, confirm=confirms, dated=dated)

    # A treatment told without its date may be the newest, and a newest date may still wait
    # for the patient's yes (one they called wrong, or one moved): no verdict rests on either.
    changed = record.changed(change)
    undated = changed.undated is not None
    waiting = changed.latest_unconfirmed or changed.arrived(turn.latest_today) is not None
    # A check still open is asked again at the end: no verdict shares a reply with it.
    checking = then is not None and isinstance(then.expecting, ConfirmationWanted)
    answers = [] if undated or waiting or checking else follow_ups(turn, changed, question)
    days_ago = max(0, (turn.today.earliest - day).days)
    settled = day in record.treatments and day not in record.unconfirmed  # said or confirmed before
    # Counted to the latest the patient's today can be: a date a day short of a "yes" where
    # the day starts first is checked too (with no zone known, "eight weeks ago" was not).
    if not settled and needs_check(told, (turn.today.latest - day).days, answers, turn.protocol):
        # Stored, but waiting for a yes, and dating nothing until then. A date it would
        # replace stays, and is in doubt too: the patient has just said it is wrong.
        turn.save(Change(add=day, doubt=True))
        replaces = target if target != day else None
        if replaces is not None and replaces in record.treatments:
            turn.save(Change(add=replaces, doubt=True))
        turn.state.recorded = day
        # The same words again would only move the same way again: say how to name the year.
        again = isinstance(offered, ConfirmationWanted) and offered.day == day
        hint = [speech.say("treatment.say_year")] if again else []
        if record.latest is None or day >= record.latest or replaces == record.latest:
            hint = withdrawn(turn) + hint  # the newest date now waits for a yes
        return close(turn, hint, confirm_prompt(turn, day, told.moved, question, replaces, dated))
    after = turn.save(change) if change else record
    turn.state.recorded = day

    parts = [
        speech.say(
            phrase or usual or _saved_key(record, after, day),
            date=speech.weekday_date(day),
            ago=speech.ago(days_ago),
            latest=speech.weekday_date(after.latest or day),
            old=speech.weekday_date(target) if target else "",
        )
    ]
    if told.moved is Move.WEEK and days_ago == 0:
        parts.append(speech.say("treatment.moved_today"))
    elif told.moved in (Move.WEEK, Move.YEAR):
        parts.append(speech.say(f"treatment.moved_{told.moved.value}"))
        if not change:  # said again, and moved the same way again: how to name another year
            parts.append(speech.say("treatment.say_year"))
    elif told.moved is Move.COUNTED and turn.today.earliest != turn.today.latest:
        # "A day ago" said back as "today": why, so the patient isn't left doubting it.
        parts.append(speech.say("treatment.counted_unknown_zone"))
    if undated or waiting:
        parts += withdrawn(turn)
    if after.latest_unconfirmed and after.latest is not None and after.latest != day and then is None:
        # The newest date still waits for the patient's yes; nothing rests on it until then.
        return close(turn, parts, check_prompt(turn, after.latest, question))
    if undated:
        return close(turn, parts, then or date_prompt(turn, question, dating=True, key="undated.ask"))
    come = after.arrived(turn.latest_today)
    if come is not None and then is None:
        # Another treatment told of in advance has come too: asked about before any answer.
        return close(turn, parts, planned_prompt(turn, come, question))
    hear_all(turn, answers)
    parts += [given.text for given, _ in answers]
    if not answers and then is None:
        parts.append(speech.say("treatment.change_hint"))
    return close(turn, parts, then)


class DatesHandler(TurnHandler):
    """A handler that keeps, changes or says back the patient's dates: never for a voice
    whose dates could be mixed up with another member's of the household (H6)."""

    refusal = "shared.not_kept"

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = Turn.of(handler_input)
        if not turn.shared_with_others:
            return self.reply(turn)
        self.unplaced(turn)
        return not_kept(turn, self.refusal)

    def unplaced(self, turn: Turn) -> None:
        """What is left behind when a voice the skill cannot place speaks: nothing, unless
        it told of a treatment (TellDateHandler)."""


class TellDateHandler(DatesHandler):
    """ "I had my treatment on ...", "actually it was ...", or a date the skill asked for."""

    intents: tuple[str, ...] = (RECORD, CORRECT)

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
            held = not correcting and told is not Unclear.AHEAD and bool(record.treatments)
            if held and record.undated is None:
                # Another treatment, date unknown: it may be the newest, so no "yes" until dated.
                turn.save(Change(undated=turn.today.latest))
            span = turn.slot("date") if told in (Unclear.MONTH, Unclear.WEEK, Unclear.WEEKEND) else None
            disputed = _disputed(turn, record.treatments, record.latest)
            if correcting and disputed is not None:
                # "That date is wrong" with no right one: the date is in doubt until it is given
                # or confirmed, so nothing rests on it meanwhile, and it is asked for again.
                if disputed not in record.unconfirmed:
                    turn.save(Change(add=disputed, doubt=True))
                turn.state.recorded = disputed
                turn.state.disputed = Disputed(disputed, span)
            # The date asked for now is the undated treatment's, if one is held.
            prompt = date_prompt(turn, question, correcting=correcting, dating=held, key=key, within=span)
            blocked = held or (correcting and disputed == record.latest)
            return close(turn, withdrawn(turn) if blocked else [], prompt)

        if correcting and isinstance(offered, PlannedWanted) and offered.day in record.planned:
            # "Actually it was on ..." to "did you have it?": the one told of in advance, had
            # then, if that is on or after its day (counting from it is the later count). A
            # day before it may be another treatment: added, and the one told of in advance
            # stays, to be asked about again (found by the oracle: dropping it let its day,
            # still to come, bring a "yes" from the earlier date).
            if told.day >= offered.day:
                turn.save(Change(unplan=(offered.day,)))
            return tell(turn, told, offered.question)
        if correcting and isinstance(offered, ConfirmationWanted) and record.latest is not None:
            if offered.day not in record.treatments:
                # The date asked about was changed since (on another device): which date "it"
                # is can't be known, so none is taken away on a guess and the date told is
                # added. An extra date can only delay an answer; a lost one can bring a "yes".
                return tell(turn, told, offered.question)
            # "No, it was ..." to "was it on ...?": that date goes, and the date it was to
            # replace, if any, is the one the new date replaces.
            # A date given for a treatment told without one stays that treatment's date.
            dating = offered.dating
            if offered.replaces is None or offered.replaces not in record.treatments:
                return tell(turn, told, offered.question, target=offered.day, dating=dating)
            turn.save(Change(remove=offered.day))
            return tell(turn, told, offered.question, target=offered.replaces, dating=dating)
        if correcting and record.treatments:
            target = _disputed(turn, record.treatments, record.latest)
            moves_newest_back = target == record.latest and target is not None and told.day < target
            if record.undated is not None:
                # "It" may be the treatment told without a date: change nothing, ask for that date.
                said = [turn.speech.say("undated.which")]
                return close(turn, said, date_prompt(turn, question, dating=True, key="undated.ask"))
            if len(record.treatments) > 1 and moves_newest_back:
                # It would drop or move back the newest treatment: ask which one is meant.
                return close(turn, [], choice_prompt(turn, told.day, told.moved, record.treatments))
            # This answers "what's the correct date?", if that was asked: it isn't asked again.
            answered = isinstance(offered, TreatmentDateWanted) and offered.correcting
            return tell(turn, told, question, target=target, then=None if answered else prompt_again(turn))
        return tell(turn, told, question, then=prompt_again(turn))

    def unplaced(self, turn: Turn) -> None:
        told = spoken_treatment(turn)
        if told is Unclear.AHEAD:
            return
        # The treatment may be anyone's in the household (a member's voice not recognised this
        # time, say) and newer than their dates: no record it may be newer than gives a "yes"
        # until its owner, recognised, says when their latest treatment was.
        account = turn.patient.account
        for profile, latest in turn.household.items():
            if isinstance(told, TreatmentDay) and told.day <= latest:
                continue  # a "yes" from that record's newest date is no earlier than from this one
            member = PatientId(account, profile)
            record = turn.store.update(member, Change(undated=turn.today.latest))
            if record.reminders:
                # Their reminders rest on a date that no longer stands (H18): they go, and
                # nothing of them is said to this voice (they are another member's).
                turn.keep_reminders_in_step(member, record, quiet=True)


class ChooseTreatmentHandler(DatesHandler):
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


class ConfirmedHandler(DatesHandler):
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
        # Confirmed: the date it was to replace (a correction's) goes now.
        replaces = offered.replaces if offered.replaces in record.treatments else None
        return tell(
            turn, told, offered.question, target=replaces or offered.day, phrase="confirm.thanks", dating=offered.dating
        )


class DeclinedHandler(DatesHandler):
    """ "No" to "was your treatment on ...?": that date goes, and the skill asks for the right one."""

    intents = ("AMAZON.NoIntent",)
    answers = (ConfirmationWanted,)

    def reply(self, turn: Turn) -> Response:
        offered = turn.state.offered
        assert isinstance(offered, ConfirmationWanted)
        record = turn.record
        correcting = offered.replaces is not None
        change = Change(remove=offered.day) if offered.day in record.treatments else Change()
        others = [day for day in record.treatments if day != offered.day]
        if not correcting and others:
            # The patient told of another treatment and only its date was wrong: it may be
            # the newest, so it stays, undated, and nothing says "yes" until it is dated.
            change = replace(change, undated=turn.today.latest)
        if change:
            turn.save(change)
        gone = withdrawn(turn) if change.undated is not None else []
        if offered.replaces is not None:
            # The date the correction was for is still wrong, and still the one to correct:
            # asked for again (in the week or month named, if one was), never "was it on ...?".
            disputed = turn.state.disputed
            kept = disputed.within if disputed is not None and disputed.day == offered.replaces else None
            turn.state.recorded = offered.replaces
            turn.state.disputed = Disputed(offered.replaces, kept)
            said = turn.speech.say("confirm.declined_day" if kept else "confirm.declined_correction")
            return close(turn, [], correction_prompt(turn, offered.question, said, kept))
        turn.state.recorded = None
        prompt = date_prompt(turn, offered.question, dating=bool(others), key="confirm.declined")
        return close(turn, gone, prompt)


def _disputed(turn: Turn, treatments: tuple[date, ...], latest: date | None) -> date | None:
    """The date a correction is about: the one told last in this session, else the newest."""
    recorded = turn.state.recorded
    return recorded if recorded in treatments else latest


def _saved_key(before: PatientRecord, after: PatientRecord, day: date) -> str:
    if after.latest != day:
        # Not "I'll answer from your most recent one" while that one waits for a yes.
        return "treatment.added" if after.latest_unconfirmed else "treatment.series"
    return "treatment.added_latest" if before.treatments else "treatment.saved"


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
