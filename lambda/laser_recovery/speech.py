"""Words and SSML: turns the content files and the rules' answers into what Alexa says.

Text from the content files is escaped before placeholders are filled, and placeholder
values are SSML built here, so a stray "&" or "<" in the words can never break the markup.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from datetime import date, time
from functools import cache
from pathlib import Path
from typing import Any

from . import contentfile
from .recovery import Protocol

CONTENT_DIR = Path(__file__).parent / "content"
DEFAULT_LOCALE = "en-US"


class Speech:
    """The phrases of one locale, with the protocol's numbers already spoken."""

    def __init__(self, phrases: Mapping[str, Any], protocol: Protocol) -> None:
        self._phrases = phrases
        self.protocol = protocol
        self._numbers: dict[str, str] = {}
        terms = {name: escape(word) for name, word in phrases.get("terms", {}).items()}
        self._numbers = {
            **terms,
            "sun_minimum": self.duration(protocol.sun_minimum_days),
            "sun_safe": self.duration(protocol.sun_safe_days),
            "sun_range": self.span(protocol.sun_minimum_days, protocol.sun_safe_days),
            "makeup": self.duration(protocol.makeup_days),
            "results_range": self.span(protocol.results_from_days, protocol.results_by_days),
            "results_by": self.duration(protocol.results_by_days),
        }

    def text(self, key: str) -> Any:
        """The raw entry at a dotted key, e.g. "facts.order"."""
        node: Any = self._phrases
        for part in key.split("."):
            node = node[part]
        return node

    def say(self, key: str, **values: str | int) -> str:
        """The phrase at `key` as SSML, placeholders filled with SSML or numbers."""
        return escape(self.text(key)).format_map({**self._numbers, **values})

    def calendar_date(self, day: date) -> str:
        return f"{_DATE_MARK}{day:%Y%m%d}</say-as>"

    def weekday_date(self, day: date) -> str:
        return f"{self.text('calendar.weekdays')[day.weekday()]}, {self.calendar_date(day)}"

    def plain(self, speech: str) -> str:
        """SSML made plain text, for where nothing reads SSML: dates in words, no markup."""

        def spoken(match: re.Match[str]) -> str:
            day = date(int(match[1][:4]), int(match[1][4:6]), int(match[1][6:]))
            weekday = self.text("calendar.weekdays")[day.weekday()]
            month = self.text("calendar.months")[day.month - 1]
            words = str(self.text("calendar.plain_date"))
            return words.format(weekday=weekday, month=month, day=day.day, year=day.year)

        text = re.sub(rf"\w+, {_DATE_MARK}(\d{{8}})</say-as>", spoken, unwrap(speech))
        return re.sub(r"<[^>]+>", "", text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    def clock(self, at: time) -> str:
        """A time of day as the patient would say it: "8 a.m.", "7:30 p.m."."""
        hour = at.hour % 12 or 12
        half = self.say("calendar.am" if at.hour < 12 else "calendar.pm")
        if at.minute == 0:
            return self.say("calendar.clock_hour", hour=hour, half=half)
        return self.say("calendar.clock", hour=hour, minute=f"{at.minute:02d}", half=half)

    def days(self, n: int) -> str:
        return self.say("calendar.one_day") if n == 1 else self.say("calendar.days", n=n)

    def duration(self, days: int) -> str:
        """A span in weeks and days, the way people count recovery time."""
        weeks, rest = divmod(days, 7)
        if weeks == 0 or (weeks == 1 and rest):
            return self.days(days)
        spoken = self.say("calendar.one_week") if weeks == 1 else self.say("calendar.weeks", n=weeks)
        return spoken if rest == 0 else self.say("calendar.weeks_and_days", weeks=spoken, days=self.days(rest))

    def span(self, low: int, high: int) -> str:
        if low % 7 == 0 and high % 7 == 0:
            return self.say("calendar.weeks_range", low=low // 7, high=high // 7)
        return self.say("calendar.days_range", low=low, high=high)

    def ago(self, days: int) -> str:
        if days == 0:
            return self.say("calendar.today")
        if days == 1:
            return self.say("calendar.yesterday")
        return self.say("calendar.days_ago", days=self.days(days))

    def until(self, days: int) -> str:
        if days == 1:
            return self.say("calendar.tomorrow")
        return self.say("calendar.in_days", days=self.duration(days))

    def join(self, items: Sequence[str], conjunction: str | None = None) -> str:
        if len(items) <= 1:
            return "".join(items)
        last = conjunction if conjunction is not None else self.say("calendar.and")
        return f"{', '.join(items[:-1])} {last} {items[-1]}"


def escape(text: str) -> str:
    """Text made safe inside SSML: the three characters XML reserves in text.

    What xml.sax.saxutils.escape does, without importing it: it pulls in urllib.request and
    http.client, a fifth of a cold start.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def ssml(*parts: str) -> str:
    """One response's speech: the parts, a space apart, inside <speak>."""
    return "<speak>" + " ".join(p for p in parts if p) + "</speak>"


_DATE_MARK = '<say-as interpret-as="date">'


def names_a_date(speech: str) -> bool:
    """Whether the speech says a calendar date."""
    return _DATE_MARK in speech


def unwrap(speech: str) -> str:
    """The inside of one response's speech, to say it again within another."""
    return speech.removeprefix("<speak>").removesuffix("</speak>")


@cache
def _phrases(locale: str) -> Mapping[str, Any]:
    """A locale's words: the base English file, with the locale's own file laid over it (only
    the words that differ: spelling, terms, the order of a date in plain text)."""
    base = contentfile.load(CONTENT_DIR / f"{DEFAULT_LOCALE}.toml")
    if locale == DEFAULT_LOCALE:
        return base
    return layered(base, contentfile.load(CONTENT_DIR / f"{locale}.toml"))


def layered(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `over` laid on it, table by table; a key `base` lacks is an error."""
    merged = dict(base)
    for key, value in over.items():
        if key not in base:
            raise KeyError(f"{key!r} is not in the base words")
        merged[key] = layered(base[key], value) if isinstance(value, Mapping) else value
    return merged


# The skill's own content files, listed once: a request's locale only ever picks among them
# (it is never used as a path). A plain listing: Path.glob compiles a pattern on every start.
LOCALES = frozenset(
    name.removesuffix(".toml") for name in os.listdir(CONTENT_DIR) if name.endswith(".toml") and "-" in name
)


def locale_file(locale: str | None) -> str:
    """The content file for a locale: its own if the skill has one, else the default."""
    if locale in LOCALES:
        return locale
    return DEFAULT_LOCALE


def speech_for(locale: str | None, protocol: Protocol) -> Speech:
    return _speech(locale_file(locale), protocol)


@cache
def _speech(locale: str, protocol: Protocol) -> Speech:
    return Speech(_phrases(locale), protocol)
