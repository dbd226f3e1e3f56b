"""The patient listens: treatment facts and aftercare rules, a few at a time."""

from __future__ import annotations

from ask_sdk_model import Response

from ..conversation import Reading
from ..screens import reading_data, show
from ..turn import Turn
from .base import TurnHandler

PAGE = 3  # a listener keeps about three items in mind; then we ask before going on


def read(turn: Turn, topic: str, start: int) -> Response:
    """Items `start` onwards of a topic, at most a page, then offer the rest."""
    speech = turn.speech
    order = speech.text(f"{topic}.order")
    start = start if 0 <= start < len(order) else 0
    page = [speech.say(f"{topic}.items.{name}") for name in order[start : start + PAGE]]
    show(turn, "reading", reading_data(turn, topic, page))
    following = start + PAGE
    if following < len(order):
        turn.state.expect(Reading(topic, following))
        return turn.ask(*page, speech.say("reading.more"), reprompt=speech.say("reading.more_reprompt"))
    return turn.answer(*page, speech.say(f"{topic}.done"))


class FactsHandler(TurnHandler):
    intents = ("FactsIntent",)

    def reply(self, turn: Turn) -> Response:
        topic = turn.slot_id("topic")
        if topic in turn.speech.text("facts.order"):
            said = turn.speech.say(f"facts.items.{topic}")
            show(turn, "reading", reading_data(turn, "facts", [said]))
            return turn.answer(said)
        return read(turn, "facts", 0)


class AreasHandler(TurnHandler):
    """ "Can it treat my back?": the areas the article names, and nothing it doesn't."""

    intents = ("AreasIntent",)

    def reply(self, turn: Turn) -> Response:
        speech = turn.speech
        area = turn.slot_id("area")
        if area is None and turn.slot("area") is None:
            return turn.answer(speech.say("facts.items.areas"))
        if area == "face":
            return turn.answer(speech.say("areas.face"))
        if area in speech.text("areas.names"):
            return turn.answer(speech.say("areas.listed", area=speech.say(f"areas.names.{area}")))
        return turn.answer(speech.say("areas.other"))


class AftercareHandler(TurnHandler):
    intents = ("AftercareIntent",)

    def reply(self, turn: Turn) -> Response:
        return read(turn, "aftercare", 0)


class ReadMoreHandler(TurnHandler):
    """ "Yes", "more" or "next" while a list is being read."""

    intents = ("AMAZON.YesIntent", "AMAZON.NextIntent")
    answers = (Reading,)

    def reply(self, turn: Turn) -> Response:
        reading = turn.state.offered
        assert isinstance(reading, Reading)
        return read(turn, reading.topic, reading.position)


class StopReadingHandler(TurnHandler):
    """ "No" while a list is being read: back to the menu, still listening."""

    intents = ("AMAZON.NoIntent",)
    answers = (Reading,)

    def reply(self, turn: Turn) -> Response:
        speech = turn.speech
        return turn.ask(speech.say("welcome.menu"), reprompt=speech.say("welcome.menu_reprompt"))
