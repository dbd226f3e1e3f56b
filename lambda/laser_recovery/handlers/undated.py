"""The answer to "so the treatment I had no date for was the one on ...?" (H13)."""

from __future__ import annotations

from ask_sdk_model import Response

from ..conversation import SameTreatmentWanted
from ..dates import TreatmentDay
from ..turn import Turn
from .replies import close, date_prompt
from .treatment import DatesHandler, tell


class SameTreatmentHandler(DatesHandler):
    """ "Yes": the treatment told of without a date is the one kept, and none came since."""

    intents = ("AMAZON.YesIntent",)
    answers = (SameTreatmentWanted,)

    def reply(self, turn: Turn) -> Response:
        offered = turn.state.offered
        assert isinstance(offered, SameTreatmentWanted)
        record = turn.record
        if record.undated is None or offered.day not in record.treatments:
            # Dated or changed since (on another device): the record says what stands.
            return turn.answer(turn.speech.say("confirm.nothing"))
        told = TreatmentDay(offered.day)
        return tell(turn, told, offered.question, target=offered.day, phrase="confirm.thanks", dating=True)


class OtherTreatmentHandler(DatesHandler):
    """ "No": it is another treatment; its date is asked for again, and nothing changes."""

    intents = ("AMAZON.NoIntent",)
    answers = (SameTreatmentWanted,)

    def reply(self, turn: Turn) -> Response:
        offered = turn.state.offered
        assert isinstance(offered, SameTreatmentWanted)
        return close(turn, [], date_prompt(turn, offered.question, dating=True, key="undated.other"))
