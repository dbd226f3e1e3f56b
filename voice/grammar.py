"""A locale's voice grammar (voice/<locale>.toml) expanded into the ASK CLI interaction model.

The grammar is what people edit; the JSON is what Alexa (and the console) read. Expansion is
deterministic, so the committed JSON can be checked for staleness by building it again.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VOICE_DIR = Path(__file__).resolve().parent
ROOT = VOICE_DIR.parent
OUTPUTS = (ROOT / "interaction_models", ROOT / "skill-package" / "interactionModels" / "custom")

# Our own budgets, well inside what the ASK build accepts: enough variety for the intents
# patients use most, few enough that a sample list stays something a person can review.
MAX_SAMPLES_PER_INTENT = 1000
MAX_SAMPLE_CHARS = 200
_ALLOWED = re.compile(r"^[a-zA-Z' {}.]+$")  # words, apostrophes and slots; no digits or punctuation
_SLOT = re.compile(r"\{(\w+)\}")
_REF = re.compile(r"<(\w+)>")


class GrammarError(ValueError):
    """The grammar cannot be expanded into a model Alexa would accept."""


@dataclass(frozen=True)
class _Alt:
    options: tuple[tuple[Any, ...], ...]  # each option is a sequence of parts


def _parse(text: str, phrases: dict[str, str]) -> tuple[Any, ...]:
    """Parts of a pattern: literal strings and _Alt groups (phrase references inlined)."""
    text = _REF.sub(lambda m: _phrase(m[1], phrases), text)
    parts: list[Any] = []
    stack: list[tuple[list[Any], list[list[Any]]]] = []  # open groups: (where they go, options so far)
    current = parts
    for piece in re.split(r"([()|])", text):
        if piece in ("|", ")") and not stack:
            raise GrammarError(f"unbalanced {piece!r} in {text!r}")
        if piece == "(":
            stack.append((current, [[]]))
            current = stack[-1][1][-1]
        elif piece == "|":
            stack[-1][1].append([])
            current = stack[-1][1][-1]
        elif piece == ")":
            current, options = stack.pop()
            current.append(_Alt(tuple(tuple(option) for option in options)))
        elif piece:
            current.append(piece)
    if stack:
        raise GrammarError(f"unbalanced '(' in {text!r}")
    return tuple(parts)


def _phrase(name: str, phrases: dict[str, str]) -> str:
    if name not in phrases:
        raise GrammarError(f"unknown phrase <{name}>")
    return phrases[name]


def _expand(parts: tuple[Any, ...]) -> list[str]:
    pieces: list[list[str]] = []
    for part in parts:
        if isinstance(part, _Alt):
            pieces.append([text for option in part.options for text in _expand(option)])
        else:
            pieces.append([part])
    return ["".join(combo) for combo in itertools.product(*pieces)]


def expand(pattern: str, phrases: dict[str, str] | None = None) -> list[str]:
    """Every sample a pattern stands for, spaces normalised, in order, without duplicates."""
    texts = (" ".join(t.split()) for t in _expand(_parse(pattern, phrases or {})))
    return list(dict.fromkeys(t for t in texts if t))


def _samples(intent: str, patterns: list[str], phrases: dict[str, str], slots: set[str]) -> list[str]:
    samples = list(dict.fromkeys(s for p in patterns for s in expand(p, phrases)))
    if len(samples) > MAX_SAMPLES_PER_INTENT:
        raise GrammarError(f"{intent}: {len(samples)} samples, over the budget of {MAX_SAMPLES_PER_INTENT}")
    for sample in samples:
        if len(sample) > MAX_SAMPLE_CHARS or not _ALLOWED.match(sample):
            raise GrammarError(f"{intent}: {sample!r} is too long or has characters Alexa refuses")
        named = _SLOT.findall(sample)
        if set(named) - slots or len(named) != len(set(named)):
            raise GrammarError(f"{intent}: {sample!r} names a slot the intent lacks, or one twice")
    return samples


def grammar(locale: str, voice_dir: Path = VOICE_DIR) -> dict[str, Any]:
    """A locale's grammar: its file, laid over the grammar it `extends` (tables merged key by
    key), with `more_phrases` adding alternatives to a phrase list of the base."""
    source = tomllib.loads((voice_dir / f"{locale}.toml").read_text(encoding="utf-8"))
    base_locale = source.pop("extends", None)
    more: dict[str, list[str]] = source.pop("more_phrases", {})
    if base_locale is not None:
        source = _layered(grammar(base_locale, voice_dir), source)
    for name, extra in more.items():
        listed = source.get("phrases", {}).get(name, "")
        if not (listed.startswith("(") and listed.endswith(")")):
            raise GrammarError(f"more_phrases.{name}: <{name}> is not one (a|b) group")
        source["phrases"][name] = listed[:-1] + "".join(f"|{said}" for said in extra) + ")"
    return source


def _layered(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _layered(base[key], value)
        else:
            merged[key] = value
    return merged


def build(locale: str, voice_dir: Path = VOICE_DIR) -> dict[str, Any]:
    """The interaction model (ASK CLI JSON) of a locale's grammar."""
    source = grammar(locale, voice_dir)
    phrases: dict[str, str] = source.get("phrases", {})
    intents, dialog, prompts = [], [], []
    for name, spec in source["intents"].items():
        slot_types: dict[str, str] = spec.get("slots", {})
        samples = _samples(name, spec.get("samples", []), phrases, set(slot_types))
        intent: dict[str, Any] = {"name": name, "samples": samples, "slots": []}
        for slot, kind in slot_types.items():
            said = _samples(f"{name}.{slot}", spec.get("slot_samples", {}).get(slot, []), phrases, {slot})
            intent["slots"].append({"name": slot, "type": kind, "samples": said})
        intents.append(_tidy(intent))
        elicit: dict[str, list[str]] = spec.get("elicit", {})
        if elicit:
            dialog.append(_dialog_intent(name, slot_types, elicit))
            for slot, variations in elicit.items():
                prompts.append(
                    {
                        "id": _prompt_id(name, slot),
                        "variations": [{"type": "PlainText", "value": v} for v in variations],
                    }
                )
    language = {
        "invocationName": source["invocation"],
        "modelConfiguration": {"fallbackIntentSensitivity": {"level": source["fallback_sensitivity"]}},
        "intents": intents,
        "types": [_slot_type(name, values) for name, values in source.get("types", {}).items()],
    }
    return {
        "interactionModel": {
            "languageModel": language,
            "dialog": {"intents": dialog, "delegationStrategy": "SKILL_RESPONSE"},
            "prompts": prompts,
        }
    }


def _tidy(intent: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty slot lists, as the ASK console writes the model."""
    if not intent["slots"]:
        del intent["slots"]
    for slot in intent.get("slots", []):
        if not slot["samples"]:
            del slot["samples"]
    return intent


def _prompt_id(intent: str, slot: str) -> str:
    return f"Elicit.Slot.{intent}.{slot}"


def _dialog_intent(name: str, slot_types: dict[str, str], elicit: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "name": name,
        "delegationStrategy": "SKILL_RESPONSE",
        "confirmationRequired": False,
        "prompts": {},
        "slots": [
            {
                "name": slot,
                "type": kind,
                "elicitationRequired": slot in elicit,
                "confirmationRequired": False,
                "prompts": {"elicitation": _prompt_id(name, slot)} if slot in elicit else {},
            }
            for slot, kind in slot_types.items()
        ],
    }


def _slot_type(name: str, values: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "name": name,
        "values": [
            {"id": value_id, "name": {"value": said[0], "synonyms": said[1:]}} for value_id, said in values.items()
        ],
    }


def locales(voice_dir: Path = VOICE_DIR) -> list[str]:
    return sorted(path.stem for path in voice_dir.glob("*.toml"))
