"""The words: escaping, dates, durations, and every phrase in every locale file renders."""

from __future__ import annotations

import re
import string
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from laser_recovery import speech as speech_module
from laser_recovery.recovery import Protocol
from laser_recovery.speech import CONTENT_DIR, Speech, locale_file, speech_for, ssml, unwrap

SPEECH = speech_for("en-US", Protocol.load())


def test_text_is_escaped_before_placeholders_are_filled():
    speech = Speech({**SPEECH._phrases, "t": {"x": "Sun & shade <b> {date}"}}, Protocol.load())
    assert speech.say("t.x", date=speech.calendar_date(date(2026, 1, 2))) == (
        'Sun &amp; shade &lt;b&gt; <say-as interpret-as="date">20260102</say-as>'
    )


@pytest.mark.parametrize(
    ("days", "spoken"),
    [
        (1, "1 day"),
        (4, "4 days"),
        (7, "a week"),
        (10, "10 days"),
        (14, "2 weeks"),
        (48, "6 weeks and 6 days"),
        (56, "8 weeks"),
    ],
)
def test_durations_in_weeks_and_days(days, spoken):
    assert SPEECH.duration(days) == spoken


def test_protocol_numbers_are_spoken_from_the_data_file():
    assert "6 to 8 weeks" in SPEECH.say("aftercare.items.sun")
    assert "7 to 10 days" in SPEECH.say("results.general")


def test_weekday_date():
    assert SPEECH.weekday_date(date(2026, 10, 3)) == 'Saturday, <say-as interpret-as="date">20261003</say-as>'


def test_each_english_locale_has_its_words_and_any_other_gets_the_base():
    for locale in ("en-US", "en-GB", "en-CA", "en-AU", "en-IN"):
        assert locale_file(locale) == locale
    for other in ("en-NZ", "xx-YY", "en-gb", None):
        assert locale_file(other) == "en-US"


@pytest.mark.parametrize("hostile", ["../../../pyproject", "/etc/passwd", "../../../../**/*/**/en", "en-US/../x", "**"])
def test_a_locale_is_never_a_path(hostile):
    # Found by review: a locale once named any .toml on disk, or walked the filesystem.
    assert locale_file(hostile) == "en-US"
    assert speech_for(hostile, Protocol.load()).say("goodbye.speech").startswith("Take good care")


def _phrases(node, prefix=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _phrases(value, f"{prefix}{key}.")
    elif isinstance(node, str):
        yield prefix[:-1], node


@pytest.mark.parametrize("locale", [p.stem for p in CONTENT_DIR.glob("*-*.toml")])
def test_every_phrase_renders_as_valid_ssml(locale):
    speech = speech_for(locale, Protocol.load())
    for key, text in _phrases(speech._phrases):
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        rendered = speech.say(key, **dict.fromkeys(names, "X"))
        assert "{" not in rendered and not re.search(r"&(?!amp;|lt;|gt;)", rendered), key
        assert not re.search(r"\d", text) or key in ("facts.items.common", "calendar.one_day"), (
            f"{key}: protocol numbers belong in protocol.toml"
        )


# -- found by `make mutate` ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "spoken"),
    [
        (42, 56, "6 to 8 weeks"),
        (7, 14, "1 to 2 weeks"),
        (7, 10, "7 to 10 days"),
        (14, 20, "14 to 20 days"),
        (10, 14, "10 to 14 days"),
    ],
)
def test_a_range_is_in_weeks_only_when_both_ends_are_whole_weeks(low, high, spoken):
    assert SPEECH.span(low, high) == spoken


def test_another_clinics_numbers_are_spoken_from_its_protocol():
    clinic = replace(
        Protocol.load(), sun_minimum_days=56, sun_safe_days=84, makeup_days=14, results_from_days=5, results_by_days=9
    )
    speech = Speech(SPEECH._phrases, clinic)
    assert "for 8 to 12 weeks" in speech.say("aftercare.items.sun")
    assert "Avoid makeup for 2 weeks or more" in speech.say("aftercare.items.makeup")
    assert "within 5 to 9 days" in speech.say("results.general")
    sun = speech.say("sun.ask_specialist", treatment="T", safe_date="S")
    assert "The minimum of 8 weeks since" in sun and "the full 12 weeks only end on S" in sun


@pytest.mark.parametrize(
    ("items", "conjunction", "joined"),
    [
        ([], None, ""),
        (["a"], None, "a"),
        (["a", "b"], None, "a and b"),
        (["a", "b", "c"], None, "a, b and c"),
        (["a", "b", "c", "d"], None, "a, b, c and d"),
        (["a", "b"], "or", "a or b"),
    ],
)
def test_a_list_is_said_with_commas_and_its_last_item_after_the_conjunction(items, conjunction, joined):
    assert SPEECH.join(items, conjunction) == joined


def test_one_responses_speech_is_its_parts_inside_speak_and_can_be_said_again_inside_another():
    assert ssml("Hello.", "", "Goodbye.") == "<speak>Hello. Goodbye.</speak>"
    assert unwrap(ssml("Hello.")) == "Hello."
    assert ssml(unwrap(ssml("Hello.")), "Goodbye.") == "<speak>Hello. Goodbye.</speak>"


def test_a_locale_with_its_own_content_file_speaks_from_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "en-US.toml").write_text((CONTENT_DIR / "en-US.toml").read_text())
    (tmp_path / "en-GB.toml").write_text('[goodbye]\nspeech = "Take care. Cheerio."\n')  # only what differs
    monkeypatch.setattr(speech_module, "CONTENT_DIR", tmp_path)
    monkeypatch.setattr(speech_module, "LOCALES", frozenset({"en-US", "en-GB"}))
    speech_module._phrases.cache_clear()
    speech_module._speech.cache_clear()
    try:
        british = speech_for("en-GB", Protocol.load())
        assert british.say("goodbye.speech") == "Take care. Cheerio."
        assert british.say("help.reprompt") == speech_for("en-US", Protocol.load()).say("help.reprompt")  # the base
        assert speech_for("en-AU", Protocol.load()).say("goodbye.speech") == "Take good care of your skin. Goodbye."
    finally:
        speech_module._phrases.cache_clear()
        speech_module._speech.cache_clear()
