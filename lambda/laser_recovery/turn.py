"""One turn of the conversation: who is asking, what day it is for them, what they said.

Built once per request by the interceptor in skill.py. Everything slow or private is
looked up lazily and at most once per session: the patient's record (one store read,
then kept in the session) and the device's time zone (one Settings API call).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ask_sdk_core.exceptions import AttributesManagerException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .recovery import Protocol
from .speech import Speech, speech_for, ssml
from .store import PatientId, PatientRecord, TreatmentStore, patient_id

log = logging.getLogger(__name__)

TURN = "laser_recovery.turn"


@dataclass(frozen=True)
class Services:
    """What every turn needs and the skill builds once per container."""

    store: TreatmentStore
    protocol: Protocol
    default_zone: ZoneInfo


class Turn:
    def __init__(self, handler_input: HandlerInput, services: Services) -> None:
        self.input = handler_input
        self.services = services
        self.protocol = services.protocol
        try:
            self.session: dict[str, Any] = handler_input.attributes_manager.session_attributes
        except AttributesManagerException:  # skill events arrive outside any session
            self.session = {}
        envelope = handler_input.request_envelope
        self.speech: Speech = speech_for(getattr(envelope.request, "locale", None), self.protocol)
        self._now: datetime | None = None
        self._record: PatientRecord | None = None

    @staticmethod
    def of(handler_input: HandlerInput) -> Turn:
        return handler_input.attributes_manager.request_attributes[TURN]

    # -- who ---------------------------------------------------------------------------

    @property
    def key(self) -> PatientId:
        system = self.input.request_envelope.context.system
        person = getattr(system, "person", None)
        return patient_id(system.user.user_id, getattr(person, "person_id", None))

    @property
    def store(self) -> TreatmentStore:
        return self.services.store

    @property
    def record(self) -> PatientRecord:
        """The patient's record: read from the store once per session, then from the session."""
        if self._record is None:
            cached = self.session.get("record")
            if cached is not None:
                self._record = PatientRecord.from_session(cached)
            else:
                self._record = self.store.get(self.key) or PatientRecord()
                self.session["record"] = self._record.to_session()
        return self._record

    def remember(self, record: PatientRecord) -> None:
        """Keep what a write returned, so later turns need no read."""
        self._record = record
        self.session["record"] = record.to_session()

    def forget(self) -> None:
        self.store.delete(self.key)
        self.remember(PatientRecord())

    # -- when --------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        """The request's timestamp in the device's zone: never the server's clock."""
        if self._now is None:
            stamp = self.input.request_envelope.request.timestamp
            if stamp.tzinfo is None:
                stamp = stamp.replace(tzinfo=timezone.utc)
            self._now = stamp.astimezone(self._zone())
        return self._now

    @property
    def today(self) -> date:
        return self.now.date()

    def _zone(self) -> ZoneInfo:
        name = self.session.get("time_zone")
        if name is None:
            name = self._ask_device_zone() or self.services.default_zone.key
            self.session["time_zone"] = name
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return self.services.default_zone

    def _ask_device_zone(self) -> str | None:
        try:
            device_id = self.input.request_envelope.context.system.device.device_id
            ups = self.input.service_client_factory.get_ups_service()
            zone = ups.get_system_time_zone(device_id)
        except Exception as error:  # any failure means: answer with the default zone
            log.warning("time zone lookup failed (%s); using the default zone", type(error).__name__)
            return None
        return zone if isinstance(zone, str) and zone else None

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

    @property
    def expecting(self) -> str | None:
        """What a bare "yes", "no" or "more" would answer right now."""
        return self.session.get("expecting")

    def expect(self, what: str | None, **state: Any) -> None:
        self.session["expecting"] = what
        for name, value in state.items():
            self.session[name] = value

    def ask(self, *speech: str, reprompt: str) -> Response:
        """Say something and keep listening."""
        text = ssml(*speech)
        again = ssml(reprompt)
        self.session["last"] = {"speech": text, "reprompt": again}
        builder = self.input.response_builder
        return builder.speak(text).ask(again).set_should_end_session(False).response

    def answer(self, *speech: str) -> Response:
        """An answer: the end of a one-shot request, or a step in an open session."""
        if self.one_shot:
            return self.end(*speech)
        self.expect(None)
        follow_up = self.speech.say("welcome.anything_else")
        return self.ask(*speech, follow_up, reprompt=follow_up)

    def end(self, *speech: str) -> Response:
        builder = self.input.response_builder
        return builder.speak(ssml(*speech)).set_should_end_session(True).response
