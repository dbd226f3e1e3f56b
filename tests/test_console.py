"""The talk-to-it console: the model's samples as a matcher, Alexa's date values, the
envelopes it builds, and a whole scripted conversation run the way a person would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from laser_recovery.console.alexa_dates import resolve_date, resolve_duration, words
from laser_recovery.console.alexa_times import resolve_time
from laser_recovery.console.envelopes import Session, envelope, intent_request, timestamp
from laser_recovery.console.nlu import FALLBACK, MODELS_DIR, Understanding
from laser_recovery.console.plain_text import speech_text
from laser_recovery.recovery import Protocol

TODAY = date(2026, 11, 24)  # a Tuesday, in ISO week 48
ROOT = Path(__file__).resolve().parents[1]
MODEL = json.loads((MODELS_DIR / "en-US.json").read_text(encoding="utf-8"))
PHRASES = tomllib.loads((ROOT / "lambda/laser_recovery/content/en-US.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def nlu() -> Understanding:
    return Understanding(MODEL)


# -- understanding: every sample is reachable ------------------------------------------

PLAUSIBLE = {"AMAZON.DATE": "october third", "AMAZON.DURATION": "two weeks", "AMAZON.TIME": "eight thirty a m"}


def _custom_values() -> dict[str, str]:
    types = MODEL["interactionModel"]["languageModel"]["types"]
    return {t["name"]: t["values"][0]["name"]["value"] for t in types}


def _filled_samples() -> list[tuple[str, str, dict[str, str]]]:
    """Every sample of every intent, placeholders filled with a plausible value of their type."""
    plausible = PLAUSIBLE | _custom_values()
    cases = []
    for intent in MODEL["interactionModel"]["languageModel"]["intents"]:
        types = {s["name"]: s["type"] for s in intent.get("slots", [])}
        for sample in intent["samples"]:
            text, filled = sample, {}
            for name, slot_type in types.items():
                if "{" + name + "}" in text:
                    text = text.replace("{" + name + "}", plausible[slot_type])
                    filled[name] = slot_type
            cases.append((intent["name"], text, filled))
    return cases


def test_every_sample_utterance_reaches_its_own_intent_with_its_slots(nlu: Understanding) -> None:
    missed = []
    for intent, said, slots in _filled_samples():
        match = nlu.understand(said, TODAY)
        if match.intent != intent or set(match.slots) != set(slots):
            missed.append(f"{said!r} ({intent}) went to {match.intent} {sorted(match.slots)} by {match.sample!r}")
    assert not missed, "\n".join(missed[:20])


def test_the_models_own_phrasings_match_and_punctuation_or_case_do_not_matter(nlu: Understanding) -> None:
    assert nlu.understand("can I go out in the sun", TODAY).intent == "SunIntent"
    assert nlu.understand("Can I go out in the sun?", TODAY).intent == "SunIntent"
    assert nlu.understand("What\u2019s next in my recovery", TODAY).intent == "ProgressIntent"
    assert nlu.understand("how long can't I sunbathe", TODAY).intent == "SunDurationIntent"


def test_a_phrasing_the_model_lacks_goes_to_fallback(nlu: Understanding) -> None:
    assert nlu.understand("what is the weather like on mars", TODAY).intent == FALLBACK
    assert nlu.understand("when do I get my results back from the lab", TODAY).fallback
    assert nlu.understand("", TODAY).fallback


def test_built_in_intents_understand_the_usual_words(nlu: Understanding) -> None:
    expected = {
        "yes please": "AMAZON.YesIntent",
        "nope": "AMAZON.NoIntent",
        "never mind": "AMAZON.CancelIntent",
        "exit": "AMAZON.StopIntent",
        "help": "AMAZON.HelpIntent",
        "say that again": "AMAZON.RepeatIntent",
        "go home": "AMAZON.NavigateHomeIntent",
        "tell me more": "AMAZON.NextIntent",
    }
    assert {said: nlu.understand(said, TODAY).intent for said in expected} == expected


def test_slots_carry_the_values_alexa_sends(nlu: Understanding) -> None:
    dated = nlu.understand("I had my treatment on October 3rd", TODAY)
    assert (dated.intent, dated.slots["date"].value) == ("RecordTreatmentIntent", "2027-10-03")
    ago = nlu.understand("it was 3 days ago", TODAY)
    assert (ago.intent, ago.slots["duration"].value) == ("RecordTreatmentIntent", "P3D")
    topic = nlu.understand("tell me about the procedure", TODAY).slots["topic"]
    assert (topic.value, topic.resolved_id, topic.resolved_name) == ("the procedure", "how", "how it works")


def test_a_slot_only_takes_words_that_make_a_value_of_its_type(nlu: Understanding) -> None:
    assert "topic" not in nlu.understand("tell me about bananas", TODAY).slots  # not a FACT_TOPIC value
    # Alexa would hear the question and leave the date it cannot read out: today's answer,
    # which is never more permissive than a later day's.
    birthday = nlu.understand("can I sunbathe on my birthday", TODAY)
    assert birthday.intent == "SunIntent" and not birthday.slots
    # "tell me more" is an exact sample of NextIntent: it beats "tell me {topic}".
    assert nlu.understand("tell me more", TODAY).intent == "AMAZON.NextIntent"


def test_an_elicited_slot_is_heard_through_the_slots_own_samples(nlu: Understanding) -> None:
    match = nlu.understand_slot("RecordTreatmentIntent", "date", "it was on the third of october", TODAY)
    assert match is not None and match.slots["date"].value == "2027-10-03"
    assert nlu.understand_slot("RecordTreatmentIntent", "date", "can I tan", TODAY) is None


# -- Alexa's date and duration values --------------------------------------------------


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("today", "2026-11-24"),
        ("yesterday", "2026-11-23"),
        ("tomorrow", "2026-11-25"),
        ("now", "PRESENT_REF"),
        ("right now", "PRESENT_REF"),
        ("monday", "2026-11-30"),  # the next Monday
        ("tuesday", "2026-11-24"),  # on or after today
        ("last monday", "2026-11-23"),
        ("next tuesday", "2026-12-01"),
        ("october third", "2027-10-03"),  # yearless: the next such date, never moved back
        ("October 3rd", "2027-10-03"),
        ("the third of october", "2027-10-03"),
        ("3 october", "2027-10-03"),
        ("october third 2025", "2025-10-03"),
        ("October 3rd, 2026", "2026-10-03"),
        ("october third twenty twenty five", "2025-10-03"),
        ("november tenth", "2027-11-10"),
        ("november twenty-fourth", "2026-11-24"),
        ("november twenty fifth", "2026-11-25"),
        ("december thirty first", "2026-12-31"),
        ("february twenty ninth", "2028-02-29"),
        ("this week", "2026-W48"),
        ("next week", "2026-W49"),
        ("last week", "2026-W47"),
        ("this weekend", "2026-W48-WE"),
        ("november", "2026-11"),
        ("this month", "2026-11"),
        ("last month", "2026-10"),
        ("next month", "2026-12"),
        ("november 2025", "2025-11"),
        ("this winter", "2026-WI"),
        ("this year", "2026"),
        ("last year", "2025"),
        ("the nineties", "199X"),
        ("the eighties", "198X"),
    ],
)
def test_spoken_dates_resolve_as_amazon_date_does(said: str, value: str) -> None:
    assert resolve_date(said, TODAY) == value


@pytest.mark.parametrize(
    "said", ["banana", "on october third", "february thirtieth", "october", "the thirty second of may", ""]
)
def test_words_that_are_not_one_date_resolve_to_nothing(said: str) -> None:
    expected = "2027-10" if said == "october" else None  # a bare month is a month value
    assert resolve_date(said, TODAY) == expected


def test_weeks_are_iso_weeks_across_a_year_end() -> None:
    assert resolve_date("next week", date(2026, 12, 31)) == "2027-W01"
    assert resolve_date("last week", date(2027, 1, 1)) == "2026-W52"


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("two weeks", "P2W"),
        ("3 days", "P3D"),
        ("a month", "P1M"),
        ("a week", "P1W"),
        ("thirty days", "P30D"),
        ("twenty one days", "P21D"),
        ("an hour", "PT1H"),
        ("two weeks and three days", "P2W3D"),
        ("banana", None),
        ("weeks", None),
        ("two", None),
    ],
)
def test_spoken_durations_resolve_as_amazon_duration_does(said: str, value: str | None) -> None:
    assert resolve_duration(said) == value


# -- envelopes and speech --------------------------------------------------------------


def test_the_timestamp_is_the_local_moment_in_utc() -> None:
    local = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert timestamp(local) == "2026-11-24T18:00:00Z"


def test_an_intent_request_is_a_real_envelope_with_entity_resolution(nlu: Understanding) -> None:
    match = nlu.understand("what about the procedure", TODAY)
    body = envelope(
        intent_request(match, ["topic"]),
        Session(),
        locale="en-US",
        now=datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("UTC")),
    )
    # The console's own API client answers the time-zone lookup in process, never over the network.
    assert body["context"]["System"]["apiEndpoint"] == "https://api.amazonalexa.com"
    parsed = DefaultSerializer().deserialize(json.dumps(body), RequestEnvelope)
    slot = parsed.request.intent.slots["topic"]
    authority = slot.resolutions.resolutions_per_authority[0]
    assert (slot.value, authority.status.code.value, authority.values[0].value.id) == (
        "the procedure",
        "ER_SUCCESS_MATCH",
        "how",
    )


def test_speech_is_shown_as_the_words_a_listener_hears() -> None:
    ssml = '<speak>On <say-as interpret-as="date">20261003</say-as> &amp; <break time="1s"/>later.</speak>'
    assert speech_text(ssml) == "On October 3, 2026 & later."
    assert speech_text("<speak>Not <b>closed") == "Not closed"


# -- the console, run as a person would ------------------------------------------------


def _console(tmp_path: Path, lines: list[str], *options: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "lambda"), "NO_COLOR": "1"}
    env.pop("TABLE_NAME", None)
    return subprocess.run(
        [sys.executable, "-m", "laser_recovery.console", *options],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )


def _answers(stdout: str) -> dict[str, str]:
    """What was printed after each typed line, keyed by the line (later repeats get a suffix)."""
    answers: dict[str, str] = {}
    key = ""
    for line in stdout.splitlines():
        if line.startswith("> "):
            key = line[2:]
            while key in answers:
                key += " (again)"
            answers[key] = ""
        else:
            answers[key] = (answers.get(key, "") + "\n" + line).strip()
    return answers


def _start(key: str) -> str:
    """A content phrase up to its first placeholder: robust to the numbers it quotes."""
    node = PHRASES
    for part in key.split("."):
        node = node[part]
    return node.split("{")[0]


def _spoken(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def test_a_scripted_session_walks_through_a_recovery(tmp_path: Path) -> None:
    store = tmp_path / "chat.sqlite3"
    result = _console(
        tmp_path,
        [
            "can I sunbathe yet",
            "I had my treatment on October 3rd",
            "can I wear makeup",
            ":today 2026-11-28",
            "can I sunbathe yet",
            "forget my treatment date",
            "yes",
            "stop",
        ],
        # 18:00 in Los Angeles is already November 25 in UTC: "52 days ago" proves the skill
        # asked for the device's zone and got the console's.
        "--today",
        "2026-11-24",
        "--time",
        "18:00",
        "--time-zone",
        "America/Los_Angeles",
        "--store",
        str(store),
    )
    assert result.returncode == 0, result.stderr
    said = _answers(result.stdout)
    treated = date(2026, 10, 3)  # said without a year, resolved to 2027 by "Alexa", moved back by the skill
    safe = treated + timedelta(days=Protocol.load().sun_safe_days)

    assert _start("welcome.first") in said["can I sunbathe yet"]
    assert _start("treatment.ask_first") in said["can I sunbathe yet"]
    recorded = said["I had my treatment on October 3rd"]
    assert _spoken(treated) in recorded and "52 days ago" in recorded
    assert _start("treatment.moved_year") in recorded  # Alexa sent 2027: the skill says it moved it
    assert "last year" not in recorded  # 2026 is this year
    assert _start("sun.ask_specialist") in recorded and _spoken(safe) in recorded  # the question left pending
    assert _start("makeup.minimum_passed") in said["can I wear makeup"]
    assert "Saturday, 2026-11-28" in said[":today 2026-11-28"]
    later = said["can I sunbathe yet (again)"]
    assert _start("welcome.back") in later and _start("sun.safe") in later  # a new day, a new session
    assert _start("forget.confirm") in said["forget my treatment date"]
    assert _start("forget.done") in said["yes"]
    assert said["stop"] == _start("goodbye.speech") + "\n(session ended)"
    assert store.exists()
    assert "<" not in result.stdout and "20261003" not in result.stdout  # plain text, dates spoken


def test_the_console_plays_the_reminders_permission_and_keeps_the_reminders(tmp_path: Path) -> None:
    lines = [
        "open laser recovery",
        "I had my treatment on november twentieth",
        "remind me when I can sunbathe",
        "remind me to put on sunscreen every day at eight a m",
        "actually it was november twenty second",
        ":reminders",
        "cancel my reminders",
        ":reminders",
    ]
    options = ("--today", "2026-11-24", "--time", "09:00", "--time-zone", "Europe/London")
    result = _console(tmp_path, lines, *options, "--store", str(tmp_path / "chat.sqlite3"))
    assert result.returncode == 0, result.stderr
    said = _answers(result.stdout)
    assert "the console says yes" in said["remind me when I can sunbathe"]
    assert "January 15, 2027" in said["remind me when I can sunbathe"]
    assert "every day at 8 a.m." in said["remind me to put on sunscreen every day at eight a m"]
    assert _start("reminders.moved") in said["actually it was november twenty second"]
    listed = said[":reminders"]
    assert "2027-01-17T10:00:00: It's 8 weeks since your laser treatment on Sunday, November 22, 2026" in listed
    assert "daily from 2026-11-25T08:00:00 until 2027-01-17T00:00:00" in listed
    assert _start("reminders.cancelled") in said["cancel my reminders"]
    assert said[":reminders (again)"] == "(no reminders set)"


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("eight a m", "08:00"),
        ("8 30 pm", "20:30"),
        ("half past seven", "07:30"),
        ("quarter to nine in the morning", "08:45"),
        ("seven thirty in the evening", "19:30"),
        ("noon", "12:00"),
        ("twelve a m", "00:00"),
        ("20 00", "20:00"),
        ("morning", "MO"),
        ("eight", "08:00"),
        ("banana", None),
        ("thirteen p m", None),
        ("october third", None),
    ],
)
def test_spoken_times_resolve_as_amazon_time_does(said: str, value: str | None) -> None:
    assert resolve_time(words(said)) == value


def test_one_shots_fallbacks_and_debug_show_what_alexa_would_send(tmp_path: Path) -> None:
    result = _console(
        tmp_path,
        [
            "ask laser recovery to tell me about the procedure",
            "open laser recovery",
            "what is the meaning of life",
            "record my treatment",
            "two weeks ago",
            ":quit",
            "help",
        ],
        "--today",
        "2026-11-24",
        "--time-zone",
        "Europe/London",
        "--store",
        str(tmp_path / "s.db"),
        "--debug",
    )
    assert result.returncode == 0, result.stderr
    said = _answers(result.stdout)
    one_shot = said["ask laser recovery to tell me about the procedure"]
    assert "LaunchRequest" not in one_shot and "FactsIntent topic=how" in one_shot
    assert one_shot.endswith("(session ended)")
    assert "Alexa would send AMAZON.FallbackIntent" in said["what is the meaning of life"]
    assert "listens for the date slot of RecordTreatmentIntent" in said["record my treatment"]
    assert "dialogState=IN_PROGRESS duration=P2W" in said["two weeks ago"]
    assert _spoken(date(2026, 11, 10)) in said["two weeks ago"]
    assert "help" not in said  # nothing is read after :quit


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        (["--today", "2026-13-01"], "2026-13-01"),
        (["--time-zone", "Mars/Olympus_Mons"], "Mars/Olympus_Mons"),
        (["--time", "25:99"], "25:99"),
        (["--locale", "xx-XX"], "xx-XX"),
    ],
)
def test_bad_options_stop_with_one_line_and_status_2(tmp_path: Path, options: list[str], complaint: str) -> None:
    result = _console(tmp_path, [], *options, "--store", str(tmp_path / "s.db"))
    assert result.returncode == 2
    assert complaint in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
