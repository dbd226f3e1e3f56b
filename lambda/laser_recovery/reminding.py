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
from .reminders import TIME_OF_DAY, due, first_daily, follow, when
from .store import PatientId, PatientRecord, Reminder, StoreError

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


def reconciled(turn: Turn, reminders: tuple[Reminder, ...], owner: PatientId | None = None) -> tuple[Reminder, ...]:
    """The reminders with those whose token was lost found again with Alexa: a reminder
    Alexa lists that goes off when this one would, says its words, and no other record of
    the account lists is adopted; when none goes off then, it was never set and goes; when
    Alexa cannot say, or it cannot be told apart (another locale's words, two alike), it
    stays unsure. `owner` is whose reminders they are (the speaker's by default)."""
    if all(r.token != UNKNOWN_TOKEN for r in reminders):
        return reminders
    try:
        found = listed(_factory(turn).api_configuration)
        others = _others_tokens(turn, owner or turn.patient)
    except (ReminderFailure, StoreError) as failure:
        log.warning("reminders not listed (%s)", type(failure).__name__)
        return reminders
    known = {r.token for r in reminders} | others
    settled: list[Reminder] = []
    for reminder in reminders:
        if reminder.token != UNKNOWN_TOKEN:
            settled.append(reminder)
            continue
        kind = kind_of(reminder)
        first, until = _first(kind, reminder.day, reminder.at)
        same = [f for f in found if f.token not in known and _goes_off(f, first, until)]
        if not same:
            continue  # Alexa has none like it: it was never made
        treatment = reminder.day - (due(kind, reminder.day, turn.protocol) - reminder.day)  # counted back
        exact = [f for f in same if f.text == _said(turn, kind, treatment)[1]]
        if len(exact) == 1:
            settled.append(replace(reminder, token=exact[0].token))
            known.add(exact[0].token)
        else:
            settled.append(reminder)  # which one is ours cannot be told: still unsure
    return tuple(settled)


def _others_tokens(turn: Turn, owner: PatientId) -> set[str]:
    """The tokens the account's other records list: their reminders are never adopted."""
    tokens: set[str] = set()
    for profile in turn.store.household(owner.account):
        if profile != owner.profile:
            record = turn.store.get(PatientId(owner.account, profile))
            tokens |= {r.token for r in (record.reminders if record else ())}
    return tokens


def due_for_tidying(turn: Turn, record: PatientRecord) -> bool:
    """Whether a reminder of the record is unsure, kept only to be deleted, or no longer in
    step with the dates (a change whose move failed, or one made for another voice)."""
    if any(r.token == UNKNOWN_TOKEN or kind_of(r) != r.kind for r in record.reminders):
        return True
    return bool(follow(record, turn.today.earliest, turn.latest_today, turn.protocol))


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


def keep_in_step(
    turn: Turn, record: PatientRecord, owner: PatientId | None = None, *, quiet: bool = False
) -> tuple[tuple[Reminder, ...], list[str]]:
    """After the dates changed: the reminders as they now stand with Alexa, and what to tell
    the patient. Nothing is said of a reminder that stays where it was, nor of one kept only
    to be deleted; `quiet` says nothing of what failed (it was said when it first did)."""
    found = reconciled(turn, record.reminders, owner)
    record = replace(record, reminders=found)
    moves = follow(record, turn.today.earliest, turn.latest_today, turn.protocol)
    if not moves:
        return found, []
    speech = turn.speech
    notes: list[str] = []
    failed: list[str] = []
    kept = list(moves.keep)
    stands = record.settled and record.arrived(turn.latest_today) is None
    booked = stands and any(record.latest is not None and b > record.latest for b in record.planned)
    reason = "booked_dropped" if booked else "reached_dropped" if stands else "dropped"
    changing = [(r, reason) for r in moves.drop] + [(r, "moved") for r, _ in moves.move]
    for reminder, why in changing:
        kind = kind_of(reminder)
        name = _name(turn, kind)
        spoken = reminder.kind == kind  # not one kept only to be deleted
        left, refused = take_back(turn, (reminder,))
        if left:
            # Still set for the old day, which no longer fits the dates: listed, so that the
            # next turn, change or "cancel my reminders" tries again, and the patient is told.
            kept.append(left[0])
            if spoken:
                failed.append(stale_note(turn, left[0], refused))
            continue
        if why != "moved":
            if spoken:
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
            failed.append(speech.say("reminders.lost_maybe" if maybe else "reminders.lost", name=name))
            continue
        kept.append(moved)
        if moved.at is None:
            at = speech.say("reminders.at", hour=TIME_OF_DAY.hour)
            notes.append(speech.say("reminders.moved", name=name, day=_day(turn, moved.day), at=at))
        else:
            last = _day(turn, moved.day - timedelta(days=1))
            notes.append(speech.say("reminders.moved_daily", name=name, last=last))
    return tuple(kept), notes if quiet else notes + failed


def stale_note(turn: Turn, reminder: Reminder, refused: bool) -> str:
    """A reminder that could not be deleted, so the patient deletes it in the app."""
    speech = turn.speech
    name = _name(turn, kind_of(reminder))
    if reminder.at is not None:
        return speech.say("reminders.stale_daily", name=name, at=speech.clock(reminder.at))
    key = "reminders.stale_permission" if refused else "reminders.stale"
    return speech.say(key, name=name, day=_day(turn, reminder.day))


def forgotten(reminders: tuple[Reminder, ...]) -> tuple[Reminder, ...]:
    """Reminders kept only so they can still be deleted (after "forget my data", or replaced
    by a new one of their kind): no date will ever move them, and the next turn that reads
    the record tries to delete them again."""
    return tuple(replace(r, kind=FORGOTTEN + kind_of(r)) for r in reminders)


def _name(turn: Turn, kind: str) -> str:
    return turn.speech.say(f"reminders.name_{kind}")


def _day(turn: Turn, day: date) -> str:
    return turn.speech.weekday_date(day)
