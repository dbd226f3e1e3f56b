"""The words: escaping, dates, durations, and every phrase in every locale file renders."""

from __future__ import annotations

import re
import string
from datetime import date

import pytest

from laser_recovery.recovery import Protocol
from laser_recovery.speech import CONTENT_DIR, Speech, locale_file, speech_for

SPEECH = speech_for("en-US", Protocol.load())


def test_text_is_escaped_before_placeholders_are_filled():
    speech = Speech({**SPEECH._phrases, "t": {"x": "Sun & shade <b> {date}"}}, Protocol.load())
    assert speech.say("t.x", date=speech.calendar_date(date(2026, 1, 2))) == (
        'Sun &amp; shade &lt;b&gt; <say-as interpret-as="date">20260102</say-as>'
    )


@pytest.mark.parametrize(
    ("days", "spoken"),
    [(1, "1 day"), (4, "4 days"), (7, "a week"), (10, "10 days"), (14, "2 weeks"),
     (48, "6 weeks and 6 days"), (56, "8 weeks")],
)
def test_durations_in_weeks_and_days(days, spoken):
    assert SPEECH.duration(days) == spoken


def test_protocol_numbers_are_spoken_from_the_data_file():
    assert "6 to 8 weeks" in SPEECH.say("aftercare.items.sun")
    assert "7 to 10 days" in SPEECH.say("results.general")


def test_weekday_date():
    assert SPEECH.weekday_date(date(2026, 10, 3)) == 'Saturday, <say-as interpret-as="date">20261003</say-as>'


def test_other_english_locales_use_the_closest_content():
    assert locale_file("en-GB") == "en-US"
    assert locale_file("xx-YY") == "en-US"
    assert locale_file(None) == "en-US"


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
