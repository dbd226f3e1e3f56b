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
        "Results: starting to show between Friday, November 27, 2026 and Monday, November 30, 2026",
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


def test_a_date_change_replaces_the_card_and_forgetting_says_earlier_cards_stay(talk):
    """Found by review: the app kept the newest card's dates after they changed or were deleted."""
    talk.say("RecordTreatmentIntent", date="2026-09-01")
    assert "September 1, 2026" in card(talk.say("SunIntent"))["content"]
    changed = card(talk.say("CorrectTreatmentIntent", date="2026-11-01"))
    assert "November 1, 2026" in changed["content"] and "September" not in changed["content"]
    checking = card(talk.say("RecordTreatmentIntent", date="2026-11-27"))  # moved back a week, checked: no dates
    assert "have changed" in checking["content"] and "2026" not in checking["content"]
    talk.say("ForgetIntent")
    assert "deleted" in card(talk.say("AMAZON.YesIntent"))["content"]


def test_no_card_in_a_shared_app_while_others_keep_dates(handler, api):
    alex = Conversation(handler, api_endpoint=api.url, now=NOW, person_id="amzn1.ask.person.ALEX")
    api.zones[alex.device_id] = "Europe/London"
    alex.launch()
    alex.say("RecordTreatmentIntent", date="2026-11-20")
    assert card(alex.say("SunIntent")) is not None  # alone in the household: the app is theirs
    sam = Conversation(
        handler,
        api_endpoint=api.url,
        now=NOW,
        user_id=alex.user_id,
        device_id=alex.device_id,
        person_id="amzn1.ask.person.SAM",
    )
    sam.launch()
    assert card(sam.say("RecordTreatmentIntent", date="2026-11-10")) is None
    assert card(sam.say("SunIntent")) is None and card(alex.say("SunIntent")) is None
