"""Alexa's Reminders API: set a reminder, delete one. Through the SDK's own client, on the
skill's deadline-bound HTTP client (alexa_api.py), so a slow API cannot hold the turn.

Failures come back as two kinds the handlers speak to: the permission is missing or was
taken back (401, 403), or the API did not answer usefully (throttled, failing, late). A
create that failed late may still have been made; the patient is told so, never that it
certainly was not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ask_sdk_model.services import ServiceException

SCOPE = "alexa::alerts:reminders:skill:readwrite"


class ReminderFailure(Exception):
    """The Reminders API did not do what was asked."""


class NoPermission(ReminderFailure):
    """The patient has not allowed reminders, or has taken the permission back."""


class Unavailable(ReminderFailure):
    """Throttled, failing or too slow; `maybe_done` when a reminder may have been set anyway."""

    def __init__(self, maybe_done: bool = False) -> None:
        super().__init__("the Reminders API did not answer usefully")
        self.maybe_done = maybe_done


def create(
    client: Any,
    first: datetime,
    zone: str | None,
    locale: str,
    speech: tuple[str, str],
    now: datetime,
    until: datetime | None = None,
) -> str:
    """Set a reminder at `first` (the device's local time, in `zone`), said as `speech` (SSML,
    plain text); with `until`, again every day at that time until then. Alexa's token for it.

    `zone` is the device's zone when the skill knows it; without one, Alexa uses the device's.
    """
    from ask_sdk_model.services.reminder_management import (
        AlertInfo,
        PushNotification,
        PushNotificationStatus,
        Recurrence,
        ReminderRequest,
        SpokenInfo,
        SpokenText,
        Trigger,
        TriggerType,
    )

    ssml, text = speech
    daily = None
    if until is not None:
        rule = f"FREQ=DAILY;BYHOUR={first.hour};BYMINUTE={first.minute};BYSECOND=0;INTERVAL=1"
        daily = Recurrence(start_date_time=first, end_date_time=until, recurrence_rules=[rule])
    request = ReminderRequest(
        request_time=now.replace(tzinfo=None, microsecond=0),
        trigger=Trigger(
            object_type=TriggerType.SCHEDULED_ABSOLUTE,
            scheduled_time=first,
            time_zone_id=zone,
            recurrence=daily,
        ),
        alert_info=AlertInfo(SpokenInfo([SpokenText(locale=locale, ssml=ssml, text=text)])),
        # No push to the phone: its notification would show the treatment date on a lock screen.
        push_notification=PushNotification(PushNotificationStatus.DISABLED),
    )
    try:
        answer = client.create_reminder(request)
    except ServiceException as error:
        raise _failure(error, creating=True) from None
    token = getattr(answer, "alert_token", None)
    if not isinstance(token, str) or not token:
        raise Unavailable(maybe_done=True)
    return token


@dataclass(frozen=True)
class Found:
    """A reminder the skill set, as Alexa lists it: what finding a lost token needs."""

    token: str
    first: datetime  # the (first) time it goes off, device-local
    until: datetime | None  # a daily one's end
    text: str


def listed(config: Any) -> list[Found]:
    """Every reminder this skill has set for the account, as Alexa keeps them.

    Read from the JSON, not through the SDK's client: ask-sdk-model's AlertInfo names a
    SpokenInfo class in a module it does not have, so its get_reminders() cannot read any
    answer that holds a reminder. `config` is the request's ApiConfiguration, so the call goes
    through the same deadline-bound client, to the same endpoint, with the same token.
    """
    from ask_sdk_model.services import ApiClientRequest

    request = ApiClientRequest(
        headers=[("Authorization", f"Bearer {config.authorization_value}"), ("Accept", "application/json")],
        method="GET",
        url=f"{config.api_endpoint}/v1/alerts/reminders",
    )
    try:
        answer = config.api_client.invoke(request)
    except Exception as error:  # the call itself failed: deadline, connection, host
        raise Unavailable() from error
    if answer.status_code in (401, 403):
        raise NoPermission(str(answer.status_code))
    try:
        if answer.status_code != 200:
            raise ValueError(answer.status_code)
        return [found for alert in json.loads(answer.body or "{}").get("alerts") or [] if (found := _found(alert))]
    except (ValueError, TypeError, AttributeError):
        raise Unavailable() from None


def _found(alert: Any) -> Found | None:
    """One listed reminder, or None when it lacks what matching it needs."""
    trigger = alert.get("trigger") or {}
    content = ((alert.get("alertInfo") or {}).get("spokenInfo") or {}).get("content") or [{}]
    token, first, text = alert.get("alertToken"), trigger.get("scheduledTime"), content[0].get("text")
    until = (trigger.get("recurrence") or {}).get("endDateTime")
    if not (isinstance(token, str) and token and isinstance(first, str) and isinstance(text, str)):
        return None
    return Found(token, _local(first), _local(until) if isinstance(until, str) else None, text)


def _local(stamp: str) -> datetime:
    """A device-local time as Alexa writes it ("2027-01-15T10:00:00.000"), without a zone."""
    return datetime.fromisoformat(stamp).replace(tzinfo=None)


def delete(client: Any, token: str) -> None:
    """Delete a reminder; one already gone (it went off, or was deleted in the app) is fine."""
    try:
        client.delete_reminder(token)
    except ServiceException as error:
        if error.status_code == 404:
            return
        raise _failure(error, creating=False) from None


def _failure(error: ServiceException, *, creating: bool) -> ReminderFailure:
    if error.status_code in (401, 403):
        return NoPermission(str(error.status_code))
    # When the call itself failed (the deadline passed, the connection broke), the SDK reports
    # a 500 with no headers: the request may have reached Alexa and been carried out. An
    # answer Alexa sent (429, 5xx) says it was not.
    return Unavailable(maybe_done=creating and error.headers is None)
