"""Typed words to an intent and slots, using only the interaction model's sample utterances.

The samples are the source of truth: a sentence the model has no sample for goes to
AMAZON.FallbackIntent, exactly as it would on a device, so the console also shows where
the model lacks a phrasing. Matching is by whole words, case and punctuation ignored;
a {slot} placeholder takes the words that make a value of its slot type (a date for
AMAZON.DATE, a duration for AMAZON.DURATION, a value or synonym for a custom type).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .alexa_dates import resolve_date, resolve_duration, words

MODELS_DIR = Path(__file__).resolve().parents[3] / "interaction_models"
FALLBACK = "AMAZON.FallbackIntent"

# What Alexa's built-in intents understand without samples (plus any the model adds).
BUILT_IN_SAMPLES: dict[str, tuple[str, ...]] = {
    "AMAZON.YesIntent": ("yes", "yeah", "sure", "yes please"),
    "AMAZON.NoIntent": ("no", "no thanks", "nope"),
    "AMAZON.StopIntent": ("stop", "quit", "exit", "goodbye"),
    "AMAZON.CancelIntent": ("cancel", "never mind"),
    "AMAZON.HelpIntent": ("help",),
    "AMAZON.RepeatIntent": ("repeat", "again"),
    "AMAZON.NavigateHomeIntent": ("home", "go home"),
    "AMAZON.NextIntent": ("next",),
}

_PLACEHOLDER = re.compile(r"^\{(\w+)\}$")


class ModelError(ValueError):
    """The interaction model file is missing or not one the console can read."""


@dataclass(frozen=True)
class Slot:
    """A filled slot as Alexa sends it: the words heard, the value, and for a custom
    type the entity it resolved to."""

    name: str
    heard: str
    value: str
    resolved_id: str | None = None
    resolved_name: str | None = None
    slot_type: str = ""


@dataclass(frozen=True)
class Match:
    intent: str
    slots: dict[str, Slot] = field(default_factory=dict)
    sample: str | None = None  # the sample utterance that matched; None for the fallback

    @property
    def fallback(self) -> bool:
        return self.sample is None


@dataclass(frozen=True)
class Sample:
    intent: str
    text: str
    parts: tuple[str, ...]  # literal words, or "{slot}" placeholders
    order: int

    @property
    def literal_words(self) -> int:
        return sum(1 for p in self.parts if not _PLACEHOLDER.match(p))

    @property
    def has_slots(self) -> bool:
        return self.literal_words != len(self.parts)


def _sample(intent: str, text: str, order: int) -> Sample:
    # Placeholders are kept whole; everything else is normalised the way input is.
    parts: list[str] = []
    for piece in re.split(r"(\{\w+\})", text):
        parts.extend([piece] if _PLACEHOLDER.match(piece) else words(piece))
    return Sample(intent, text, tuple(parts), order)


class Understanding:
    """An interaction model compiled into a matcher."""

    def __init__(self, model: dict[str, Any]) -> None:
        language = model["interactionModel"]["languageModel"]
        self.invocation = " ".join(words(language.get("invocationName", "")))
        self._types = {t["name"]: _entities(t) for t in language.get("types", [])}
        self.slot_types: dict[str, dict[str, str]] = {}  # intent -> slot -> type
        self.slot_samples: dict[tuple[str, str], list[Sample]] = {}  # for slot elicitation
        self.samples: list[Sample] = []
        for intent in language["intents"]:
            name = intent["name"]
            self.slot_types[name] = {s["name"]: s["type"] for s in intent.get("slots", [])}
            texts = list(intent.get("samples", []))
            texts += [t for t in BUILT_IN_SAMPLES.get(name, ()) if t not in texts]
            self.samples += [_sample(name, t, len(self.samples) + i) for i, t in enumerate(texts)]
            for slot in intent.get("slots", []):
                self.slot_samples[(name, slot["name"])] = [
                    _sample(name, t, i) for i, t in enumerate(slot.get("samples", []))
                ]
        dialog = model["interactionModel"].get("dialog", {})
        self.dialog_intents = {i["name"] for i in dialog.get("intents", [])}

    @classmethod
    def for_locale(cls, locale: str, models_dir: Path = MODELS_DIR) -> Understanding:
        path = models_dir / f"{locale}.json"
        try:
            return cls(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise ModelError(f"no interaction model for {locale} ({path} not found)") from None
        except (ValueError, KeyError, TypeError) as bad:
            raise ModelError(f"cannot read the interaction model {path}: {type(bad).__name__}") from None

    def understand(self, text: str, today: date) -> Match:
        """The best sample for the words: exact (no slot) first, then most literal words."""
        return _best(self.samples, words(text), self._slot_reader(today)) or Match(FALLBACK)

    def understand_slot(self, intent: str, slot: str, text: str, today: date) -> Match | None:
        """The answer to "which date?" after the skill elicited a slot: from that slot's
        samples first, then the samples of the intent's other slots ("two weeks ago" fills
        the duration when the date was asked for), as Alexa's dialog model does."""
        read = self._slot_reader(today)
        others = [name for (owner, name) in self.slot_samples if owner == intent and name != slot]
        for name in (slot, *others):
            match = _best(self.slot_samples.get((intent, name), []), words(text), read)
            if match is not None:
                return match
        return None

    def _slot_reader(self, today: date) -> Callable[[str, str, str], Slot | None]:
        def read(intent: str, name: str, heard: str) -> Slot | None:
            slot_type = self.slot_types.get(intent, {}).get(name, "")
            if slot_type == "AMAZON.DATE":
                value = resolve_date(heard, today)
                return None if value is None else Slot(name, heard, value, slot_type=slot_type)
            if slot_type == "AMAZON.DURATION":
                value = resolve_duration(heard)
                return None if value is None else Slot(name, heard, value, slot_type=slot_type)
            if slot_type in self._types:
                entity = self._types[slot_type].get(heard)
                if entity is None:
                    return None
                return Slot(name, heard, heard, entity[0], entity[1], slot_type)
            return Slot(name, heard, heard, slot_type=slot_type)  # a built-in type not modelled here

        return read


def _entities(slot_type: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Spoken form -> (id, canonical value) for every value and synonym of a custom type."""
    found: dict[str, tuple[str, str]] = {}
    for value in slot_type.get("values", []):
        name = value["name"]["value"]
        entity = (value.get("id") or name, name)
        for said in [name, *value["name"].get("synonyms", [])]:
            found.setdefault(" ".join(words(said)), entity)
    return found


def _best(
    samples: Iterable[Sample], said: list[str], read: Callable[[str, str, str], Slot | None]
) -> Match | None:
    if not said:
        return None
    matches = []
    for sample in samples:
        slots = _fit(sample, list(sample.parts), said, read)
        if slots is not None:
            matches.append((sample.has_slots, -sample.literal_words, sample.order, sample, slots))
    if not matches:
        return None
    *_, sample, slots = min(matches, key=lambda m: m[:3])
    return Match(sample.intent, slots, sample.text)


def _fit(
    sample: Sample, parts: list[str], said: list[str], read: Callable[[str, str, str], Slot | None]
) -> dict[str, Slot] | None:
    """Slots that make the sample's parts cover exactly the words said, or None."""
    if not parts:
        return {} if not said else None
    head, rest = parts[0], parts[1:]
    placeholder = _PLACEHOLDER.match(head)
    if placeholder is None:
        if said and said[0] == head:
            return _fit(sample, rest, said[1:], read)
        return None
    # Shortest span first, and only spans that read as a value of the slot's type.
    for end in range(1, len(said) + 1):
        slot = read(sample.intent, placeholder[1], " ".join(said[:end]))
        if slot is None:
            continue
        others = _fit(sample, rest, said[end:], read)
        if others is not None:
            return {slot.name: slot, **others}
    return None
