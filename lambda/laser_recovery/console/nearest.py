"""The second tier of the console's stand-in for Alexa's NLU: when no sample matches the words
said, the nearest sample by the words they share.

Alexa's statistical model hears "i had the laser done on saturday" as RecordTreatmentIntent
though no sample says exactly that. This tier approximates that generalisation without
machine learning: built-in slot values (dates, durations, custom entities) are found first
and stand in as {slot}, then each sample is scored by the words it shares with what was said,
every word weighted by how few intents use it (so "sunbathe" counts, "can I" hardly does).
Below a threshold, nothing is near enough, and the console says so (AMAZON.FallbackIntent),
as Alexa does with its fallback sensitivity set high. The threshold was tuned on
tests/utterances/en-US.dev.tsv only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from .alexa_dates import WEEKDAYS

# How near a sample must be: the F-measure of the words shared (0 to 1), weighing how much
# of the sample was said BETA times as much as how much of what was said is the sample's,
# since people wrap a question in words of their own. A word no sample uses counts UNKNOWN
# times the rarest word's weight: it is evidence of another subject ("bananas").
THRESHOLD = 0.55
BETA = 1.5
UNKNOWN = 2.0
_ONE_WORD_DATES = {"today", "yesterday", "tomorrow", "tonight", *WEEKDAYS}

Reader = Callable[[str, str, str], object | None]  # (intent, slot, words) -> a Slot or None


@dataclass(frozen=True)
class Span:
    """Words said that make a value of a slot type: where, and the placeholder they become."""

    start: int
    end: int
    slot_type: str  # AMAZON.DATE, AMAZON.DURATION, or a custom slot type's name

    @property
    def token(self) -> str:
        return type_token(self.slot_type)


def type_token(slot_type: str) -> str:
    """How a slot stands among the words: by its type, so any date matches any {date}."""
    return "{" + slot_type + "}"


@dataclass(frozen=True)
class Candidate:
    intent: str
    text: str
    tokens: frozenset[str]  # literal words, and a type token for each slot
    slots: dict[str, str]  # slot name -> its type token


def stem(word: str) -> str:
    """A light stem, so "peels", "peeled" and "peeling" are one word to the similarity tier
    (slot tokens are kept whole)."""
    if word.startswith("{"):
        return word
    if word.endswith("ying") and len(word) > 5:
        word = word[:-4] + "ie"  # "lying" -> "lie"
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # "tann" -> "tan", "swimm" -> "swim"
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


class Nearest:
    """Samples indexed for similarity: a weight per word, and each sample's total."""

    def __init__(self, candidates: Sequence[Candidate]) -> None:
        candidates = [replace(c, tokens=frozenset(stem(t) for t in c.tokens)) for c in candidates]
        intents_using: dict[str, set[str]] = {}
        for candidate in candidates:
            for token in candidate.tokens:
                intents_using.setdefault(token, set()).add(candidate.intent)
        count = len({c.intent for c in candidates}) or 1
        self._unknown = UNKNOWN * math.log(1 + count)
        self._weight = {t: math.log(1 + count / len(i)) for t, i in intents_using.items()}
        self._candidates = [(c, sum(self._weight[t] for t in c.tokens)) for c in candidates]
        self._by_token: dict[str, list[int]] = {}
        for index, (candidate, _) in enumerate(self._candidates):
            for token in candidate.tokens:
                self._by_token.setdefault(token, []).append(index)

    def weight(self, token: str) -> float:
        return self._weight.get(token, self._unknown)

    def best(self, tokens: Sequence[str]) -> tuple[Candidate, float] | None:
        """The sample nearest to these tokens, if near enough."""
        heard = frozenset(stem(t) for t in tokens)
        heard_weight = sum(self.weight(t) for t in heard)
        shared: dict[int, float] = {}
        for token in heard:
            for index in self._by_token.get(token, ()):
                shared[index] = shared.get(index, 0.0) + self._weight[token]
        best: tuple[float, int] | None = None
        for index, common in shared.items():
            recall, precision = common / self._candidates[index][1], common / heard_weight
            score = (1 + BETA**2) * precision * recall / (BETA**2 * precision + recall)
            if best is None or score > best[0]:
                best = (score, index)
        if best is None or best[0] < THRESHOLD:
            return None
        return self._candidates[best[1]][0], best[0]


def spans(
    said: Sequence[str],
    is_date: Callable[[str], bool],
    is_duration: Callable[[str], bool],
    entities: dict[str, dict[str, object]],
    is_time: Callable[[str], bool] = lambda _: False,
) -> list[Span]:
    """Slot values in what was said, longest first, left to right, never overlapping.

    A date is several words ("october fifth", "last monday") or one of the words that are a
    day on their own ("saturday", "yesterday"): a lone "may" is a verb far more often than a
    month. A duration counts back ("two weeks ago"), so it is only one when "ago" follows."""
    found: list[Span] = []
    at = 0
    while at < len(said):
        for end in range(len(said), at, -1):
            if "" in said[at:end]:  # a blank: words already taken, which no value spans
                continue
            text = " ".join(said[at:end])
            kind = _kind(text, said, at, end, is_date, is_duration, entities) or _time(text, said, at, end, is_time)
            if kind is not None:
                found.append(Span(at, end, kind))
                at = end
                break
        else:
            at += 1
    return found


def _time(text: str, said: Sequence[str], at: int, end: int, is_time: Callable[[str], bool]) -> str | None:
    """A time of day: after "at" ("every day at eight"), or several words ("eight a m")."""
    if (end - at > 1 or (at > 0 and said[at - 1] == "at")) and is_time(text):
        return "AMAZON.TIME"
    return None


def _kind(
    text: str,
    said: Sequence[str],
    at: int,
    end: int,
    is_date: Callable[[str], bool],
    is_duration: Callable[[str], bool],
    entities: dict[str, dict[str, object]],
) -> str | None:
    if end < len(said) and said[end] == "ago" and is_duration(text):
        return "AMAZON.DURATION"
    if (end - at > 1 or text in _ONE_WORD_DATES) and is_date(text):
        return "AMAZON.DATE"
    for slot_type, values in entities.items():
        if text in values:
            return slot_type
    return None
