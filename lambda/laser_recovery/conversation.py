"""What the conversation remembers between turns: typed, kept in the session, in one place.

Alexa hands a session's attributes back with every request; this is the only module that
reads or writes them. Each person who speaks in a session (an account and voice profile)
has their own state: the verdicts they heard, the date they told, the last words said to
them, what they were asked. Nobody hears, repeats or answers another person's. The
patient's record is not kept here: another device may change it mid-session, so every turn
reads it afresh.

What the skill is waiting for (`expecting`) is offered to the very next turn of the
session only, and only if the person who was asked is the one speaking: any other turn
lets it go. The structural rule is in `load` and `begin_turn`: the expectation moves to
`offered` and `expecting` starts empty, so only a handler that asks again keeps one.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from enum import Enum
from typing import Any, Union

from .dates import Move

log = logging.getLogger(__name__)

SESSION_KEY = "conversation"
VERSION = 2


@dataclass(frozen=True)
class Seal:
    """Signs the state for one session, where nothing else vouches for what comes back.

    Alexa returns the attributes as the skill wrote them, and only Alexa can reach a
    verified service or the deployed function. With request verification off, anyone can
    send any state, and a well-formed forged one (a choice holding a date the patient never
    said) would be trusted; a signature made with a key only this process holds, over the
    state and the session it belongs to, refuses it.
    """

    key: bytes
    session: str

    def sign(self, state: dict[str, Any]) -> str:
        text = json.dumps([self.session, state], sort_keys=True, separators=(",", ":"))
        return hmac.new(self.key, text.encode(), hashlib.sha256).hexdigest()

    def verify(self, state: dict[str, Any], signature: Any) -> bool:
        return isinstance(signature, str) and hmac.compare_digest(self.sign(state), signature)


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
    dating: bool = False  # the date of a treatment told before without one
    within: str | None = None  # the month or week the patient named, as Alexa gave it


@dataclass(frozen=True)
class DayWanted:
    """ "Which day do you mean?" for a question about a day."""

    question: Question


@dataclass(frozen=True)
class ConfirmationWanted:
    """ "Just to check: was your treatment last year, on ...?" about a moved, unconfirmed date.

    `replaces` is the date a correction would take away once the patient says yes;
    `dating`, that the date is the one of a treatment told before without it."""

    day: date
    moved: Move
    question: Question | None = None
    replaces: date | None = None
    dating: bool = False


@dataclass(frozen=True)
class SameTreatmentWanted:
    """ "So the treatment I had no date for was the one on ..., and you've had none since?"
    asked when the date given for it is one already kept."""

    day: date
    question: Question | None = None


@dataclass(frozen=True)
class PlannedWanted:
    """ "You told me your next treatment was on .... Did you have it?" once that day has come."""

    day: date
    question: Question | None = None


@dataclass(frozen=True)
class StillToComeWanted:
    """ "Is it still to come?" after "no" to "did you have it?"."""

    day: date
    question: Question | None = None


@dataclass(frozen=True)
class RescheduleWanted:
    """ "When is it now?" for a treatment told of in advance that is still to come."""

    day: date
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


Expectation = (
    TreatmentDateWanted
    | DayWanted
    | ConfirmationWanted
    | SameTreatmentWanted
    | PlannedWanted
    | StillToComeWanted
    | RescheduleWanted
    | ChoiceWanted
    | DeletionWanted
    | Reading
)
_KINDS: dict[str, type] = {cls.__name__: cls for cls in typing.get_args(Expectation)}
_ABOUT_A_QUESTION = (
    TreatmentDateWanted,
    DayWanted,
    ConfirmationWanted,
    SameTreatmentWanted,
    PlannedWanted,
    StillToComeWanted,
    RescheduleWanted,
)


@dataclass(frozen=True)
class Disputed:
    """A date the patient said is wrong without yet giving the right one ("actually it was
    last week"), and the month or week they named for it, if any. Until they give it, the
    skill asks for that date rather than "was it on ...?": a yes to that question would
    bring back the date they have just taken back."""

    day: date
    within: str | None = None


@dataclass(frozen=True)
class Heard:
    """A verdict the patient heard in this session (sun, makeup; about today or a given day),
    the question that gave it, and in which turn."""

    verdict: str
    turn: int
    intent: str
    on: date | None = None


@dataclass(frozen=True)
class Said:
    """The last thing said, for "repeat", with the slot it was listening for, if any."""

    speech: str
    reprompt: str
    elicit: tuple[str, str] | None = None  # (intent, slot)
    rests_on: date | None = None  # the newest treatment date its answers were built from


# People whose state a session keeps: a household, not a crowd.
MAX_PEOPLE = 4

# The slots of each intent the skill elicits a date for; an ElicitSlot names them all.
ELICITED_SLOTS: dict[str, tuple[str, ...]] = {
    "RecordTreatmentIntent": ("date", "duration"),
    "CorrectTreatmentIntent": ("date", "duration"),
    "SunIntent": ("date",),
    "MakeupIntent": ("date",),
    "OutdoorsIntent": ("date",),
    "ChooseTreatmentIntent": ("date",),
    "UpcomingTreatmentIntent": ("date",),
    "RemindIntent": ("reminder", "time"),
}
READINGS = ("facts", "aftercare")
_SPAN = re.compile(r"^(\d{4}-W\d{1,2}(-WE)?|(\d{4}|XXXX)-\d{2})$")  # a week, weekend or month
EARLIEST_DATE = date(1900, 1, 1)  # nothing the skill keeps is older; older means forged


@dataclass
class ConversationState:
    owner: str  # PatientId.digest of the person speaking in this turn
    turn: int = 0  # turns of the session, whoever spoke
    expecting: Expectation | None = None
    since: int = 0  # the turn that set `expecting`
    offered: Expectation | None = field(default=None, compare=False)  # this turn's, not saved
    heard: dict[str, Heard] = field(default_factory=dict)
    recorded: date | None = None  # the date the owner last told the skill in this session
    disputed: Disputed | None = None
    noticed: bool = False  # the owner has heard the notice (now or before): no need to look again
    zone: str | None = None  # the device's zone this session; "" once the lookup failed
    last: Said | None = None
    others: dict[str, Any] = field(default_factory=dict, compare=False)  # the rest, kept as they are

    @classmethod
    def load(cls, attributes: dict[str, Any], owner: str, seal: Seal | None = None) -> ConversationState:
        """The session's state for `owner`; a fresh one if they have none, it is unreadable,
        or (with a seal) its signature is not this process's."""
        raw = attributes.get(SESSION_KEY)
        if not isinstance(raw, dict) or raw.get("v") != VERSION:
            return cls(owner)
        if seal is not None:
            unsigned = {k: v for k, v in raw.items() if k != "sig"}
            if not seal.verify(unsigned, raw.get("sig")):
                log.warning("session state not signed by this service; starting afresh")
                return cls(owner)
        try:
            turn = raw["turn"]
            if not isinstance(turn, int) or not 0 <= turn < 2**31:
                raise ValueError("turn out of range")
            zone = raw.get("zone") if isinstance(raw.get("zone"), str) else None
            people = raw.get("people")
            others = {str(k): v for k, v in people.items() if k != owner} if isinstance(people, dict) else {}
            mine = people.get(owner) if isinstance(people, dict) else None
            state = cls(owner, turn=turn, zone=zone, others=others)
            if isinstance(mine, dict):
                state._read_person(mine)
                state._check()
        except (AttributeError, KeyError, TypeError, ValueError, OverflowError):
            log.warning("session state unreadable; starting afresh")
            return cls(owner)
        if state.since != turn:
            state.expecting = None  # asked before another turn came between: it has lapsed
        return state

    def _read_person(self, raw: dict[str, Any]) -> None:
        self.expecting = _expectation_in(raw.get("expecting"))
        self.since = int(raw.get("since", 0))
        self.heard = {str(k): _in(Heard, h) for k, h in (raw.get("heard") or {}).items()}
        self.recorded = date.fromisoformat(raw["recorded"]) if raw.get("recorded") else None
        self.disputed = _in(Disputed, raw["disputed"]) if raw.get("disputed") else None
        self.noticed = raw.get("noticed") is True
        self.last = _in(Said, raw["last"]) if raw.get("last") else None

    def _check(self) -> None:
        """Values a session of this skill could hold, and nothing else (ValueError)."""
        from .answers import QUESTIONS  # the questions the skill can be asked

        questions = [h.intent for h in self.heard.values()]
        dates = [h.on for h in self.heard.values()] + [self.recorded]
        what = self.expecting
        if isinstance(what, _ABOUT_A_QUESTION):
            question = what.question
            questions += [question.intent] if question else []
            dates += [question.on] if question else []
        spans = [what.within] if isinstance(what, TreatmentDateWanted) else []
        if self.disputed is not None:
            dates.append(self.disputed.day)
            spans.append(self.disputed.within)
        if any(span is not None and not _SPAN.match(span) for span in spans):
            raise ValueError("not a month or week Alexa gives")
        if isinstance(what, ConfirmationWanted):
            dates += [what.day, what.replaces]
        if isinstance(what, (SameTreatmentWanted, PlannedWanted, StillToComeWanted, RescheduleWanted)):
            dates.append(what.day)
        if isinstance(what, ChoiceWanted):
            dates += [what.new, *what.choices]
        if isinstance(what, Reading) and (what.topic not in READINGS or not 0 <= what.position < 100):
            raise ValueError("not a reading the skill does")
        if self.last is not None:
            dates.append(self.last.rests_on)
        if self.last is not None and self.last.elicit is not None:
            intent, slot = self.last.elicit
            if slot not in ELICITED_SLOTS.get(intent, ()):
                raise ValueError("not a slot the skill elicits")
        if any(q not in QUESTIONS for q in questions):
            raise ValueError("not a question the skill answers")
        if any(d is not None and d < EARLIEST_DATE for d in dates):
            raise ValueError("a date older than any the skill keeps")

    def begin_turn(self) -> None:
        self.turn += 1
        self.offered, self.expecting = self.expecting, None

    def expect(self, what: Expectation | None) -> None:
        self.expecting = what
        self.since = self.turn

    def keep_offered(self) -> None:
        """Ask the same thing again (repeat, help): the expectation stays."""
        self.expect(self.offered)

    def hear(self, key: str, verdict: str, intent: str, on: date | None) -> None:
        self.heard[key] = Heard(verdict, self.turn, intent, on)

    def save(self, attributes: dict[str, Any], seal: Seal | None = None) -> None:
        mine = {
            "expecting": _expectation_out(self.expecting),
            "since": self.since,
            "heard": {key: _out(heard) for key, heard in self.heard.items()},
            "recorded": self.recorded.isoformat() if self.recorded else None,
            "disputed": _out(self.disputed),
            "noticed": self.noticed,
            "last": _out(self.last),
        }
        kept = list(self.others.items())[-(MAX_PEOPLE - 1) :]  # the speaker goes last: most recent
        state = {"v": VERSION, "turn": self.turn, "zone": self.zone, "people": {**dict(kept), self.owner: mine}}
        if seal is not None:
            # The others' states go back as they came, so they are signed again here.
            state["sig"] = seal.sign(state)
        attributes[SESSION_KEY] = state


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
        return {name: _out(getattr(value, name)) for name in _field_names(type(value))}
    raise TypeError(f"cannot keep a {type(value).__name__} in the session")


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    # dataclasses.fields() filters the class's fields anew on every call: once per class.
    return tuple(f.name for f in fields(kind))


def _in(kind: Any, raw: Any) -> Any:
    """The inverse of _out, guided by the type it should be; ValueError if it is not that."""
    return _reader(kind)(raw)


@functools.cache
def _reader(kind: Any) -> Callable[[Any], Any]:
    """_in for one type: the type's shape (its hints, its fields) is worked out once per
    process, not again for every value on every turn."""
    origin = typing.get_origin(kind)
    if origin in (Union, types.UnionType):
        options = typing.get_args(kind)
        optional = type(None) in options
        inner = [option for option in options if option is not type(None)]

        def read_option(raw: Any) -> Any:
            if raw is None and optional:
                return None
            (only,) = inner
            return _reader(only)(raw)

        return read_option
    if origin is tuple:
        item = typing.get_args(kind)[0]

        def read_tuple(raw: Any) -> Any:
            if not isinstance(raw, list):
                raise ValueError("expected a list")
            read = _reader(item)
            return tuple(read(value) for value in raw)

        return read_tuple
    if kind is date:
        return date.fromisoformat
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind
    if isinstance(kind, type) and is_dataclass(kind):
        # Evaluating the annotations compiles them: once per class, not once per turn.
        hints = typing.get_type_hints(kind)
        names = [(f.name, hints[f.name]) for f in fields(kind)]

        def read_dataclass(raw: Any) -> Any:
            return kind(**{name: _reader(hint)(raw[name]) for name, hint in names if name in raw})

        return read_dataclass

    def read_plain(raw: Any) -> Any:
        if kind in (str, int, bool) and isinstance(raw, kind):
            return raw
        raise ValueError(f"expected {kind}")

    return read_plain
