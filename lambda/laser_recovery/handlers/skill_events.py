"""Skill events: when a patient disables the skill, forget what was stored for their account.

Alexa sends `AlexaSkillEvent.SkillDisabled` out of session (nobody hears a reply). Its
`request.body.userInformationPersistenceStatus` says whether the user id survives a re-enable:
PERSISTED keeps it (skills with purchases), NOT_PERSISTED means a re-enabled skill gets a new id,
so the old record could never be reached again.
"""

from __future__ import annotations

import logging
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .. import budget
from ..alexa_api import DEADLINE_SECONDS
from ..reminder_api import ReminderFailure, delete
from ..store import PatientId, PatientRecord, Reminder, TreatmentStore, account_key

log = logging.getLogger(__name__)

SKILL_DISABLED = "AlexaSkillEvent.SkillDisabled"
PERSISTED = "PERSISTED"


class SkillDisabledHandler(AbstractRequestHandler):
    """Deletes every record of the account (the shared one and each recognised person's)
    unless Alexa says the user id will be kept."""

    def __init__(self, store: TreatmentStore) -> None:
        self._store = store

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return handler_input.request_envelope.request.object_type == SKILL_DISABLED

    def handle(self, handler_input: HandlerInput) -> Response:
        envelope = handler_input.request_envelope
        if persistence_status(envelope.request) == PERSISTED:
            log.info("skill disabled; the user id is kept, so the records are kept")
        else:
            # Skill events carry the user in context.System, as every request does, but no
            # person: the whole account goes, every voice profile's record with it.
            account = account_key(envelope.context.system.user.user_id)
            reminders = self._reminders(handler_input, account)
            self._store.delete_account(account)  # first: the health data goes whatever the API does
            log.info("skill disabled; the account's records were deleted")
            if reminders:
                self._take_back(handler_input, reminders)
        return handler_input.response_builder.response

    def _reminders(self, handler_input: HandlerInput, account: str) -> list[Reminder]:
        """The reminders set for the account's records (the shared one and each person's),
        those whose create timed out looked for in Alexa's list while the event's token lasts."""
        from ..reminding import reconciled  # the Reminders API's models: only when needed
        from ..turn import Turn

        found: list[Reminder] = []
        for profile in self._store.household(account):
            owner = PatientId(account, profile)
            listed = (self._store.get(owner) or PatientRecord()).reminders
            found += reconciled(Turn.of(handler_input), listed, owner) if listed else ()
        return found

    def _take_back(self, handler_input: HandlerInput, reminders: list[Reminder]) -> None:
        """Delete them while their tokens are known, as far as the turn's time allows. Alexa
        may already have taken back the skill's permission: then they cannot be (H18)."""
        factory = handler_input.service_client_factory
        failed = 0
        for reminder in reminders:
            try:
                if factory is None or not reminder.token or not budget.affords(DEADLINE_SECONDS):
                    raise ReminderFailure("no API token, no token or no time left")
                delete(factory.get_reminder_management_service(), reminder.token)
            except ReminderFailure:
                failed += 1
        log.info("skill disabled; %d of %d reminders could not be deleted", failed, len(reminders))


def persistence_status(request: Any) -> str | None:
    """`body.userInformationPersistenceStatus`, or None when the SDK did not keep it.

    ask-sdk-model 1.82.0's SkillDisabledRequest has no `body`, so the deserialiser drops it
    and this returns None. Unknown is treated as NOT_PERSISTED: this skill sells nothing, so
    Alexa does not keep its user ids, and forgetting is the safe side for health data.
    """
    body = getattr(request, "body", None)
    if isinstance(body, dict):
        return body.get("userInformationPersistenceStatus")
    status = getattr(body, "user_information_persistence_status", None)
    return getattr(status, "value", status)  # an enum in a future model, a str today
