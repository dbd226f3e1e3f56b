"""Whatever arrives in a slot, at any moment, in any locale: a spoken answer, never a crash."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from laser_recovery.config import Settings
from laser_recovery.skill import lambda_handler_for
from laser_recovery.store.sqlite import SQLiteStore
from tests.alexa import Conversation

MODEL = json.loads((Path(__file__).resolve().parent.parent / "interaction_models" / "en-US.json").read_text())
INTENTS = [intent["name"] for intent in MODEL["interactionModel"]["languageModel"]["intents"]]
ALEXA_DATES = [
    "2026-10-03",
    "2027-11-10",
    "XXXX-10-03",
    "2026-W47",
    "2026-W47-WE",
    "2026-11",
    "2026-WI",
    "2026",
    "201X",
    "PRESENT_REF",
    "2026-02-29",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
]
DURATIONS = ["P2W", "P3D", "P1M", "PT5H", "P?W", "P0D", "P99999Y", "PT", "P1Y2M3W4DT5H6M7S"]
APOLOGY = "something went wrong"


@pytest.fixture(scope="module")
def handler(tmp_path_factory: pytest.TempPathFactory):
    store = SQLiteStore(tmp_path_factory.mktemp("fuzz") / "store.sqlite3")
    return lambda_handler_for(Settings(), store=store)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    intents=st.lists(st.sampled_from([*INTENTS, "NoSuchIntent"]), min_size=1, max_size=4),
    date=st.one_of(st.none(), st.sampled_from(ALEXA_DATES), st.text(max_size=24)),
    duration=st.one_of(st.none(), st.sampled_from(DURATIONS), st.text(max_size=12)),
    when=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 12, 31), timezones=st.just(UTC)),
    locale=st.sampled_from(["en-US", "en-GB", "en-AU", "en-IN", "en-CA", "fr-FR", ""]),
)
def test_every_turn_gets_a_spoken_answer(handler, intents, date, duration, when, locale):
    talk = Conversation(handler, api_endpoint="", locale=locale, now=when.strftime("%Y-%m-%dT%H:%M:%SZ"))
    for i, intent in enumerate(intents):
        talk.now = (when + timedelta(days=9 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        reply = talk.say(intent, date=date, duration=duration)
        assert reply.ssml.startswith("<speak>") and reply.ssml.endswith("</speak>")
        assert APOLOGY not in reply.text, (intent, date, duration)
        assert "{" not in reply.ssml  # no placeholder left unfilled
        assert reply.ends in (True, False)
        if reply.ends is False:
            assert reply.reprompt
