"""Every English locale: layered words (a base file and small overrides), the core questions
and the safety cases as real envelopes in each locale on both stores, and the fallback for a
locale the skill does not have."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest

from laser_recovery.recovery import Protocol
from laser_recovery.speech import CONTENT_DIR, DEFAULT_LOCALE, LOCALES, speech_for
from tests.alexa import Conversation, SettingsApi

ENGLISH = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
NOW = "2026-11-24T18:00:00Z"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
BASE = tomllib.loads((CONTENT_DIR / f"{DEFAULT_LOCALE}.toml").read_text(encoding="utf-8"))


def keys(table: Mapping[str, Any], prefix: str = "") -> set[str]:
    found = set()
    for name, value in table.items():
        found |= keys(value, f"{prefix}{name}.") if isinstance(value, Mapping) else {f"{prefix}{name}"}
    return found


def test_the_skill_has_every_english_locale():
    assert set(ENGLISH) == LOCALES


@pytest.mark.parametrize("locale", ENGLISH[1:])
def test_a_locale_file_only_overrides_words_the_base_has(locale: str):
    own = tomllib.loads((CONTENT_DIR / f"{locale}.toml").read_text(encoding="utf-8"))
    assert keys(own) <= keys(BASE), keys(own) - keys(BASE)
    assert len(keys(own)) < len(keys(BASE)) / 10  # small overrides, not a second copy


@pytest.mark.parametrize("locale", ENGLISH)
def test_every_phrase_of_every_locale_takes_the_base_phrases_placeholders(locale: str):
    speech, base = speech_for(locale, Protocol.load()), speech_for(DEFAULT_LOCALE, Protocol.load())
    for key in keys(BASE):
        mine, theirs = speech.text(key), base.text(key)
        if isinstance(mine, str):
            assert set(PLACEHOLDER.findall(mine)) == set(PLACEHOLDER.findall(theirs)), (locale, key)
    terms = set(BASE["terms"])
    assert "high-factor {sunscreen}" in BASE["sunscreen"]["speech"] and terms == set(speech.text("terms"))


def test_british_english_says_sun_cream_and_writes_the_day_first():
    british = speech_for("en-GB", Protocol.load())
    assert "high-factor sun cream" in british.say("sunscreen.speech")
    assert "moisturiser" in british.say("skincare.speech")
    assert british.plain(british.weekday_date(date(2026, 11, 28))) == "Saturday 28 November 2026"
    american = speech_for("en-US", Protocol.load())
    assert "high-factor sunscreen" in american.say("sunscreen.speech") and "moisturizer" in american.say(
        "skincare.speech"
    )
    assert american.plain(american.weekday_date(date(2026, 11, 28))) == "Saturday, November 28, 2026"


@pytest.mark.parametrize("locale", ["en-NZ", "en-ZA", "en", "fr-FR", "EN-gb", None])
def test_a_locale_the_skill_does_not_have_gets_the_base_english(handler, api: SettingsApi, locale):
    talk = Conversation(handler, api_endpoint=api.url, now=NOW, locale=locale or "en-US")
    api.zones[talk.device_id] = "Pacific/Auckland"
    talk.launch()
    reply = talk.say("RecordTreatmentIntent", date="2026-11-20")
    assert "Got it" in reply.text and "something went wrong" not in reply.text


@pytest.fixture(params=ENGLISH)
def patient(request, handler, api: SettingsApi) -> Conversation:
    talk = Conversation(handler, api_endpoint=api.url, now=NOW, locale=request.param)
    api.zones[talk.device_id] = "Europe/London"
    talk.launch()
    return talk


def test_the_core_questions_in_every_locale(patient: Conversation):
    patient.say("RecordTreatmentIntent", date="2026-10-01")  # day 54 in London
    sun = patient.say("SunIntent")
    assert sun.text.startswith("Not yet.") and "20261126" in sun.ssml  # the full 8 weeks end on November 26th
    assert "has passed" in patient.say("MakeupIntent").text
    assert "Today is day 54" in patient.say("ProgressIntent").text
    patient.now = "2026-11-26T09:00:00Z"
    patient.hang_up()
    assert patient.say("SunIntent").text.startswith("Yes.")


def test_the_safety_cases_in_every_locale(patient: Conversation, api: SettingsApi):
    # A date said for a day still to come is moved back and checked before any "yes" rests on it.
    assert "Just to check" in patient.say("RecordTreatmentIntent", date="2026-12-12").text
    assert not patient.say("SunIntent").text.startswith("Yes.")
    patient.say("AMAZON.NoIntent")
    # Day 55 at 23:30 in London is day 56 in Auckland: with the zone unknown, no "yes" yet.
    patient.hang_up()
    patient.say("RecordTreatmentIntent", date="2026-09-30")
    api.zones.clear()
    patient.hang_up()
    patient.now = "2026-11-24T23:30:00Z"
    assert not patient.say("SunIntent").text.startswith("Yes.")
