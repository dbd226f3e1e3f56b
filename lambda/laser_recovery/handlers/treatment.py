"""The patient tells the skill when they were treated, corrects it, or has it forgotten."""

from __future__ import annotations

from datetime import date

from ask_sdk_model import Response
from ask_sdk_model.dialog import ElicitSlotDirective

from ..dates import Vague, days_ago, treatment_date
from ..turn import Turn
from .base import TurnHandler
from .questions import answer_text

RECORD = "RecordTreatmentIntent"
CORRECT = "CorrectTreatmentIntent"


def _spoken_treatment(turn: Turn) -> date | Vague | None:
    """The day the patient named, moved into the past; None when they named none."""
    said = turn.slot("date")
    if said is not None:
        return treatment_date(said, turn.today)
    duration = turn.slot("duration")
    if duration is not None:
        back = days_ago(duration, turn.now)
        return Vague.UNKNOWN if back is None else min(back, turn.today)
    return None


class RecordTreatmentHandler(TurnHandler):
    """Records a treatment date; a correction replaces the one said last."""

    intents = (RECORD, CORRECT)

    def reply(self, turn: Turn) -> Response:
        speech = turn.speech
        day = _spoken_treatment(turn)
        correcting = turn.intent_name == CORRECT or turn.expecting == "treatment_correction"
        if day is None or isinstance(day, Vague):
            key = "treatment.ask" if day is None else f"treatment.{day.value}"
            turn.expect("treatment_correction" if correcting else "treatment_date")
            if turn.intent_name == RECORD:
                # Lets Alexa's dialog model listen for the date with its own prompts.
                intent = turn.input.request_envelope.request.intent
                turn.input.response_builder.add_directive(
                    ElicitSlotDirective(updated_intent=intent, slot_to_elicit="date")
                )
            return turn.ask(speech.say(key), reprompt=speech.say("treatment.ask_reprompt"))

        phrase = self._save(turn, day, correcting)
        said_back = speech.say(
            phrase,
            date=speech.weekday_date(day),
            ago=speech.ago((turn.today - day).days),
            latest=speech.weekday_date(turn.record.latest or day),
        )
        turn.session["recorded"] = day.isoformat()
        pending = turn.session.pop("pending", None)
        if pending:
            on = date.fromisoformat(pending["on"]) if pending.get("on") else None
            return turn.answer(said_back, answer_text(turn, pending["intent"], on))
        return turn.answer(said_back, speech.say("treatment.change_hint"))

    def _save(self, turn: Turn, day: date, correcting: bool) -> str:
        """Write only what changes; return the phrase that says the date back."""
        record = turn.record
        if correcting and record.treatments:
            said = turn.session.get("recorded")
            old = date.fromisoformat(said) if said else max(record.treatments)
            if old == day:
                return "treatment.already"
            turn.remember(turn.store.replace_treatment(turn.key, old, day))
            return "treatment.corrected"
        if day in record.treatments:
            return "treatment.already"
        turn.remember(turn.store.add_treatment(turn.key, day))
        return "treatment.saved" if turn.record.latest == day else "treatment.series"


class ForgetHandler(TurnHandler):
    intents = ("ForgetIntent",)

    def reply(self, turn: Turn) -> Response:
        speech = turn.speech
        if not turn.record.treatments:
            turn.forget()  # nothing the patient would miss, but leave nothing behind either
            return turn.answer(speech.say("forget.nothing"))
        turn.expect("forget")
        return turn.ask(speech.say("forget.confirm"), reprompt=speech.say("forget.confirm_reprompt"))


class ForgetConfirmedHandler(TurnHandler):
    intents = ("AMAZON.YesIntent",)
    expecting = "forget"

    def reply(self, turn: Turn) -> Response:
        turn.forget()
        turn.session.pop("recorded", None)
        return turn.answer(turn.speech.say("forget.done"))


class ForgetDeclinedHandler(TurnHandler):
    intents = ("AMAZON.NoIntent", "AMAZON.CancelIntent")
    expecting = "forget"

    def reply(self, turn: Turn) -> Response:
        return turn.answer(turn.speech.say("forget.kept"))
