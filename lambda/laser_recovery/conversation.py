"""What the conversation remembers between turns: one typed object, kept in the session.

Alexa hands a session's attributes back with every request; this is the only module that
reads or writes them. The state belongs to one patient (an account and voice profile):
when someone else speaks in the same session, they start from a fresh state, so nobody
hears an answer built on another person's question. The patient's record is not kept
here: another device may change it mid-session, so every turn reads it afresh.

What the skill is waiting for (`expecting`) is offered to the next turn only, and only to
the person who was asked: a turn that does not answer it lets it go. The structural rule
is in `begin_turn`: the expectation moves to `offered` and `expecting` starts empty, so
only a handler that asks again keeps one.
"""

from __future__ import annotations

import functools
import logging
import types
import typing
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from enum import Enum
from typing import Any, Union

from .dates import Move

log = logging.getLogger(__name__)

SESSION_KEY = "conversation"
VERSION = 1


@dataclass(frozen=True)
class Question:
    """A question to answer once what it needs is known: the intent, and the day asked about."""

    intent: str
    on: date | None = None


@dataclass(frozen=True)
class TreatmentDateWanted:
    """ "When did you have your treatment?" Then answer `question`, if there is one."""

    question: Question | None = None
    correcting: bool = False


@dataclass(frozen=True)
class DayWanted:
    """ "Which day do you mean?" for a question about a day."""

    question: Question


@dataclass(frozen=True)
class ConfirmationWanted:
    """ "Just to check: was your treatment last year, on ...?" about a moved, unconfirmed date."""

    day: date
    moved: Move
    question: Question | None = None


@dataclass(frozen=True)
class ChoiceWanted:
    """ "Which one should I change: your May 4th one or your November 9th one?" """

    new: date
    moved: Move
    choices: tuple[date, ...]


@dataclass(frozen=True)
class DeletionWanted:
    """ "Do you want me to delete every treatment date I have for you?" """


@dataclass(frozen=True)
class Reading:
    """A list read a page at a time: "want to hear more?" """

    topic: str
    position: int


Expectation = TreatmentDateWanted | DayWanted | ConfirmationWanted | ChoiceWanted | DeletionWanted | Reading
_KINDS: dict[str, type] = {cls.__name__: cls for cls in typing.get_args(Expectation)}


@dataclass(frozen=True)
class Heard:
    """A verdict the patient heard in this session (sun, makeup), and in which turn."""

    verdict: str
    turn: int


@dataclass(frozen=True)
class Said:
    """The last thing said, for "repeat", with the slot it was listening for, if any."""

    speech: str
    reprompt: str
    elicit: tuple[str, str] | None = None  # (intent, slot)


@dataclass
class ConversationState:
    owner: str  # PatientId.digest of whose state this is
    turn: int = 0
    expecting: Expectation | None = None
    since: int = 0  # the turn that set `expecting`
    offered: Expectation | None = field(default=None, compare=False)  # this turn's, not saved
    heard: dict[str, Heard] = field(default_factory=dict)
    recorded: date | None = None  # the date the owner last told the skill in this session
    noticed: bool = False  # the owner has heard the notice (now or before): no need to look again
    zone: str | None = None  # the device's zone this session; "" once the lookup failed
    last: Said | None = None

    @classmethod
    def load(cls, attributes: dict[str, Any], owner: str) -> ConversationState:
        """The session's state for `owner`; a fresh one if it is someone else's or unreadable."""
        raw = attributes.get(SESSION_KEY)
        try:
            state = _state(raw) if isinstance(raw, dict) else None
        except (AttributeError, KeyError, TypeError, ValueError):
            log.warning("session state unreadable; starting afresh")
            state = None
        if state is None:
            return cls(owner)
        if state.owner != owner:
            # Another person: none of the first one's questions, verdicts or words (a "repeat"
            # would read them their dates), only the device's zone.
            return cls(owner, turn=state.turn, zone=state.zone)
        return state

    def begin_turn(self) -> None:
        self.turn += 1
        self.offered, self.expecting = self.expecting, None

    def expect(self, what: Expectation | None) -> None:
        self.expecting = what
        self.since = self.turn

    def keep_offered(self) -> None:
        """Ask the same thing again (repeat, help): the expectation stays."""
        self.expecting = self.offered

    def hear(self, topic: str, verdict: str) -> None:
        self.heard[topic] = Heard(verdict, self.turn)

    def save(self, attributes: dict[str, Any]) -> None:
        attributes[SESSION_KEY] = {
            "v": VERSION,
            "owner": self.owner,
            "turn": self.turn,
            "expecting": _expectation_out(self.expecting),
            "since": self.since,
            "heard": {topic: _out(heard) for topic, heard in self.heard.items()},
            "recorded": self.recorded.isoformat() if self.recorded else None,
            "noticed": self.noticed,
            "zone": self.zone,
            "last": _out(self.last),
        }


def _state(raw: dict[str, Any]) -> ConversationState | None:
    if raw.get("v") != VERSION:
        return None
    return ConversationState(
        owner=str(raw["owner"]),
        turn=int(raw["turn"]),
        expecting=_expectation_in(raw.get("expecting")),
        since=int(raw.get("since", 0)),
        heard={str(t): _in(Heard, h) for t, h in (raw.get("heard") or {}).items()},
        recorded=date.fromisoformat(raw["recorded"]) if raw.get("recorded") else None,
        noticed=raw.get("noticed") is True,
        zone=raw.get("zone") if isinstance(raw.get("zone"), str) else None,
        last=_in(Said, raw["last"]) if raw.get("last") else None,
    )


def _expectation_out(what: Expectation | None) -> dict[str, Any] | None:
    if what is None:
        return None
    return {"kind": type(what).__name__, **_out(what)}


def _expectation_in(raw: Any) -> Expectation | None:
    if raw is None:
        return None
    kind = _KINDS[raw["kind"]]
    return typing.cast(Expectation, _in(kind, {k: v for k, v in raw.items() if k != "kind"}))


def _out(value: Any) -> Any:
    """A dataclass (and what it holds) as plain JSON values."""
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return [_out(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _out(getattr(value, f.name)) for f in fields(value)}
    raise TypeError(f"cannot keep a {type(value).__name__} in the session")


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    # Evaluating the annotations compiles them: once per class, not once per turn.
    return typing.get_type_hints(kind)


def _in(kind: Any, raw: Any) -> Any:
    """The inverse of _out, guided by the type it should be; ValueError if it is not that."""
    origin = typing.get_origin(kind)
    if origin in (Union, types.UnionType):
        options = typing.get_args(kind)
        if raw is None and type(None) in options:
            return None
        (inner,) = [option for option in options if option is not type(None)]
        return _in(inner, raw)
    if origin is tuple:
        inner = typing.get_args(kind)[0]
        if not isinstance(raw, list):
            raise ValueError("expected a list")
        return tuple(_in(inner, item) for item in raw)
    if kind is date:
        return date.fromisoformat(raw)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(raw)
    if isinstance(kind, type) and is_dataclass(kind):
        hints = _hints(kind)
        return kind(**{f.name: _in(hints[f.name], raw[f.name]) for f in fields(kind) if f.name in raw})
    if kind in (str, int, bool) and isinstance(raw, kind):
        return raw
    raise ValueError(f"expected {kind}")
