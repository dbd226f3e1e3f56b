"""A treatment told of in advance: "my next session is on December 1st" (H17).

Nothing is counted from a treatment still to come, but it is not forgotten either: an
answer about a day on or after it counts from it, and once its day has come, nothing says
"yes" until the patient says whether they had it. Otherwise a patient whose last treatment
was months ago would go on hearing "yes" the day after their next one.
"""

from __future__ import annotations

from datetime import date

from ask_sdk_model import Response

from ..conversation import PlannedWanted, RescheduleWanted, StillToComeWanted
from ..dates import TreatmentDay, read_date, span_start
from ..store import Change
from ..turn import Turn
from .replies import close, follow_ups, hear_all, planned_prompt, respond, yes_no_prompt
from .treatment import DatesHandler, TellDateHandler, tell


class UpcomingHandler(TellDateHandler):
    """ "My treatment is on Friday", "my next session is December 1st", "I haven't had it yet";
    and the answer to "when is it now?"."""

    intents: tuple[str, ...] = ("UpcomingTreatmentIntent",)

    def reply(self, turn: Turn) -> Response:
        day = self._said(turn)
        offered = turn.state.offered
        asked = offered if isinstance(offered, RescheduleWanted) else None
        moved = asked.day if asked is not None else None
        if day is not None and day <= turn.today.earliest:
            if moved is not None:  # "later today": had today, as far as any answer goes
                turn.save(Change(unplan=(moved,)))
            return super().reply(turn)  # "my treatment is today": told, like any other date
        # A day that has come only somewhere (the zone not known) is kept as told of in
        # advance, not as had: its day has come, so every answer first asks whether it was
        # had, and a correction later can never take it for the date being corrected (found
        # by the oracle: "my next session is tomorrow", read as today in UTC+14, was then
        # replaced by "actually it was April 10", and its day brought a "yes").
        if day is None:
            said = turn.slot("date")
            start = span_start(said, turn.today) if said else None
            if start is not None and start > turn.today.latest:
                # "My next session is next week": kept from the first day it can be.
                day = start
            elif asked is not None:  # still to come, day not known: it stays, and is asked about
                return turn.answer(turn.speech.say("planned.kept"))
            else:
                follow_up = turn.speech.say("welcome.anything_else")
                return turn.ask(turn.speech.say("upcoming.speech"), follow_up, reprompt=follow_up)
        record = turn.save(Change(plan=day, unplan=(moved,) if moved not in (None, day) else ()))
        # Verdicts heard about days on or after it no longer hold: said again, as they now stand.
        answers = follow_ups(turn, record, None)
        hear_all(turn, answers)
        said = turn.speech.say("upcoming.planned", date=turn.speech.weekday_date(day))
        return turn.answer(said, *[given.text for given, _ in answers])

    def unplaced(self, turn: Turn) -> None:
        day = self._said(turn)
        if day is not None and day <= turn.today.latest:
            super().unplaced(turn)

    @staticmethod
    def _said(turn: Turn) -> date | None:
        said = turn.slot("date")
        day = read_date(said, turn.today.latest) if said else None
        return day if isinstance(day, date) else None


class PlannedHadHandler(DatesHandler):
    """ "Yes" to "did you have it?": the treatment told of in advance is now a treatment."""

    intents = ("AMAZON.YesIntent",)
    answers = (PlannedWanted,)

    def reply(self, turn: Turn) -> Response:
        offered = turn.state.offered
        assert isinstance(offered, PlannedWanted)
        if offered.day not in turn.record.planned:  # changed since, on another device
            return turn.answer(turn.speech.say("confirm.nothing"))
        return tell(turn, TreatmentDay(offered.day), offered.question, phrase="planned.had")


class PlannedNotHadHandler(DatesHandler):
    """ "No": not had yet. Later today, or moved, or called off? Nothing is forgotten on a
    "no" alone: the treatment may still be that afternoon."""

    intents = ("AMAZON.NoIntent",)
    answers = (PlannedWanted,)

    def reply(self, turn: Turn) -> Response:
        offered = turn.state.offered
        assert isinstance(offered, PlannedWanted)
        waiting = StillToComeWanted(offered.day, offered.question)
        return close(turn, [], yes_no_prompt(turn, "planned.still_to_come", waiting))


class StillToComeHandler(DatesHandler):
    """ "Yes, it's still to come": kept, and its new day asked for."""

    intents = ("AMAZON.YesIntent",)
    answers = (StillToComeWanted,)

    def reply(self, turn: Turn) -> Response:
        offered = turn.state.offered
        assert isinstance(offered, StillToComeWanted)
        waiting = RescheduleWanted(offered.day, offered.question)
        prompt = yes_no_prompt(turn, "planned.when", waiting, elicit=("UpcomingTreatmentIntent", "date"))
        return close(turn, [], prompt)


class CalledOffHandler(DatesHandler):
    """ "No, it's not going ahead": forgotten, and the waiting question answered from the
    dates kept."""

    intents = ("AMAZON.NoIntent",)
    answers = (StillToComeWanted,)

    def reply(self, turn: Turn) -> Response:
        offered = turn.state.offered
        assert isinstance(offered, StillToComeWanted)
        record = turn.record
        if offered.day in record.planned:
            record = turn.save(Change(unplan=(offered.day,)))
        said = turn.speech.say("planned.called_off")
        come = record.arrived(turn.latest_today)
        if come is not None:  # another one told of in advance has come too
            return close(turn, [said], planned_prompt(turn, come, offered.question))
        if offered.question is None or record.latest is None:
            return turn.answer(said)
        return turn.answer(said, respond(turn, offered.question, record).text)
