"""The patient asks to be reminded (the sun, makeup, results), or to cancel reminders, and
Alexa comes back with their answer to the reminders permission (H18)."""

from __future__ import annotations

import logging
import re
from datetime import date, time, timedelta

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from ..conversation import Question
from ..reminder_api import NoPermission, Unavailable
from ..reminders import DAILY, KINDS, QUESTION, TIME_OF_DAY, first_daily, when
from ..reminding import (
    ASK_FOR,
    UNKNOWN_TOKEN,
    consent_card,
    forgotten,
    granted,
    kind_of,
    permission_request,
    put,
    reconciled,
    stale_note,
    take_back,
    unsure,
)
from ..store import Change, StoreError
from ..turn import Turn
from .replies import respond
from .treatment import DatesHandler

log = logging.getLogger(__name__)

REMIND = "RemindIntent"
SLOT = "reminder"
TIME_SLOT = "time"


def offer(turn: Turn, kind: str, at: time | None = None, *, consented: bool = False) -> Response:
    """Set the reminder of `kind` if the dates allow one and it is not set already; ask for
    the permission first when the envelope does not carry it (once: after the patient has
    said yes to Alexa, a refusal from the API sends the card instead). `at` is the time of
    day of the daily one."""
    speech = turn.speech
    turn.zone  # noqa: B018 (looked up first: the patient's own date, not the latest on Earth)
    record = turn.record
    if record.latest is None:
        return turn.answer(speech.say("reminders.no_date"))
    if not record.settled or record.arrived(turn.latest_today) is not None:
        # The day would rest on a date that does not stand (H18): nothing is set.
        return turn.answer(speech.say("reminders.unsettled"))
    counted = when(kind, record, turn.protocol)
    if counted is None:  # a treatment booked before its day: the day is not known yet
        return turn.answer(speech.say("reminders.booked", name=speech.say(f"reminders.name_{kind}")))
    day = counted[1]
    if day <= turn.latest_today or (at is not None and first_daily(at, day, turn.latest_today, turn.local_now) is None):
        # Its day may have come already: today's answer instead, with every guard it has.
        reached = "reminders.reached" if day >= turn.today.earliest else "reminders.passed"
        return turn.answer(speech.say(reached), respond(turn, Question(QUESTION[kind]), record).text)
    reminders = reconciled(turn, record.reminders)
    if reminders != record.reminders:
        record = turn.save(Change(reminders=reminders))
    if any(r.kind == kind and r.token == UNKNOWN_TOKEN for r in reminders):
        return turn.answer(speech.say("reminders.maybe_set"))  # setting it again could double it
    if any(r.kind == kind and r.day == day and r.at == at for r in reminders):
        return turn.answer(said_set(turn, kind, day, at, key="already"))
    if not consented and not granted(turn):
        return ask_permission(turn, kind, at)
    try:
        reminder = put(turn, kind, record, at)
    except NoPermission:
        return consent_needed(turn) if consented else ask_permission(turn, kind, at)
    except Unavailable as failure:
        if not failure.maybe_done:
            return turn.answer(speech.say("reminders.unavailable"))
        reminder = unsure(turn, kind, record, at)  # found, or found missing, next time
    # The one it replaces (another time of day, another date) goes, or stays listed, marked
    # to be deleted, until Alexa lets it go: never dropped from the record unseen.
    stale = tuple(r for r in reminders if r.kind == kind)
    left, refused = take_back(turn, stale) if stale else ((), False)
    kept = (*tuple(r for r in reminders if r not in stale), reminder, *forgotten(left))
    try:
        turn.save(Change(reminders=kept))
    except StoreError:
        if reminder.token != UNKNOWN_TOKEN:
            take_back(turn, (reminder,))  # not kept, so it could never be moved or deleted
        raise
    turn.notes.extend(stale_note(turn, r, refused) for r in left)
    if reminder.token == UNKNOWN_TOKEN:
        return turn.answer(speech.say("reminders.maybe_set"))
    return turn.answer(said_set(turn, kind, day, at))


def said_set(turn: Turn, kind: str, day: date, at: time | None, key: str = "set") -> str:
    """What the patient hears of a reminder set (or already set): when it goes off."""
    speech = turn.speech
    if at is None:
        return speech.say(f"reminders.{key}_{kind}", day=speech.weekday_date(day), at=ten(turn))
    last = speech.weekday_date(day - timedelta(days=1))
    start = first_daily(at, day, turn.latest_today, turn.local_now)
    first = speech.weekday_date(start.date()) if start is not None else last
    return speech.say(f"reminders.{key}_{kind}", at=speech.clock(at), first=first, last=last)


def ten(turn: Turn) -> str:
    return turn.speech.say("reminders.at", hour=TIME_OF_DAY.hour)


def ask_permission(turn: Turn, kind: str, at: time | None) -> Response:
    """Alexa asks the patient, by voice; the answer comes back as a Connections.Response,
    with the token that says which reminder it was for, and for whom."""
    wanted = kind if at is None else f"{kind}@{at.isoformat('minutes')}"
    token = f"{wanted}|{_asker(turn)}"
    return turn.input.response_builder.add_directive(permission_request(token)).response


def _asker(turn: Turn) -> str:
    # A digest of the account and voice, not an id: it only has to match on the way back.
    return turn.patient.digest[:16]


def from_token(token: object, turn: Turn) -> tuple[str, time | None] | None:
    """The reminder a permission request was for, from its token; None if it names none, or
    if the answer comes from someone else than who asked (another voice said yes)."""
    wanted, _, asker = str(token or "").partition("|")
    if asker != _asker(turn):
        return None
    kind, _, said = wanted.partition("@")
    at = clock(said) if said else None
    if kind not in KINDS or (kind == DAILY) != (at is not None) or (said and at is None):
        return None
    return kind, at


def clock(value: str | None) -> time | None:
    """A time of day as AMAZON.TIME gives it ("08:30"); None for anything vaguer ("MO")."""
    if value is None or re.fullmatch(r"\d{2}:\d{2}", value) is None:
        return None
    hour, minute = int(value[:2]), int(value[3:])
    return time(hour, minute) if hour < 24 and minute < 60 else None


def consent_needed(turn: Turn) -> Response:
    """Where the permission cannot be given by voice: the card in the Alexa app, and why."""
    turn.input.response_builder.set_card(consent_card())
    return turn.answer(turn.speech.say("reminders.card"))


class RemindHandler(DatesHandler):
    """ "Remind me when I can sunbathe": a reminder on the day the rule turns; "remind me to
    put on sunscreen every day at 8": daily, until the weeks without sunbathing are over."""

    intents = (REMIND,)
    refusal = "shared.no_reminders"

    def reply(self, turn: Turn) -> Response:
        speech = turn.speech
        kind = turn.slot_id(SLOT)
        said = turn.slot(TIME_SLOT)
        if kind is None and said is not None:
            kind = DAILY  # a time alone answers "at what time each day?"
        if kind not in KINDS:
            which = speech.say("reminders.which")
            return turn.ask(which, reprompt=which, elicit=(REMIND, SLOT))
        if kind != DAILY:
            return offer(turn, kind)
        at = clock(said)
        if at is None:
            key = "reminders.what_time" if said is None else "reminders.exact_time"
            return turn.ask(speech.say(key), reprompt=speech.say("reminders.what_time"), elicit=(REMIND, TIME_SLOT))
        return offer(turn, kind, at)


class CancelRemindersHandler(DatesHandler):
    """ "Cancel my reminders" (all of them) or "cancel my sunscreen reminder" (that one): what
    could not be deleted stays listed, so it can be tried again."""

    intents = ("CancelRemindersIntent",)
    refusal = "shared.not_cancelled"

    def reply(self, turn: Turn) -> Response:
        speech = turn.speech
        record = turn.record
        kind = turn.slot_id(SLOT)
        if kind not in KINDS:
            kind = None
        chosen = tuple(r for r in record.reminders if kind is None or kind_of(r) == kind)
        if not chosen:
            none = "reminders.none" if kind is None else "reminders.none_of"
            return turn.answer(speech.say(none, name=speech.say(f"reminders.name_{kind}") if kind else ""))
        left, _ = take_back(turn, chosen)
        turn.save(Change(reminders=tuple(r for r in record.reminders if r not in chosen) + forgotten(left)))
        if left:
            return turn.answer(speech.say("reminders.cancel_failed"))
        if kind is None:
            return turn.answer(speech.say("reminders.cancelled"))
        return turn.answer(speech.say("reminders.cancelled_one", name=speech.say(f"reminders.name_{kind}")))


class PermissionAnsweredHandler(DatesHandler):
    """Alexa's answer to the permission request: the patient allowed reminders, refused,
    or did not answer; or the device cannot ask by voice, and the card is sent instead."""

    request_type = "Connections.Response"
    refusal = "shared.no_reminders"

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        return request.object_type == self.request_type and request.name == ASK_FOR

    def reply(self, turn: Turn) -> Response:
        request = turn.input.request_envelope.request
        speech = turn.speech
        wanted = from_token(request.token, turn)
        code = getattr(request.status, "code", None)
        if str(code) != "200":
            # Voice permission is not supported here (or the request failed): the card.
            log.info("permission by voice not available (status %s)", code)
            return consent_needed(turn)
        status = (request.payload or {}).get("status")
        if status == "ACCEPTED":
            if wanted is None:
                return turn.answer(speech.say("reminders.allowed"))
            return offer(turn, *wanted, consented=True)
        if status == "DENIED":
            return turn.answer(speech.say("reminders.denied"))
        return turn.answer(speech.say("reminders.not_answered"))
