"""SkillDisabled through the real ASK SDK dispatch and through the whole skill, on every store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from ask_sdk_core.skill_builder import CustomSkillBuilder

from laser_recovery.config import Settings
from laser_recovery.handlers.skill_events import SkillDisabledHandler, persistence_status
from laser_recovery.skill import lambda_handler_for
from laser_recovery.store import Change, PatientRecord, TreatmentStore, patient_id

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
USER = "amzn1.ask.account.TEST-DISABLED-USER"
OTHER_USER = "amzn1.ask.account.TEST-SOMEONE-ELSE"
# Two recognised voice profiles in the disabling user's household.
PERSONS = ("amzn1.ask.person.TEST-ALEX", "amzn1.ask.person.TEST-SAM")
DAY = date(2026, 3, 2)


def skill_disabled(user_id: str, status: str | None) -> dict[str, Any]:
    """The envelope Alexa sends, as documented for the SKILL_DISABLED subscription."""
    request: dict[str, Any] = {
        "type": "AlexaSkillEvent.SkillDisabled",
        "requestId": "amzn1.echo-api.request.TEST",
        "timestamp": "2026-03-02T10:00:00Z",
        "eventCreationTime": "2026-03-02T10:00:00Z",
        "eventPublishingTime": "2026-03-02T10:00:01Z",
        "locale": "en-US",
    }
    if status is not None:
        request["body"] = {"userInformationPersistenceStatus": status}
    return {
        "version": "1.0",
        "context": {
            "System": {
                "application": {"applicationId": SKILL_ID},
                "user": {"userId": user_id},
                "apiEndpoint": "https://api.amazonalexa.com",
            }
        },
        "request": request,
    }


def run(store: TreatmentStore, envelope: dict[str, Any]) -> dict[str, Any]:
    builder = CustomSkillBuilder()
    builder.skill_id = SKILL_ID
    builder.add_request_handler(SkillDisabledHandler(store))
    return builder.lambda_handler()(envelope, None)


def run_whole_skill(store: TreatmentStore, envelope: dict[str, Any]) -> dict[str, Any]:
    """The deployed wiring: interceptor, every handler, exception handlers, skill id check."""
    return lambda_handler_for(Settings(skill_id=SKILL_ID), store=store)(envelope, None)


Runner = Callable[[TreatmentStore, dict[str, Any]], dict[str, Any]]


@pytest.mark.parametrize("status", ["NOT_PERSISTED", None])
def test_disabling_the_skill_deletes_only_that_patients_record(store: TreatmentStore, status: str | None) -> None:
    store.update(patient_id(USER), Change(add=DAY))
    store.update(patient_id(OTHER_USER), Change(add=DAY))

    response = run(store, skill_disabled(USER, status))

    assert response["version"] == "1.0"
    assert "outputSpeech" not in response["response"]  # an event: nobody is listening
    assert store.get(patient_id(USER)) is None
    assert store.get(patient_id(OTHER_USER)) == PatientRecord((DAY,))


@pytest.mark.parametrize("runner", [run, run_whole_skill], ids=["handler", "skill"])
def test_disabling_the_skill_deletes_every_profile_of_the_account(store: TreatmentStore, runner: Runner) -> None:
    household = [patient_id(USER), *(patient_id(USER, person) for person in PERSONS)]
    for patient in household:
        store.update(patient, Change(add=DAY))
    store.update(household[1], Change(welcome=True))
    # Someone else: the shared record and a recognised person of another account.
    others = [patient_id(OTHER_USER), patient_id(OTHER_USER, PERSONS[0])]
    for patient in others:
        store.update(patient, Change(add=DAY))

    response = runner(store, skill_disabled(USER, None))

    assert "outputSpeech" not in response["response"]
    assert [store.get(patient) for patient in household] == [None, None, None]
    assert [store.get(patient) for patient in others] == [PatientRecord((DAY,))] * 2


def test_disabling_without_a_record_is_fine(store: TreatmentStore) -> None:
    run(store, skill_disabled(USER, "NOT_PERSISTED"))
    assert store.get(patient_id(USER)) is None


def test_the_persistence_status_is_read_from_the_body_when_the_sdk_keeps_it() -> None:
    # ask-sdk-model 1.82.0 drops `body`, so through the SDK the status is None (tested above,
    # and treated as NOT_PERSISTED); a model that carries it, as an object or a dict, is read.
    as_model = SimpleNamespace(user_information_persistence_status="PERSISTED")
    assert persistence_status(SimpleNamespace(body=as_model)) == "PERSISTED"
    as_dict = {"userInformationPersistenceStatus": "NOT_PERSISTED"}
    assert persistence_status(SimpleNamespace(body=as_dict)) == "NOT_PERSISTED"
    assert persistence_status(SimpleNamespace()) is None


@pytest.mark.parametrize(("status", "kept"), [("PERSISTED", True), ("NOT_PERSISTED", False), (None, False)])
def test_the_whole_skill_reads_the_persistence_status_from_the_raw_event(
    store: TreatmentStore, status: str | None, kept: bool
) -> None:
    # ask-sdk-model drops the event's body; the skill's boundary reads it from the JSON.
    store.update(patient_id(USER), Change(add=DAY))
    run_whole_skill(store, skill_disabled(USER, status))
    assert (store.get(patient_id(USER)) is not None) is kept
