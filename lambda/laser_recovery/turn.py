"""One turn of the conversation: who is asking, what day it is for them, what they said.

Built once per request by the interceptor in skill.py. Everything slow or private is
looked up lazily: the patient's record at most once per turn (never kept across turns:
another device may have changed it) and the device's time zone once per session (one
Settings API call).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ask_sdk_core.exceptions import AttributesManagerException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Intent, IntentConfirmationStatus, Response, Slot, SlotConfirmationStatus

from .cards import after_change, after_forget
from .conversation import ELICITED_SLOTS, ConversationState, Said, Seal
from .dates import LocalDay
from .recovery import Protocol
from .screens import has_screen, said_data, show
from .speech import Speech, speech_for, ssml
from .store import Change, PatientId, PatientRecord, Reminder, StoreError, TreatmentStore, device_key, patient_id
from .store.model import SHARED_PROFILE

if TYPE_CHECKING:
    from ask_sdk_model.dialog import ElicitSlotDirective

log = logging.getLogger(__name__)

TURN = "laser_recovery.turn"
RENDER = "Alexa.Presentation.APL.RenderDocument"


@dataclass(frozen=True)
class Services:
    """What every turn needs and the skill builds once per container."""

    store: TreatmentStore
    protocol: Protocol
    state_key: bytes | None = None  # signs the session state when nothing else vouches for it


class Turn:
    def __init__(self, handler_input: HandlerInput, services: Services) -> None:
        self.input = handler_input
        self.services = services
        self.protocol = services.protocol
        envelope = handler_input.request_envelope
        self.speech: Speech = speech_for(getattr(envelope.request, "locale", None), self.protocol)
        try:
            self._attributes: dict[str, Any] | None = handler_input.attributes_manager.session_attributes
        except AttributesManagerException:  # skill events arrive outside any session
            self._attributes = None
        self._state: ConversationState | None = None
        session = getattr(envelope.session, "session_id", None) or ""
        self._seal = Seal(services.state_key, session) if services.state_key else None
        self._record: PatientRecord | None = None
        self._household: dict[str, date] | None = None
        self._pending = Change()  # bookkeeping (notice heard, device zone) for the next write
        self._noticed = False
        self.answered_from: date | None = None  # the treatment date this turn's answers rest on
        self.notes: list[str] = []  # said after the answer: what changed with the reminders

    @staticmethod
    def of(handler_input: HandlerInput) -> Turn:
        turn: Turn = handler_input.attributes_manager.request_attributes[TURN]
        return turn

    @property
    def state(self) -> ConversationState:
        """The conversation so far, as this patient left it; loaded when first needed."""
        if self._state is None:
            self._state = ConversationState.load(self._attributes or {}, self.patient.digest, self._seal)
            self._state.begin_turn()
        return self._state

    # -- who ---------------------------------------------------------------------------

    @property
    def patient(self) -> PatientId:
        system = self.input.request_envelope.context.system
        person = getattr(system, "person", None)
        return patient_id(system.user.user_id, getattr(person, "person_id", None))

    @property
    def device(self) -> str:
        device = getattr(self.input.request_envelope.context.system, "device", None)
        return device_key(getattr(device, "device_id", None) or "unknown")

    @property
    def store(self) -> TreatmentStore:
        return self.services.store

    @property
    def record(self) -> PatientRecord:
        """The patient's record, read from the store once in this turn. Reminders left out of
        step (a move or delete that failed, one kept only to be deleted, one whose create
        timed out, one a change made for another voice left behind) are tidied on the way."""
        if self._record is None:
            self._record = self.store.get(self.patient) or PatientRecord()
            if self._record.reminders:
                self._tidy_reminders()
        return self._record

    def _tidy_reminders(self) -> None:
        from .reminding import due_for_tidying  # the Reminders API's models: only when needed

        if self.shared_with_others or not due_for_tidying(self, self.record):
            return
        # What failed is said again only when the patient opens the skill, not every turn.
        launching = self.input.request_envelope.request.object_type == "LaunchRequest"
        self._record, notes = self.keep_reminders_in_step(self.patient, self.record, quiet=not launching)
        self.notes.extend(notes)

    @property
    def household(self) -> dict[str, date]:
        """The account's records that have dates, by profile, with their newest: read once."""
        if self._household is None:
            self._household = self.store.household(self.patient.account)
        return self._household

    @property
    def shared_with_others(self) -> bool:
        """Whether the speaker is a voice Alexa did not recognise, in a household where someone
        else keeps dates of their own: the account's shared record may hold that person's
        dates, so none of them is said, changed or answered from for this voice."""
        return self.patient.profile == SHARED_PROFILE and any(p != SHARED_PROFILE for p in self.household)

    def save(self, change: Change) -> PatientRecord:
        """Write a change (with any bookkeeping due) and keep what the store returned."""
        change = replace(
            change,
            welcome=change.welcome or self._pending.welcome,
            zones=change.zones if change.zones is not None else self._pending.zones,
        )
        self._record = self.store.update(self.patient, change)
        self._pending = Change()
        dates_changed = replace(change, welcome=False, zones=None, reminders=None) != Change()
        if dates_changed and self._record.reminders:
            self._record, notes = self.keep_reminders_in_step(self.patient, self._record)
            self.notes.extend(notes)
        if dates_changed:
            card = after_change(self, self._record)  # no earlier card's dates stay the newest
            if card is not None:
                self.input.response_builder.set_card(card)
        return self._record

    def keep_reminders_in_step(
        self, patient: PatientId, record: PatientRecord, *, quiet: bool = False
    ) -> tuple[PatientRecord, list[str]]:
        """The dates of `patient` changed: each reminder moves to its new day, or goes (H18).
        The record as it now stands, and what to tell that patient."""
        from .reminding import keep_in_step  # the Reminders API's models: only when needed

        reminders, notes = keep_in_step(self, record, patient, quiet=quiet)
        if reminders == record.reminders:
            return record, notes
        try:
            return self.store.update(patient, Change(reminders=reminders)), notes
        except StoreError as error:
            # The dates are saved; the reminders moved with Alexa but are not listed as they
            # now stand, so the patient is told to check them (H18).
            log.warning("reminders not recorded: %s", error)
            return record, [*notes, self.speech.say("reminders.unrecorded")]

    def forget(self) -> bool:
        """Delete the patient's record, and first the reminders set for it with Alexa; False
        when a reminder could not be deleted: then only what deleting it needs is kept."""
        left: tuple[Reminder, ...] = ()
        if self.record.reminders:
            from .reminding import forgotten, take_back

            left = forgotten(take_back(self, self.record.reminders)[0])
        self.store.delete(self.patient)
        if left:
            self.store.update(self.patient, Change(reminders=left))
        self.input.response_builder.set_card(after_forget(self))
        self._record = PatientRecord(welcomed=self.record.welcomed, reminders=left)
        self.state.recorded = None
        self.state.disputed = None
        self._pending = Change()
        return not left

    # -- when --------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        """The request's timestamp: never the server's clock."""
        stamp = self.input.request_envelope.request.timestamp
        return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)

    @property
    def zone(self) -> ZoneInfo | None:
        """The device's zone: from the Settings API, else as remembered for this device;
        None when neither is known, and then every answer must hold in every zone."""
        if self.state.zone is None:
            self.state.zone = self._ask_device_zone() or ""
            if self.state.zone:
                self._remember_zone(self.state.zone)
        if self.state.zone:
            return _zone_info(self.state.zone)
        try:
            return _zone_info(self.record.zone_for(self.device))
        except StoreError:  # nothing remembered can be read: the zone stays unknown
            return None

    def _remember_zone(self, zone: str) -> None:
        """Keep the device's zone with the next write, for a turn when the API fails."""
        try:
            record = self.record
        except StoreError:
            return
        if record.zone_for(self.device) != zone:
            self._pending = replace(self._pending, zones=record.with_zone(self.device, zone))

    @property
    def today(self) -> LocalDay:
        zone = self.zone
        if zone is not None and not self.state.zone:  # remembered, not told by the device now
            return LocalDay.remembered(self.now, zone)
        return LocalDay.at(self.now, zone)

    @property
    def local_now(self) -> datetime | None:
        """The patient's wall-clock time, when the device told its zone in this session."""
        zone = self.zone
        if zone is None or not self.state.zone:  # unknown, or only remembered (it may be stale)
            return None
        return self.now.astimezone(zone).replace(tzinfo=None)

    @property
    def latest_today(self) -> date:
        """The latest date it can be for the patient: their date, when the device told its zone
        in this session; else the latest on Earth (a remembered zone may be stale). A day
        that may have come anywhere has come, for what waits on it (H17)."""
        return self.today.latest if self.state.zone else LocalDay.at(self.now, None).latest

    def _ask_device_zone(self) -> str | None:
        try:
            device_id = self.input.request_envelope.context.system.device.device_id
            ups = self.input.service_client_factory.get_ups_service()
            zone = ups.get_system_time_zone(device_id)
        except Exception as error:  # any failure means: the zone is not known this session
            log.warning("time zone lookup failed (%s)", type(error).__name__)
            return None
        return zone if isinstance(zone, str) and _zone_info(zone) is not None else None

    # -- what was said -----------------------------------------------------------------

    @property
    def intent_name(self) -> str | None:
        intent = getattr(self.input.request_envelope.request, "intent", None)
        return getattr(intent, "name", None)

    def slot(self, name: str) -> str | None:
        intent = getattr(self.input.request_envelope.request, "intent", None)
        slot = (getattr(intent, "slots", None) or {}).get(name)
        value = getattr(slot, "value", None)
        return value.strip() if isinstance(value, str) and value.strip() else None

    def slot_id(self, name: str) -> str | None:
        """The canonical id entity resolution matched for a custom slot, if any."""
        intent = getattr(self.input.request_envelope.request, "intent", None)
        slot = (getattr(intent, "slots", None) or {}).get(name)
        authorities = getattr(getattr(slot, "resolutions", None), "resolutions_per_authority", None)
        for authority in authorities or ():
            if getattr(getattr(authority.status, "code", None), "value", None) == "ER_SUCCESS_MATCH":
                return authority.values[0].value.id
        return None

    @property
    def one_shot(self) -> bool:
        """Asked straight from the invocation ("ask laser recovery can I..."): answer and go."""
        session = self.input.request_envelope.session
        return bool(session is None or session.new)

    # -- replying ----------------------------------------------------------------------

    def notice_due(self) -> bool:
        """Whether this patient has yet to hear that the skill is no substitute for their
        specialist. If the store cannot say, the notice is given (and not marked heard)."""
        if self._noticed or self.state.noticed:
            return False
        try:
            self.state.noticed = self.record.welcomed
        except StoreError:
            return True
        return not self.state.noticed

    def give_notice(self) -> str:
        """The notice, marked as heard by this patient from now on."""
        self._noticed = self.state.noticed = True
        if self._record is not None:
            self._record = replace(self._record, welcomed=True)
            self._pending = replace(self._pending, welcome=True)
        return self.speech.say("welcome.notice")

    def ask(self, *speech: str, reprompt: str, elicit: tuple[str, str] | None = None) -> Response:
        """Say something and keep listening; `elicit` = (intent, slot) routes a bare answer."""
        text = ssml(*self._with_notice(speech, asking=True))
        again = ssml(reprompt)
        self.state.last = Said(text, again, elicit, self.answered_from)
        builder = self.input.response_builder
        if elicit is not None and self.input.request_envelope.request.object_type == "IntentRequest":
            builder.add_directive(_elicit(*elicit))
        self._on_screen(text)
        return builder.speak(text).ask(again).set_should_end_session(False).response

    def answer(self, *speech: str) -> Response:
        """An answer: the end of a one-shot request, or a step in an open session."""
        if self.one_shot:
            return self.end(*speech)
        follow_up = self.speech.say("welcome.anything_else")
        return self.ask(*speech, follow_up, reprompt=follow_up)

    def end(self, *speech: str) -> Response:
        builder = self.input.response_builder
        text = ssml(*self._with_notice(speech, asking=False))
        self._on_screen(text)
        return builder.speak(text).set_should_end_session(True).response

    def repeat(self, said: Said) -> Response:
        builder = self.input.response_builder
        if said.elicit is not None:
            builder.add_directive(_elicit(*said.elicit))
        self._on_screen(said.speech)
        return builder.speak(said.speech).ask(said.reprompt).set_should_end_session(False).response

    def _on_screen(self, text: str) -> None:
        """On a screen, every reply replaces what the last one drew: the timeline or the text
        being read if the reply drew them, else the words just said. A screen left as it was
        would go on showing dates the conversation has since changed, withdrawn or deleted."""
        builder = self.input.response_builder
        drawn = any(getattr(d, "object_type", None) == RENDER for d in builder.response.directives or ())
        if not drawn and has_screen(self):
            show(self, "said", said_data(self, text))

    def _with_notice(self, speech: tuple[str, ...], *, asking: bool) -> tuple[str, ...]:
        # What changed with the reminders comes after the answer, and before the question
        # that ends a turn that keeps listening.
        if self.notes:
            speech = (*speech[:-1], *self.notes, *speech[-1:]) if asking else (*speech, *self.notes)
        return (self.give_notice(), *speech) if self.notice_due() else speech

    def finish(self) -> None:
        """After the reply: write the bookkeeping still due, then keep the state."""
        due = self._pending
        try:
            if due.welcome or (due.zones is not None and self.record.treatments):
                self.save(Change())
        except StoreError as error:  # the answer stands; the notice or zone waits
            log.warning("bookkeeping not saved: %s", error)
        if self._attributes is not None:
            # Every turn counts, even one that never looked at the state: what was asked
            # before it lapses.
            self.state.save(self._attributes, self._seal)


def _elicit(intent: str, slot: str) -> ElicitSlotDirective:
    # Importing ask_sdk_model.dialog loads all its dozen directives: not on a cold start.
    from ask_sdk_model.dialog import ElicitSlotDirective

    slots = {name: Slot(name=name, confirmation_status=SlotConfirmationStatus.NONE) for name in ELICITED_SLOTS[intent]}
    updated = Intent(name=intent, slots=slots, confirmation_status=IntentConfirmationStatus.NONE)
    return ElicitSlotDirective(updated_intent=updated, slot_to_elicit=slot)


def _zone_info(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
