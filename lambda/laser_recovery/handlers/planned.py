"""A treatment told of in advance: "my next session is on December 1st" (H17).

Nothing is counted from a treatment still to come, but it is not forgotten either: an
answer about a day on or after it counts from it, and once its day has come, nothing says
"yes" until the patient says whether they had it. Otherwise a patient whose last treatment
was months ago would go on hearing "yes" the day after their next one.
"""

from __future__ import annotations

from datetime import date

from ask_sdk_model import Response

from ..conversation import PlannedWanted
from ..dates import TreatmentDay, read_date
from ..store import Change
from ..turn import Turn
from .replies import follow_ups, hear_all, respond
from .treatment import DatesHandler, TellDateHandler, tell


class UpcomingHandler(TellDateHandler):
    """ "My treatment is on Friday", "my next session is December 1st", "I haven't had it yet"."""

    intents: tuple[str, ...] = ("UpcomingTreatmentIntent",)

    def reply(self, turn: Turn) -> Response:
        day = self._ahead(turn)
        if day is None:
            if self._come(turn):
                return super().reply(turn)  # "my treatment is today": told, like any other date
            follow_up = turn.speech.say("welcome.anything_else")
            return turn.ask(turn.speech.say("upcoming.speech"), follow_up, reprompt=follow_up)
        record = turn.record
        soonest = record.planned if record.planned is not None and not record.arrived(turn.today.latest) else None
        if soonest is None or day < soonest:
            record = turn.save(Change(plan=day))
        # Verdicts heard about days on or after it no longer hold: said again, as they now stand.
        answers = follow_ups(turn, record, None)
        hear_all(turn, answers)
        said = turn.speech.say("upcoming.planned", date=turn.speech.weekday_date(record.planned or day))
        return turn.answer(said, *[given.text for given, _ in answers])

    def unplaced(self, turn: Turn) -> None:
        if self._ahead(turn) is None and self._come(turn):
            super().unplaced(turn)

    @staticmethod
    def _said(turn: Turn) -> date | None:
        said = turn.slot("date")
        day = read_date(said, turn.today.latest) if said else None
        return day if isinstance(day, date) else None

    def _ahead(self, turn: Turn) -> date | None:
        """The day said, if it is still to come."""
        day = self._said(turn)
        return day if day is not None and day > turn.today.latest else None

    def _come(self, turn: Turn) -> bool:
        """Whether a day was said that has already come ("my treatment is today")."""
        day = self._said(turn)
        return day is not None and day <= turn.today.latest


class PlannedHadHandler(DatesHandler):
    """ "Yes" to "did you have it?": the treatment told of in advance is now a treatment."""

    intents = ("AMAZON.YesIntent",)
    answers = (PlannedWanted,)

    def reply(self, turn: Turn) -> Response:
        offered = turn.state.offered
        assert isinstance(offered, PlannedWanted)
        if turn.record.planned != offered.day:  # changed since, on another device
            return turn.answer(turn.speech.say("confirm.nothing"))
        return tell(turn, TreatmentDay(offered.day), offered.question, phrase="planned.had")


class PlannedNotHadHandler(DatesHandler):
    """ "No": not had (moved, or called off). It is forgotten, and the waiting question is
    answered from the dates kept."""

    intents = ("AMAZON.NoIntent",)
    answers = (PlannedWanted,)

    def reply(self, turn: Turn) -> Response:
        offered = turn.state.offered
        assert isinstance(offered, PlannedWanted)
        record = turn.save(Change(unplan=True)) if turn.record.planned == offered.day else turn.record
        said = turn.speech.say("planned.not_had")
        if offered.question is None or record.latest is None:
            return turn.answer(said)
        return turn.answer(said, respond(turn, offered.question, record).text)
