"""The patient's reminders, kept with Alexa and in step with their dates.

The thin edge between the pure rules of reminders.py, the Reminders API (reminder_api.py)
and a turn: it sets, moves and deletes reminders through the request's own API endpoint and
token, and says what the patient needs to hear about it. Every API call is inside the turn's
budget; a failure leaves the record saying what is true (a reminder that could not be moved
stays listed, so it is tried again and the patient is told to delete it).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from . import budget
from .alexa_api import DEADLINE_SECONDS
from .reminder_api import SCOPE, ReminderFailure, Unavailable, create, delete
from .reminders import TIME_OF_DAY, first_daily, follow, when
from .store import PatientRecord, Reminder

if TYPE_CHECKING:
    from ask_sdk_model.interfaces.connections import SendRequestDirective
    from ask_sdk_model.ui import AskForPermissionsConsentCard

    from .turn import Turn

log = logging.getLogger(__name__)

ASK_FOR = "AskFor"


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
    factory = turn.input.service_client_factory
    if factory is None:  # no apiAccessToken: nothing can reach the API
        raise Unavailable()
    # A call is started only if, at its deadline, the turn can still write what it did.
    if not budget.affords(DEADLINE_SECONDS + budget.STORE_RESERVE_SECONDS):
        raise Unavailable()
    return factory.get_reminder_management_service()


def put(turn: Turn, kind: str, record: PatientRecord, at: time | None = None) -> Reminder:
    """Set the reminder of `kind` for the record's dates with Alexa (nothing is stored): on
    the day its rule turns at 10 a.m., or for the daily one, every day at `at` until then."""
    counted = when(kind, record, turn.protocol)
    if counted is None:
        raise ValueError("no date to count a reminder from")
    treatment, day = counted
    speech = turn.speech
    ssml = speech.say(f"reminders.{kind}", treatment=speech.weekday_date(treatment))
    locale = getattr(turn.input.request_envelope.request, "locale", None) or "en-US"
    said = (f"<speak>{ssml}</speak>", speech.plain(ssml))
    if at is None:
        first, until = datetime.combine(day, TIME_OF_DAY), None
    else:
        start = first_daily(at, day, turn.latest_today, turn.local_now)
        if start is None:
            raise ValueError("no day left for a daily reminder")
        first, until = start, datetime.combine(day, time(0, 0))
    # The zone the device told in this session, if any; otherwise Alexa uses the device's own.
    zone = turn.state.zone or None
    token = create(_client(turn), first, zone, locale, said, turn.now, until)
    return Reminder(kind, day, token, at)


def take_back(turn: Turn, reminders: tuple[Reminder, ...]) -> tuple[Reminder, ...]:
    """Delete reminders with Alexa; those that could not be deleted."""
    left: list[Reminder] = []
    for reminder in reminders:
        try:
            delete(_client(turn), reminder.token)
        except ReminderFailure as failure:
            log.warning("a reminder was not deleted (%s)", type(failure).__name__)
            left.append(reminder)
    return tuple(left)


def keep_in_step(turn: Turn, record: PatientRecord) -> tuple[tuple[Reminder, ...], list[str]]:
    """After the dates changed: the reminders as they now stand with Alexa, and what to tell
    the patient. Nothing is said of a reminder that stays where it was."""
    moves = follow(record, turn.today.earliest, turn.latest_today, turn.protocol)
    if not moves:
        return record.reminders, []
    speech = turn.speech
    notes: list[str] = []
    kept = list(moves.keep)
    stands = record.settled and record.arrived(turn.latest_today) is None
    changing = [(r, "dropped" if not stands else "reached_dropped") for r in moves.drop]
    changing += [(r, "moved") for r, _ in moves.move]
    for reminder, reason in changing:
        name = _name(turn, reminder.kind)
        if take_back(turn, (reminder,)):
            # Still set for the old day, which no longer fits the dates: listed, so that the
            # next change or "cancel my reminders" tries again, and the patient is told.
            kept.append(reminder)
            notes.append(speech.say("reminders.stale", name=name, day=_day(turn, reminder.day)))
            continue
        if reason != "moved":
            notes.append(speech.say(f"reminders.{reason}", name=name))
            continue
        try:
            moved = put(turn, reminder.kind, record, reminder.at)
        except ValueError:  # a daily reminder with no day left before it ends: nothing to set
            notes.append(speech.say("reminders.reached_dropped", name=name))
            continue
        except ReminderFailure as failure:
            unsure = isinstance(failure, Unavailable) and failure.maybe_done
            notes.append(speech.say("reminders.lost_maybe" if unsure else "reminders.lost", name=name))
            continue
        kept.append(moved)
        if moved.at is None:
            at = speech.say("reminders.at", hour=TIME_OF_DAY.hour)
            notes.append(speech.say("reminders.moved", name=name, day=_day(turn, moved.day), at=at))
        else:
            last = _day(turn, moved.day - timedelta(days=1))
            notes.append(speech.say("reminders.moved_daily", name=name, last=last))
    return tuple(kept), notes


def _name(turn: Turn, kind: str) -> str:
    return turn.speech.say(f"reminders.name_{kind}")


def _day(turn: Turn, day: date) -> str:
    return turn.speech.weekday_date(day)


def replaced(record: PatientRecord, reminder: Reminder) -> tuple[Reminder, ...]:
    """The record's reminders with `reminder` in place of any of its kind."""
    return (*(r for r in record.reminders if r.kind != reminder.kind), reminder)
