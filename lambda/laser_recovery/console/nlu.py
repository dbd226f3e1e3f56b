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
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from .alexa_dates import resolve_date, resolve_duration, words
from .alexa_times import resolve_time
from .nearest import Candidate, Nearest, Span, spans, type_token

MODELS_DIR = Path(__file__).resolve().parents[3] / "interaction_models"
FALLBACK = "AMAZON.FallbackIntent"
BUILT_IN_SLOT_TYPES = ("AMAZON.DATE", "AMAZON.DURATION", "AMAZON.TIME")

# What Alexa's built-in intents understand without samples (plus any the model adds).
BUILT_IN_SAMPLES: dict[str, tuple[str, ...]] = {
    "AMAZON.YesIntent": (
        "yes",
        "yeah",
        "yep",
        "yup",
        "sure",
        "yes please",
        "that's right",
        "correct",
        "of course",
        "yes it was",
        "yes that's correct",
        "that's correct",
        "absolutely",
        "definitely",
        "yes it is",
        "right",
        "okay",
        "go ahead",
        "please do",
        "yes do it",
    ),
    "AMAZON.NoIntent": (
        "no",
        "no thanks",
        "nope",
        "no thank you",
        "not really",
        "that's wrong",
        "no it's not",
        "no it isn't",
        "no I don't",
        "no that's not it",
        "no it wasn't",
        "nah",
        "no way",
        "not at all",
        "incorrect",
        "no that's incorrect",
        "no don't",
        "please don't",
        "no I'm good",
        "not right now",
    ),
    "AMAZON.StopIntent": (
        "stop",
        "quit",
        "exit",
        "goodbye",
        "bye",
        "that's all",
        "I'm done",
        "that's it",
        "that's everything",
        "see you later",
        "be quiet",
        "shut up",
        "enough",
        "I'm finished",
        "we're done",
        "thanks that's all",
        "thank you goodbye",
        "nothing else",
        "that will be all",
        "stop talking",
    ),
    "AMAZON.CancelIntent": (
        "cancel",
        "never mind",
        "forget it",
        "cancel that",
        "don't bother",
        "cancel it",
        "abort",
        "forget about it",
        "scratch that",
        "cancel please",
    ),
    "AMAZON.HelpIntent": (
        "help",
        "help me",
        "I need help",
        "I need some help",
        "I'm confused",
        "what do I say",
        "how do I use this",
        "what are my options",
        "what should I say",
        "I don't know what to say",
    ),
    "AMAZON.RepeatIntent": (
        "repeat",
        "again",
        "say it again",
        "pardon",
        "come again",
        "repeat that please",
        "could you repeat that",
        "I didn't catch that",
        "what was that",
        "sorry what",
        "once more",
        "I missed that",
        "can you say that again",
    ),
    "AMAZON.NavigateHomeIntent": ("home", "go home", "start over"),
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
    near: bool = False  # the nearest sample by shared words, not one that matched the words
    span: tuple[int, int] | None = field(default=None, compare=False)  # the words the sample matched

    @property
    def fallback(self) -> bool:
        return self.sample is None


@dataclass(frozen=True)
class Sample:
    intent: str
    text: str
    parts: tuple[str, ...]  # literal words, or "{slot}" placeholders
    order: int

    literals: frozenset[str] = frozenset()  # every word the sample says as such
    literal_chars: int = 0  # how much of it is its own words (virtual-core's score)


def _sample(intent: str, text: str, order: int) -> Sample:
    # Placeholders are kept whole; everything else is normalised the way input is.
    parts: list[str] = []
    for piece in re.split(r"(\{\w+\})", text):
        parts.extend([piece] if _PLACEHOLDER.match(piece) else words(piece))
    literals = [p for p in parts if not _PLACEHOLDER.match(p)]
    return Sample(intent, text, tuple(parts), order, frozenset(literals), sum(map(len, literals)))


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
        self._nearest = Nearest([self._candidate(sample) for sample in self.samples])
        self.samples = _Indexed(self.samples)  # thousands of samples: index their first words once

    def _candidate(self, sample: Sample) -> Candidate:
        """A sample for the similarity tier: its words, and each slot as its type."""
        types = self.slot_types.get(sample.intent, {})
        slots = {}
        for part in sample.parts:
            placeholder = _PLACEHOLDER.match(part)
            if placeholder is not None:
                slots[placeholder[1]] = type_token(types.get(placeholder[1], ""))
        return Candidate(sample.intent, sample.text, sample.literals | frozenset(slots.values()), slots)

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
        """The sample that matches most of the words; failing that, the nearest sample."""
        said = words(text)
        matched = _best(self.samples, said, self._slot_reader(today))
        if matched is not None:
            return self._with_other_slots(matched, said, today)
        return self._near(said, today) or Match(FALLBACK)

    def _spans(self, said: list[str], today: date) -> list[Span]:
        return spans(
            said,
            is_date=lambda t: resolve_date(t, today) is not None,
            is_duration=lambda t: resolve_duration(t) is not None,
            is_time=lambda t: resolve_time(words(t)) is not None,
            entities={name: dict(values) for name, values in self._types.items()},
        )

    def _with_other_slots(self, match: Match, said: list[str], today: date) -> Match:
        """A sample matched part of what was said; a date said in the rest still fills the
        intent's empty date slot ("can I do my makeup for a party on Friday"), as Alexa
        recognises built-in slot values wherever they are said."""
        empty = {
            name: slot_type
            for name, slot_type in self.slot_types.get(match.intent, {}).items()
            if name not in match.slots and slot_type in BUILT_IN_SLOT_TYPES
        }
        if not empty or match.span == (0, len(said)):
            return match
        start, end = match.span or (0, 0)
        rest = [*said[:start], "", *said[end:]]  # never a value across the matched words
        taken = {slot.heard for slot in match.slots.values()}
        rest = _without(rest, taken)
        read = self._slot_reader(today)
        slots = dict(match.slots)
        for span in self._spans(rest, today):
            name = next((n for n, t in empty.items() if type_token(t) == span.token and n not in slots), None)
            slot = None if name is None else read(match.intent, name, " ".join(rest[span.start : span.end]))
            if name is not None and slot is not None:
                slots[name] = slot
        return replace(match, slots=slots)

    def _near(self, said: list[str], today: date) -> Match | None:
        # Words that are a custom slot's value ("the sun", "makeup") may as well be the words
        # of a question without that slot: both readings are tried, and the nearer one wins.
        every = self._spans(said, today)
        built_in = [span for span in every if span.slot_type in BUILT_IN_SLOT_TYPES]
        readings = [(found, self._nearest.best(_tokens(said, found))) for found in (every, built_in)]
        scored = [(nearest[1], found, nearest[0]) for found, nearest in readings if nearest is not None]
        if not scored:
            return None
        _, found, candidate = max(scored, key=lambda reading: reading[0])
        read = self._slot_reader(today)
        slots: dict[str, Slot] = {}
        for name, token in candidate.slots.items():
            heard = next((" ".join(said[s.start : s.end]) for s in found if s.token == token), None)
            slot = None if heard is None else read(candidate.intent, name, heard)
            if slot is not None:
                slots[name] = slot
        return self._with_other_slots(Match(candidate.intent, slots, candidate.text, near=True), said, today)

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
            if slot_type == "AMAZON.TIME":
                value = resolve_time(words(heard))
                return None if value is None else Slot(name, heard, value, slot_type=slot_type)
            if slot_type in self._types:
                entity = self._types[slot_type].get(heard)
                if entity is None:
                    return None
                return Slot(name, heard, heard, entity[0], entity[1], slot_type)
            return Slot(name, heard, heard, slot_type=slot_type)  # a built-in type not modelled here

        return read


def _tokens(said: list[str], found: list[Span]) -> list[str]:
    """The words said, each slot value in `found` standing as its type token."""
    tokens, at = [], 0
    for span in found:
        tokens += [*said[at : span.start], span.token]
        at = span.end
    return tokens + said[at:]


def _entities(slot_type: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Spoken form -> (id, canonical value) for every value and synonym of a custom type."""
    found: dict[str, tuple[str, str]] = {}
    for value in slot_type.get("values", []):
        name = value["name"]["value"]
        entity = (value.get("id") or name, name)
        for said in [name, *value["name"].get("synonyms", [])]:
            found.setdefault(" ".join(words(said)), entity)
    return found


# A sample may match part of what was said ("please can I sunbathe yet" holds "can I
# sunbathe yet"), as Alexa tolerates words around a phrasing it knows; but at least this
# share of the words said must be the sample's, or it is not that sample at all.
MIN_COVERAGE = 0.5


def _best(samples: Iterable[Sample], said: list[str], read: Callable[[str, str, str], Slot | None]) -> Match | None:
    """The sample that explains most of what was said, scored as virtual-core scores: the
    most literal (non-slot) characters matched, then the fewest words left over, then the
    most slots filled, then the model's own order."""
    if not said:
        return None
    by_first = _by_first_word(samples)
    heard = frozenset(said)
    best: tuple[tuple[int, int, int, int], Sample, dict[str, Slot], tuple[int, int]] | None = None
    for start in range(len(said)):
        for sample in (*by_first.get(said[start], ()), *by_first.get("", ())):
            if not sample.literals <= heard:
                continue
            for slots, end in _fits(sample, 0, said, start, read):
                extra = len(said) - (end - start)
                if (end - start) < MIN_COVERAGE * len(said):
                    continue
                score = (-sample.literal_chars, extra, -len(slots), sample.order)
                if best is None or score < best[0]:
                    best = (score, sample, slots, (start, end))
    if best is None:
        return None
    _, sample, slots, span = best
    return Match(sample.intent, slots, sample.text, span=span)


def _without(said: list[str], taken: set[str]) -> list[str]:
    """The words with each slot value already taken blanked out, so it fills no other slot."""
    rest = list(said)
    for heard in taken:
        value = heard.split()
        for at in range(len(rest) - len(value) + 1):
            if rest[at : at + len(value)] == value:
                rest[at : at + len(value)] = [""] * len(value)
    return rest


def _by_first_word(samples: Iterable[Sample]) -> dict[str, tuple[Sample, ...]]:
    """Samples by the word they must start at ("" for those that start with a slot)."""
    if isinstance(samples, _Indexed):
        return samples.by_first
    grouped: dict[str, list[Sample]] = {}
    for sample in samples:
        first = sample.parts[0] if sample.parts else ""
        grouped.setdefault("" if _PLACEHOLDER.match(first) else first, []).append(sample)
    return {word: tuple(group) for word, group in grouped.items()}


class _Indexed(list[Sample]):
    """A model's samples with their first-word index built once (thousands of samples)."""

    def __init__(self, samples: Iterable[Sample]) -> None:
        super().__init__(samples)
        self.by_first = _by_first_word(list(self))


def _fits(
    sample: Sample, index: int, said: list[str], at: int, read: Callable[[str, str, str], Slot | None]
) -> Iterable[tuple[dict[str, Slot], int]]:
    """Every way the sample's parts from `index` on match the words said from `at` on:
    the slots filled and where the match ends."""
    if index == len(sample.parts):
        yield {}, at
        return
    head = sample.parts[index]
    placeholder = _PLACEHOLDER.match(head)
    if placeholder is None:
        if at < len(said) and said[at] == head:
            yield from _fits(sample, index + 1, said, at + 1, read)
        return
    # Only spans that read as a value of the slot's type.
    for end in range(at + 1, len(said) + 1):
        slot = read(sample.intent, placeholder[1], " ".join(said[at:end]))
        if slot is None:
            continue
        for others, stop in _fits(sample, index + 1, said, end, read):
            yield {slot.name: slot, **others}, stop
