"""The home card in the Alexa app: the patient's key dates, beside the sun and progress answers.

Built from the pure milestones (recovery.py), only where the spoken answer itself rests on the
newest date: no card for a date awaiting its check, an undated or booked treatment, or a voice
that may be someone else's (the same guards the answer passed). A card is plain text: dates in
words, no SSML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import recovery
from .store import PatientRecord

if TYPE_CHECKING:
    from ask_sdk_model.ui import SimpleCard

    from .turn import Turn

# The answers a card goes with: those about where the patient is on the road to the sun.
WITH_CARD = frozenset({"SunIntent", "ProgressIntent"})


def showable(turn: Turn, record: PatientRecord) -> bool:
    """Whether the record's dates may be shown: they stand, no treatment is booked after the
    newest (the dates would move), and the voice is surely the record's (H6)."""
    latest = record.latest
    if latest is None or not record.settled or any(booked > latest for booked in record.planned):
        return False
    return not turn.shared_with_others


def private(turn: Turn) -> bool:
    """Whether the account's Alexa app is the patient's alone: no one else in the household
    keeps dates (a card goes to the account, whoever spoke)."""
    return set(turn.household) <= {turn.patient.profile}


def key_dates(turn: Turn, record: PatientRecord) -> SimpleCard | None:
    """The card for this record, or None when its dates could still move or others share the app."""
    from ask_sdk_model.ui import SimpleCard

    latest = record.latest
    if latest is None or not showable(turn, record) or not private(turn):
        return None
    speech = turn.speech
    when = {m.name: speech.plain(speech.weekday_date(m.date)) for m in recovery.milestones(latest, turn.protocol)}
    lines = [
        speech.say("card.treatment", date=speech.plain(speech.weekday_date(latest))),
        speech.say("card.makeup", date=when["makeup"]),
        speech.say("card.results", first=when["results_from"], by=when["results_by"]),
        speech.say("card.sun", date=when["sun_safe"], minimum=when["sun_minimum"]),
        speech.say("card.sunscreen"),
    ]
    return SimpleCard(title=speech.say("card.title"), content="\n".join(speech.plain(line) for line in lines))


def after_change(turn: Turn, record: PatientRecord) -> SimpleCard | None:
    """The card that replaces the last one when the dates change: the new key dates, or, while
    they cannot be shown, a card that says so (so no earlier card's dates are the newest)."""
    from ask_sdk_model.ui import SimpleCard

    if turn.shared_with_others:
        return None
    card = key_dates(turn, record)
    if card is None and private(turn):
        speech = turn.speech
        card = SimpleCard(title=speech.say("card.title"), content=speech.plain(speech.say("card.changed")))
    return card


def after_forget(turn: Turn) -> SimpleCard:
    """The card for "forget my data": earlier cards stay in the app until deleted there."""
    from ask_sdk_model.ui import SimpleCard

    speech = turn.speech
    return SimpleCard(title=speech.say("card.title"), content=speech.plain(speech.say("card.deleted")))
