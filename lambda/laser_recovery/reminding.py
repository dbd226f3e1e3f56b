"""The patient's reminders, kept with Alexa and in step with their dates.

The thin edge between the pure rules of reminders.py, the Reminders API (reminder_api.py)
and a turn: it sets, moves and deletes reminders through the request's own API endpoint and
token, and says what the patient needs to hear about it. Every API call is inside the turn's
budget; a failure leaves the record saying what is true (a reminder that could not be moved
stays listed, so it is tried again and the patient is told to delete it).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from . import budget
from .alexa_api import DEADLINE_SECONDS
from .reminder_api import SCOPE, Found, NoPermission, ReminderFailure, Unavailable, create, delete, listed
from .reminders import KINDS, TIME_OF_DAY, due, first_daily, follow, when
from .store import PatientRecord, Reminder

if TYPE_CHECKING:
    from ask_sdk_model.interfaces.connections import SendRequestDirective
    from ask_sdk_model.ui import AskForPermissionsConsentCard

    from .turn import Turn

log = logging.getLogger(__name__)

ASK_FOR = "AskFor"
# A reminder whose create ran out of time: it may exist with Alexa, under a token not known.
UNKNOWN_TOKEN = ""
# The kind of a reminder kept after "forget my data" only because it could not be deleted.
FORGOTTEN = "forgotten:"


def granted(turn: Turn) -> bool:
    """Whether the envelope says the patient has allowed this skill's reminders."""
    user = turn.input.request_envelope.context.system.user
    scopes = getattr(getattr(user, "permissions", None), "scopes", None) or {}
    status = getattr(scopes.get(SCOPE), "status", None)
    return getattr(status, "value", status) == "GRANTED"


def permission_request(kind: str) -> SendRequestDirective:
    """Alexa asks the patient, by voice, to allow reminders; `kind` comes back as the token."""
    from ask_sdk_model.interfaces.connections import SendRequestDirective

    payload = {"@type": "AskForPermissionsConsentRequest", "@version": "1", "permissionScope": SCOPE}
    return SendRequestDirective(name=ASK_FOR, payload=payload, token=kind)


def consent_card() -> AskForPermissionsConsentCard:
    """The card in the Alexa app that lets the patient allow reminders there."""
    from ask_sdk_model.ui import AskForPermissionsConsentCard

    return AskForPermissionsConsentCard(permissions=[SCOPE])


def _client(turn: Turn) -> Any:
    return _factory(turn).get_reminder_management_service()


def _factory(turn: Turn) -> Any:
    factory = turn.input.service_client_factory
    if factory is None:  # no apiAccessToken: nothing can reach the API
        raise Unavailable()
    # A call is started only if, at its deadline, the turn can still write what it did.
    if not budget.affords(DEADLINE_SECONDS + budget.STORE_RESERVE_SECONDS):
        raise Unavailable()
    return factory


def kind_of(reminder: Reminder) -> str:
    """What a reminder is for, whether it is kept for its patient or only to be deleted."""
    return reminder.kind.removeprefix(FORGOTTEN)


def _said(turn: Turn, kind: str, treatment: date) -> tuple[str, str]:
    """What the reminder says when it goes off: SSML, and the plain text the app shows."""
    speech = turn.speech
    ssml = speech.say(f"reminders.{kind}", treatment=speech.weekday_date(treatment))
    return f"<speak>{ssml}</speak>", speech.plain(ssml)


def _first(kind: str, day: date, at: time | None) -> tuple[datetime, datetime | None]:
    """When a reminder of `kind` ending on `day` is set for: its time, and a daily one's end."""
    if at is None:
        return datetime.combine(day, TIME_OF_DAY), None
    return datetime.combine(day, at), datetime.combine(day, time(0, 0))


def put(turn: Turn, kind: str, record: PatientRecord, at: time | None = None) -> Reminder:
    """Set the reminder of `kind` for the record's dates with Alexa (nothing is stored): on
    the day its rule turns at 10 a.m., or for the daily one, every day at `at` until then.
    A call that ran out of time raises Unavailable(maybe_done=True): see `unsure`."""
    counted = when(kind, record, turn.protocol)
    if counted is None:
        raise ValueError("no date to count a reminder from")
    treatment, day = counted
    first, until = _first(kind, day, at)
    if at is not None:
        start = first_daily(at, day, turn.latest_today, turn.local_now)
        if start is None:
            raise ValueError("no day left for a daily reminder")
        first = start
    locale = getattr(turn.input.request_envelope.request, "locale", None) or "en-US"
    # The zone the device told in this session, if any; otherwise Alexa uses the device's own.
    zone = turn.state.zone or None
    token = create(_client(turn), first, zone, locale, _said(turn, kind, treatment), turn.now, until)
    return Reminder(kind, day, token, at)


def unsure(turn: Turn, kind: str, record: PatientRecord, at: time | None = None) -> Reminder:
    """The reminder a call that ran out of time may have set: listed without its token, so
    that the next turn that touches reminders looks for it with Alexa (`reconciled`)."""
    counted = when(kind, record, turn.protocol)
    assert counted is not None  # put() found a day for it
    return Reminder(kind, counted[1], UNKNOWN_TOKEN, at)


def reconciled(turn: Turn, reminders: tuple[Reminder, ...]) -> tuple[Reminder, ...]:
    """The reminders with those whose token was lost found again with Alexa (by the time
    they go off, and then their words): found, it is listed with its token; not there, it
    was never set and goes; when Alexa cannot say, or two could be it, it stays unsure."""
    if all(r.token != UNKNOWN_TOKEN for r in reminders):
        return reminders
    try:
        found = listed(_factory(turn).api_configuration)
    except ReminderFailure as failure:
        log.warning("reminders not listed (%s)", type(failure).__name__)
        return reminders
    known = {r.token for r in reminders}
    settled: list[Reminder] = []
    for reminder in reminders:
        if reminder.token != UNKNOWN_TOKEN:
            settled.append(reminder)
            continue
        kind = kind_of(reminder)
        first, until = _first(kind, reminder.day, reminder.at)
        same = [f for f in found if f.token not in known and _goes_off(f, first, until)]
        if len(same) > 1:
            treatment = reminder.day - (due(kind, reminder.day, turn.protocol) - reminder.day)  # counted back
            same = [f for f in same if f.text == _said(turn, kind, treatment)[1]]
        if len(same) == 1:
            settled.append(replace(reminder, token=same[0].token))
            known.add(same[0].token)
        elif same:
            settled.append(reminder)  # which one is ours cannot be told: still unsure
    return tuple(settled)


def _goes_off(found: Found, first: datetime, until: datetime | None) -> bool:
    """Whether a reminder Alexa lists goes off when ours would (a daily one: at its time of
    day, until its end; its first day depends on when it was asked for)."""
    if until is None:
        return found.until is None and found.first == first
    return found.until == until and found.first.time() == first.time()


def take_back(turn: Turn, reminders: tuple[Reminder, ...]) -> tuple[tuple[Reminder, ...], bool]:
    """Delete reminders with Alexa: those that could not be deleted, and whether that was for
    want of the permission."""
    left: list[Reminder] = []
    refused = False
    for reminder in reconciled(turn, reminders):
        try:
            if reminder.token == UNKNOWN_TOKEN:
                raise Unavailable()
            delete(_client(turn), reminder.token)
        except ReminderFailure as failure:
            log.warning("a reminder was not deleted (%s)", type(failure).__name__)
            refused = refused or isinstance(failure, NoPermission)
            left.append(reminder)
    return tuple(left), refused


def keep_in_step(turn: Turn, record: PatientRecord) -> tuple[tuple[Reminder, ...], list[str]]:
    """After the dates changed: the reminders as they now stand with Alexa, and what to tell
    the patient. Nothing is said of a reminder that stays where it was."""
    found = reconciled(turn, record.reminders)
    record = replace(record, reminders=found)
    moves = follow(record, turn.today.earliest, turn.latest_today, turn.protocol)
    if not moves:
        return found, []
    speech = turn.speech
    notes: list[str] = []
    kept = list(moves.keep)
    stands = record.settled and record.arrived(turn.latest_today) is None
    booked = stands and any(record.latest is not None and b > record.latest for b in record.planned)
    reason = "booked_dropped" if booked else "reached_dropped" if stands else "dropped"
    changing = [(r, reason) for r in moves.drop] + [(r, "moved") for r, _ in moves.move]
    for reminder, why in changing:
        kind = kind_of(reminder)
        name = _name(turn, kind)
        left, refused = take_back(turn, (reminder,))
        if left:
            # Still set for the old day, which no longer fits the dates: listed, so that the
            # next change or "cancel my reminders" tries again, and the patient is told.
            kept.append(left[0])
            key = "reminders.stale_permission" if refused else "reminders.stale"
            if kind in KINDS:
                notes.append(speech.say(key, name=name, day=_day(turn, reminder.day)))
            continue
        if why != "moved":
            if kind in KINDS and reminder.kind == kind:  # nothing is said of one kept to be deleted
                notes.append(speech.say(f"reminders.{why}", name=name))
            continue
        try:
            moved = put(turn, kind, record, reminder.at)
        except ValueError:  # a daily reminder with no day left before it ends: nothing to set
            notes.append(speech.say("reminders.reached_dropped", name=name))
            continue
        except ReminderFailure as failure:
            maybe = isinstance(failure, Unavailable) and failure.maybe_done
            if maybe:
                kept.append(unsure(turn, kind, record, reminder.at))
            notes.append(speech.say("reminders.lost_maybe" if maybe else "reminders.lost", name=name))
            continue
        kept.append(moved)
        if moved.at is None:
            at = speech.say("reminders.at", hour=TIME_OF_DAY.hour)
            notes.append(speech.say("reminders.moved", name=name, day=_day(turn, moved.day), at=at))
        else:
            last = _day(turn, moved.day - timedelta(days=1))
            notes.append(speech.say("reminders.moved_daily", name=name, last=last))
    return tuple(kept), notes


def forgotten(reminders: tuple[Reminder, ...]) -> tuple[Reminder, ...]:
    """Reminders kept after "forget my data" only so they can still be deleted: no date of
    a new treatment will ever move them."""
    return tuple(replace(r, kind=FORGOTTEN + kind_of(r)) for r in reminders)


def _name(turn: Turn, kind: str) -> str:
    return turn.speech.say(f"reminders.name_{kind}")


def _day(turn: Turn, day: date) -> str:
    return turn.speech.weekday_date(day)


def replaced(reminders: tuple[Reminder, ...], reminder: Reminder) -> tuple[Reminder, ...]:
    """The reminders with `reminder` in place of any of its kind."""
    return (*(r for r in reminders if r.kind != reminder.kind), reminder)
