"""Alexa's Reminders API: set a reminder, delete one. Through the SDK's own client, on the
skill's deadline-bound HTTP client (alexa_api.py), so a slow API cannot hold the turn.

Failures come back as two kinds the handlers speak to: the permission is missing or was
taken back (401, 403), or the API did not answer usefully (throttled, failing, late). A
create that failed late may still have been made; the patient is told so, never that it
certainly was not.
"""

from __future__ import annotations

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
        push_notification=PushNotification(PushNotificationStatus.ENABLED),
    )
    try:
        answer = client.create_reminder(request)
    except ServiceException as error:
        raise _failure(error, creating=True) from None
    token = getattr(answer, "alert_token", None)
    if not isinstance(token, str) or not token:
        raise Unavailable(maybe_done=True)
    return token


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
