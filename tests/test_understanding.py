"""How well the voice model understands patients: phrasings written apart from the grammar
(tests/utterances/), run through the console's stand-in for Alexa's NLU.

`en-US.dev*.tsv` are for tuning: their misses are printed. `en-US.test.tsv` is held out: only its
rates are printed, and `make test` fails under 90% overall or for any family of intents.
Neither file's phrases may be copied into the grammar (a test below checks).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from laser_recovery.console.nlu import Understanding

UTTERANCES = Path(__file__).resolve().parent / "utterances"
MODEL = Path(__file__).resolve().parent.parent / "interaction_models" / "en-US.json"
TODAY = date(2026, 11, 24)
PASS_RATE = 0.90  # the held-out set's bar, per family and overall
# Reminders (issue 10), written by a helper who never saw the grammar: held out like the test set.
HELD_OUT_REMINDERS = "en-US.reminders.tsv"
DEV_FLOOR = 0.85  # the development sets': an alarm for a grammar change that loses ground
FAMILIES = {
    "the sun": ("SunIntent", "SunDurationIntent", "SunscreenIntent", "OutdoorsIntent", "TanningIntent"),
    "the skin": ("RednessIntent", "PeelingIntent", "SymptomIntent", "SensitivityIntent", "SkincareIntent"),
    "recovery": ("MakeupIntent", "ResultsIntent", "ProgressIntent", "OutcomeIntent", "AreasIntent"),
    "reading": ("FactsIntent", "AftercareIntent"),
    "dates": (
        "RecordTreatmentIntent",
        "CorrectTreatmentIntent",
        "ForgetIntent",
        "UnsureIntent",
        "UpcomingTreatmentIntent",
        "RemindIntent",
        "CancelRemindersIntent",
    ),
    "not covered": ("NotCoveredIntent",),
    "built-in": (
        "AMAZON.HelpIntent",
        "AMAZON.StopIntent",
        "AMAZON.CancelIntent",
        "AMAZON.RepeatIntent",
        "AMAZON.YesIntent",
        "AMAZON.NoIntent",
    ),
    "not for us": ("AMAZON.FallbackIntent",),
}


@dataclass(frozen=True)
class Phrase:
    intent: str
    text: str
    slots: frozenset[str]


def phrases(name: str) -> list[Phrase]:
    found = []
    for line in (UTTERANCES / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        intent, text, *rest = line.split("\t")
        slots = frozenset(s.strip() for s in (rest[0] if rest else "").split(",") if s.strip())
        found.append(Phrase(intent.strip(), text.strip(), slots))
    return found


def family(intent: str) -> str:
    return next(name for name, members in FAMILIES.items() if intent in members)


def understood(nlu: Understanding, phrase: Phrase) -> tuple[bool, str]:
    """Right intent, and every slot the phrase carries filled (a date heard as a date)."""
    match = nlu.understand(phrase.text, TODAY)
    return match.intent == phrase.intent and phrase.slots <= set(match.slots), match.intent


def rates(name: str, model: Path = MODEL) -> tuple[dict[str, list[bool]], list[str]]:
    nlu = Understanding(json.loads(model.read_text()))
    by_family: dict[str, list[bool]] = defaultdict(list)
    misses = []
    for phrase in phrases(name):
        hit, got = understood(nlu, phrase)
        by_family[family(phrase.intent)].append(hit)
        if not hit:
            misses.append(f"  {phrase.intent:<28} {phrase.text!r} -> {got}")
    return by_family, misses


def report(name: str, by_family: dict[str, list[bool]]) -> str:
    every = [hit for hits in by_family.values() for hit in hits]
    lines = [f"understanding, {name}: {sum(every)}/{len(every)} = {sum(every) / len(every):.1%}"]
    lines += [f"  {fam:<12} {sum(h)}/{len(h)} = {sum(h) / len(h):.1%}" for fam, h in by_family.items()]
    return "\n".join(lines)


def test_every_phrase_names_an_intent_of_the_model_and_every_intent_is_tried():
    model = json.loads(MODEL.read_text())["interactionModel"]["languageModel"]
    names = {intent["name"] for intent in model["intents"]}
    sets = ("en-US.dev.tsv", "en-US.dev2.tsv", "en-US.dev3.tsv", "en-US.dev4.tsv", "en-US.test.tsv", HELD_OUT_REMINDERS)
    for name in sets:
        used = {phrase.intent for phrase in phrases(name)}
        assert used <= names, used - names
        assert all(family(intent) for intent in used)
        if name not in ("en-US.dev3.tsv", "en-US.dev4.tsv", HELD_OUT_REMINDERS):  # sets about one subject
            assert all(any(i in used for i in members) for members in FAMILIES.values()), name


def test_no_held_out_phrase_is_copied_into_the_grammar():
    # Many phrasings coincide with some expansion of the grammar (that is the point of it), and
    # short everyday ones ("how does this work") with its text; no longer one may be written
    # into the grammar itself. Only a count is shown: nobody reads them.
    grammar = " ".join((Path(__file__).resolve().parent.parent / "voice" / "en-US.toml").read_text().lower().split())
    held_out = phrases("en-US.test.tsv") + phrases(HELD_OUT_REMINDERS)
    copied = [p for p in held_out if len(p.text.split()) >= 5 and p.text.lower() in grammar]
    clean = not copied  # a bare flag, so a failure shows no held-out phrase
    assert clean, f"{len(copied)} held-out phrasings are written into voice/en-US.toml"


@pytest.mark.parametrize("name", ["en-US.dev.tsv", "en-US.dev2.tsv", "en-US.dev3.tsv", "en-US.dev4.tsv"])
def test_the_dev_phrasings_are_understood(capsys: pytest.CaptureFixture[str], name: str):
    by_family, misses = rates(name)
    with capsys.disabled():
        print("\n" + report(name, by_family) + ("\n  missed:\n" + "\n".join(misses) if misses else ""))
    every = [hit for hits in by_family.values() for hit in hits]
    assert sum(every) / len(every) >= DEV_FLOOR


def test_the_held_out_phrasings_are_understood(capsys: pytest.CaptureFixture[str]):
    by_family, _ = rates("en-US.test.tsv")  # misses are not shown: nobody tunes to this set
    with capsys.disabled():
        print("\n" + report("held-out set", by_family))
    every = [hit for hits in by_family.values() for hit in hits]
    assert sum(every) / len(every) >= PASS_RATE
    assert all(sum(h) / len(h) >= PASS_RATE for h in by_family.values())


def test_the_held_out_reminder_phrasings_are_understood(capsys: pytest.CaptureFixture[str]):
    by_family, _ = rates(HELD_OUT_REMINDERS)  # misses are not shown: nobody tunes to this set
    with capsys.disabled():
        print("\n" + report("held-out reminders", by_family))
    every = [hit for hits in by_family.values() for hit in hits]
    assert sum(every) / len(every) >= PASS_RATE


@pytest.mark.parametrize("locale", ["en-GB", "en-CA", "en-AU", "en-IN"])
def test_every_locales_model_understands_the_held_out_phrasings(capsys: pytest.CaptureFixture[str], locale: str):
    """Each locale's model is the US grammar with its own words added: it must understand
    the held-out phrasings as well (they are US English; no set is written per locale)."""
    model = MODEL.with_name(f"{locale}.json")
    for name in ("en-US.test.tsv", HELD_OUT_REMINDERS):
        by_family, _ = rates(name, model)
        with capsys.disabled():
            print("\n" + report(f"{name} through the {locale} model", by_family))
        every = [hit for hits in by_family.values() for hit in hits]
        assert sum(every) / len(every) >= PASS_RATE
