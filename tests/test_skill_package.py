"""The voice interface and the manifest: one source of truth, consistent with the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.alexa import Conversation
from voice.grammar import MAX_SAMPLE_CHARS, MAX_SAMPLES_PER_INTENT, build

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = json.loads((ROOT / "skill-package" / "skill.json").read_text())["manifest"]
# Every English locale the skill publishes; each voice model passes the same checks.
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
SOURCES = {locale: ROOT / "interaction_models" / f"{locale}.json" for locale in LOCALES}
MODELS = {locale: json.loads(path.read_text())["interactionModel"] for locale, path in SOURCES.items()}


@pytest.fixture(params=LOCALES)
def locale(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def model(locale: str) -> dict:
    return MODELS[locale]


@pytest.fixture
def language(model: dict) -> dict:
    return model["languageModel"]


def test_the_ask_cli_copy_is_the_same_as_the_source(locale):
    copy = ROOT / "skill-package" / "interactionModels" / "custom" / f"{locale}.json"
    assert copy.read_bytes() == SOURCES[locale].read_bytes(), "run `make models`"


def test_the_committed_model_is_the_grammar_expanded(locale):
    assert build(locale) == json.loads(SOURCES[locale].read_text()), "stale: run `make models`"


def test_every_locale_the_manifest_publishes_has_a_model_and_nothing_else_does():
    published = set(MANIFEST["publishingInformation"]["locales"])
    assert published == set(LOCALES) == {path.stem for path in (ROOT / "interaction_models").glob("*.json")}
    assert published == set(MANIFEST["privacyAndCompliance"]["locales"])
    assert set(MANIFEST["publishingInformation"]["distributionCountries"]) == {"US", "GB", "CA", "AU", "IN"}


def test_the_model_keeps_inside_alexas_limits(locale, language):
    for intent in language["intents"]:
        samples = intent["samples"]
        assert len(samples) <= MAX_SAMPLES_PER_INTENT, intent["name"]
        for sample in samples:
            # Words spelled out (no digits), apostrophes and periods only, and not too long.
            assert len(sample) <= MAX_SAMPLE_CHARS and re.fullmatch(r"[A-Za-z' .{}]+", sample), sample
            assert sample == " ".join(sample.split()), sample
        for slot in intent.get("slots", []):
            for said in slot.get("samples", []):  # a slot sample always carries its own slot
                assert re.findall(r"{(\w+)}", said) == [slot["name"]], said
    assert len(SOURCES[locale].read_bytes()) < 1_500_000


def test_invocation_name(language):
    assert language["invocationName"] == "laser recovery"


def test_every_sample_is_unique_and_names_only_its_own_slots(language):
    seen: dict[str, str] = {}
    for intent in language["intents"]:
        slots = {slot["name"] for slot in intent.get("slots", [])}
        for sample in intent["samples"]:
            key = sample.lower()
            assert key not in seen, f"{sample!r} is in {seen.get(key)} and {intent['name']}"
            seen[key] = intent["name"]
            assert set(re.findall(r"{(\w+)}", sample)) <= slots, sample


def test_questions_have_many_natural_phrasings(language):
    counts = {i["name"]: len(i["samples"]) for i in language["intents"] if not i["name"].startswith("AMAZON.")}
    assert min(counts.values()) >= 14, counts
    busiest = ("SunIntent", "MakeupIntent", "RecordTreatmentIntent", "ResultsIntent", "ProgressIntent")
    assert all(counts[name] >= 100 for name in busiest), counts
    sun = {s.lower() for s in next(i for i in language["intents"] if i["name"] == "SunIntent")["samples"]}
    assert {"can i go out in the sun", "am i allowed to sunbathe", "is it safe to sunbathe now"} <= sun
    # Tanning and sunbeds are not sunbathing: the guide never clears them (H7).
    assert not {s for s in sun if "tan" in s.split() or "sunbed" in s}


def test_required_built_ins_are_present(language):
    names = {intent["name"] for intent in language["intents"]}
    assert {
        "AMAZON.HelpIntent",
        "AMAZON.StopIntent",
        "AMAZON.CancelIntent",
        "AMAZON.FallbackIntent",
        "AMAZON.NavigateHomeIntent",
        "AMAZON.YesIntent",
        "AMAZON.NoIntent",
        "AMAZON.RepeatIntent",
    } <= names


def test_every_slot_the_skill_elicits_is_in_the_dialog_model_with_all_its_slots(model, language):
    from laser_recovery.conversation import ELICITED_SLOTS

    dialog = {intent["name"]: intent for intent in model["dialog"]["intents"]}
    intents = {intent["name"]: intent for intent in language["intents"]}
    for name, slots in ELICITED_SLOTS.items():
        assert name in dialog, name
        assert tuple(s["name"] for s in intents[name]["slots"]) == slots, name
        assert any(slot.get("samples") for slot in intents[name]["slots"]), f"{name}: no slot samples"


def test_no_intent_sample_is_a_bare_slot(language):
    # A sample of nothing but a slot attracts unrelated speech; bare answers go through slot
    # elicitation, where the slot's own samples route them to the slot that asked.
    for intent in language["intents"]:
        for sample in intent["samples"]:
            assert re.sub(r"\{\w+\}", "", sample).replace("ago", "").strip(), (intent["name"], sample)


def test_dialog_prompts_exist(model):
    prompt_ids = {prompt["id"] for prompt in model["prompts"]}
    for intent in model["dialog"]["intents"]:
        for slot in intent["slots"]:
            for prompt_id in slot.get("prompts", {}).values():
                assert prompt_id in prompt_ids


def test_every_example_phrase_is_in_the_model(locale, language):
    samples = {s.lower() for i in language["intents"] for s in i["samples"]}
    for phrase in MANIFEST["publishingInformation"]["locales"][locale]["examplePhrases"]:
        # "to" is one of the connecting words Alexa takes between the invocation and the request.
        match = re.fullmatch(r"Alexa, (?:open|ask) laser recovery(?: (?:to )?(.+))?", phrase)
        assert match, phrase
        assert not match[1] or match[1].lower() in samples, phrase


def test_manifest_is_complete(locale):
    published = MANIFEST["publishingInformation"]["locales"][locale]
    for field in ("name", "summary", "description", "smallIconUri", "largeIconUri", "keywords"):
        assert published[field], field
    assert 1 <= len(published["examplePhrases"]) <= 3
    assert "not medical advice" in published["description"]
    assert MANIFEST["publishingInformation"]["category"]
    privacy = MANIFEST["privacyAndCompliance"]
    assert privacy["usesPersonalInfo"] is True and privacy["locales"][locale]["privacyPolicyUrl"]
    # The ASK CLI writes the events in, with the function's ARN, once the stack is up
    # (ask-resources.json; tests/test_deploy.py checks the manifest it then sends).
    resources = json.loads((ROOT / "ask-resources.json").read_text(encoding="utf-8"))
    events = resources["profiles"]["default"]["skillInfrastructure"]["userConfig"]["skillEvents"]
    assert "SKILL_DISABLED" in events["subscriptions"]
    for icon in ("smallIconUri", "largeIconUri"):
        assert (ROOT / "skill-package" / published[icon].removeprefix("file://")).is_file()
    # The reminders the skill sets need their permission declared, or Alexa never grants it.
    assert MANIFEST["permissions"] == [{"name": "alexa::alerts:reminders:skill:readwrite"}]


def test_every_intent_in_the_model_has_a_handler(handler_without_store_checks, locale, language):
    for intent in language["intents"]:
        if intent["name"] == "AMAZON.FallbackIntent":
            continue
        reply = Conversation(handler_without_store_checks, locale=locale).say(intent["name"])
        assert "didn't get that" not in reply.text, intent["name"]


@pytest.fixture
def handler_without_store_checks(tmp_path):
    from laser_recovery.config import Settings
    from laser_recovery.skill import lambda_handler_for
    from laser_recovery.store.sqlite import SQLiteStore

    return lambda_handler_for(Settings(), store=SQLiteStore(tmp_path / "s.sqlite3"))
