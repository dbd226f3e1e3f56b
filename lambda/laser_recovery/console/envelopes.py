"""Request envelopes shaped as Alexa sends them, for the console's one household device.

context.System names Alexa's API endpoint, but the console builds the skill with its own
in-process API client (settings_api.py), so the time-zone lookup never leaves the machine
and answers with the zone the console is playing in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .nlu import Match, Slot

APPLICATION_ID = "amzn1.ask.skill.00000000-0000-0000-0000-00000000c0de"
# Fixed, so the embedded store remembers the console's patient from one run to the next.
USER_ID = "amzn1.ask.account.LOCAL-CONSOLE"
DEVICE_ID = "amzn1.ask.device.LOCAL-CONSOLE"
API_ENDPOINT = "https://api.amazonalexa.com"


@dataclass
class Session:
    """One Alexa session: its id, the attributes the skill handed back, and whether the
    next request is its first."""

    session_id: str = field(default_factory=lambda: f"amzn1.echo-api.session.{uuid.uuid4()}")
    attributes: dict[str, Any] = field(default_factory=dict)
    new: bool = True


def timestamp(local: datetime) -> str:
    """The request timestamp: the local moment in UTC, ISO 8601 with a Z, as Alexa writes it."""
    return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"


def envelope(
    request: dict[str, Any], session: Session, *, locale: str, now: datetime, reminders: bool = False
) -> dict[str, Any]:
    """A complete request envelope around one request; `reminders`: the patient has allowed them."""
    application = {"applicationId": APPLICATION_ID}
    user: dict[str, Any] = {"userId": USER_ID}
    return {
        "version": "1.0",
        "session": {
            "new": session.new,
            "sessionId": session.session_id,
            "application": application,
            "attributes": session.attributes,
            "user": user,
        },
        "context": {
            "System": {
                "application": application,
                "user": {**user, "permissions": {"scopes": {REMINDERS_SCOPE: {"status": "GRANTED"}}}}
                if reminders
                else user,
                "device": {"deviceId": DEVICE_ID, "supportedInterfaces": {}},
                "apiEndpoint": API_ENDPOINT,
                "apiAccessToken": "console",
            }
        },
        "request": {
            "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "timestamp": timestamp(now),
            "locale": locale,
            **request,
        },
    }


def permission_answer(status: str, token: str) -> dict[str, Any]:
    """Alexa's Connections.Response to the skill's AskFor request."""
    return {
        "type": "Connections.Response",
        "name": "AskFor",
        "status": {"code": "200", "message": "OK"},
        "payload": {"permissionScope": REMINDERS_SCOPE, "status": status},
        "token": token,
    }


def launch_request() -> dict[str, Any]:
    return {"type": "LaunchRequest"}


def session_ended_request(reason: str = "USER_INITIATED") -> dict[str, Any]:
    return {"type": "SessionEndedRequest", "reason": reason}


def intent_request(match: Match, slot_names: list[str], dialog_state: str | None = None) -> dict[str, Any]:
    """An IntentRequest; like Alexa, it lists every slot the intent has, filled or not."""
    slots = {name: _slot(name, match.slots.get(name)) for name in slot_names}
    request: dict[str, Any] = {
        "type": "IntentRequest",
        "intent": {"name": match.intent, "confirmationStatus": "NONE", "slots": slots},
    }
    if dialog_state:
        request["dialogState"] = dialog_state
    return request


def _slot(name: str, slot: Slot | None) -> dict[str, Any]:
    if slot is None:
        return {"name": name, "confirmationStatus": "NONE"}
    filled: dict[str, Any] = {
        "name": name,
        "value": slot.value,
        "confirmationStatus": "NONE",
        "source": "USER",
    }
    if slot.resolved_id is not None:
        # Entity resolution, as Alexa fills it for a custom slot type's value or synonym.
        filled["resolutions"] = {
            "resolutionsPerAuthority": [
                {
                    "authority": f"amzn1.er-authority.echo-sdk.{APPLICATION_ID}.{slot.slot_type}",
                    "status": {"code": "ER_SUCCESS_MATCH"},
                    "values": [{"value": {"name": slot.resolved_name, "id": slot.resolved_id}}],
                }
            ]
        }
    return filled
