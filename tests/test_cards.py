"""Home cards in the Alexa app beside the sun and progress answers, as real envelopes on both
stores: the key dates, and no card wherever the spoken answer would not rest on the date."""

from __future__ import annotations

import pytest

from tests.alexa import Conversation, SettingsApi

NOW = "2026-11-24T18:00:00Z"


@pytest.fixture
def talk(handler, api: SettingsApi) -> Conversation:
    conversation = Conversation(handler, api_endpoint=api.url, now=NOW)
    api.zones[conversation.device_id] = "Europe/London"
    conversation.launch()
    return conversation


def card(reply) -> dict | None:
    return reply.response.get("card")


@pytest.mark.parametrize("intent", ["SunIntent", "ProgressIntent"])
def test_the_sun_and_progress_answers_carry_the_key_dates(talk, intent):
    talk.say("RecordTreatmentIntent", date="2026-11-20")
    shown = card(talk.say(intent))
    assert shown["type"] == "Simple" and shown["title"] == "Your recovery: key dates"
    assert shown["content"].splitlines() == [
        "Treatment: Friday, November 20, 2026",
        "Makeup: from Friday, November 27, 2026, at the earliest; check with your specialist",
        "Results: showing from Friday, November 27, 2026 to Monday, November 30, 2026",
        "Sun: from Friday, January 15, 2027, with high-factor sunscreen, if you have no other treatment before "
        "then. Only your specialist can clear you earlier, and not before Friday, January 1, 2027.",
        "Sunscreen: every time you go out, for weeks and even months",
    ]
    assert "<" not in shown["content"] and "2026112" not in shown["content"]


def test_other_answers_carry_no_card(talk):
    talk.say("RecordTreatmentIntent", date="2026-11-20")
    assert card(talk.say("MakeupIntent")) is None
    assert card(talk.say("AftercareIntent")) is None


def test_no_card_while_the_date_awaits_its_check(talk):
    assert "Just to check" in talk.say("RecordTreatmentIntent", date="2026-12-12").text
    assert card(talk.say("SunIntent")) is None


def test_no_card_while_a_treatment_is_booked(talk):
    talk.say("RecordTreatmentIntent", date="2026-11-20")
    talk.say("UpcomingTreatmentIntent", date="2026-12-04")
    assert card(talk.say("SunIntent")) is None


def test_no_card_without_a_date_or_for_a_voice_that_may_be_someone_elses(talk, handler, api):
    assert card(talk.say("SunIntent")) is None
    member = Conversation(handler, api_endpoint=api.url, now=NOW, person_id="amzn1.ask.person.ALEX")
    member.launch()
    member.say("RecordTreatmentIntent", date="2026-11-20")
    guest = Conversation(handler, api_endpoint=api.url, now=NOW, user_id=member.user_id, device_id=member.device_id)
    guest.launch()
    assert card(guest.say("SunIntent")) is None
