"""The request envelope's shape, checked before the ASK SDK reads it.

The SDK's deserialiser trusts its input: an unknown request type, a timestamp that is a
number, slots sent as a list, a null context or request each raise out of it, or worse, get
through and raise later inside the skill's own error handling. Alexa never sends any of
these, so whoever did gets a clear refusal, and nothing escapes to Lambda or the web server.

Only what the skill reads is checked here, field by field, against the types Alexa
documents; fields the skill never reads may carry anything Alexa adds later, and the SDK's
own parse (caught in `read`) still stands guard over them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ask_sdk_model import Request, RequestEnvelope

from .codec import CODEC

Check = Callable[[Any, str], None]

# A few KiB is what Alexa sends; this is only a guard against walking megabytes of slots.
MAX_SLOTS = 64
MAX_TEXT = 8 * 1024
# Alexa's envelopes nest about a dozen levels deep. Far deeper JSON parses, but then breaks
# the SDK, which copies the session attributes recursively, with a RecursionError.
MAX_DEPTH = 64
FIRST_YEAR, LAST_YEAR = 2014, 9000  # Alexa's first year; far enough from datetime's end


class InvalidEnvelope(ValueError):
    """Not a request Alexa could have sent; the message is one line naming the field, no values."""


def _text(value: Any, where: str) -> None:
    if not isinstance(value, str):
        raise InvalidEnvelope(f"{where} must be a string")
    if len(value) > MAX_TEXT:
        raise InvalidEnvelope(f"{where} is too long")


def _id(value: Any, where: str) -> None:
    """An id the skill keys records by: an empty one would make one record of many people's."""
    _text(value, where)
    if not value:
        raise InvalidEnvelope(f"{where} must not be empty")


def _flag(value: Any, where: str) -> None:
    if not isinstance(value, bool):
        raise InvalidEnvelope(f"{where} must be true or false")


def _instant(value: Any, where: str) -> None:
    _text(value, where)
    try:
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidEnvelope(f"{where} must be an ISO 8601 time") from None
    # "Today" comes from this instant: without an offset it would be read in the server's zone.
    if instant.utcoffset() is None:
        raise InvalidEnvelope(f"{where} must say its time zone")
    # Alexa sends the time of the request; the dates counted from it must stay in range.
    if not FIRST_YEAR <= instant.year <= LAST_YEAR:
        raise InvalidEnvelope(f"{where} is not a time Alexa could send")


def _one_of(*allowed: str) -> Check:
    def check(value: Any, where: str) -> None:
        if value not in allowed:
            raise InvalidEnvelope(f"{where} must be one of {', '.join(allowed)}")

    return check


def _object(required: Mapping[str, Check] | None = None, optional: Mapping[str, Check] | None = None) -> Check:
    """A JSON object with these fields; optional ones may be missing or null, others are free."""

    def check(value: Any, where: str) -> None:
        if not isinstance(value, dict):
            raise InvalidEnvelope(f"{where} must be an object")
        for name, field in (required or {}).items():
            if name not in value:
                raise InvalidEnvelope(f"{where}.{name} is missing")
            field(value[name], f"{where}.{name}")
        for name, field in (optional or {}).items():
            if value.get(name) is not None:
                field(value[name], f"{where}.{name}")

    return check


def _slots(value: Any, where: str) -> None:
    _object()(value, where)
    if len(value) > MAX_SLOTS:
        raise InvalidEnvelope(f"{where} has too many slots")
    slot = _object(
        {"name": _text},
        {"value": _text, "confirmationStatus": _CONFIRMATION, "resolutions": _object(), "slotValue": _object()},
    )
    for name, item in value.items():
        slot(item, f"{where}.{name}")


def _request_type(value: Any, where: str) -> None:
    # The SDK's own list of the request types it can read: anything else it cannot parse.
    _text(value, where)
    if value not in Request.discriminator_value_class_map:
        raise InvalidEnvelope(f"{where} is not a request type Alexa sends")


_CONFIRMATION = _one_of("NONE", "CONFIRMED", "DENIED")
_ID = _object({}, {"userId": _text, "personId": _text, "applicationId": _text, "deviceId": _text})

_ENVELOPE = _object(
    {
        "version": _text,
        "context": _object(
            {
                "System": _object(
                    {"user": _object({"userId": _id})},
                    {
                        "application": _ID,
                        "person": _object({"personId": _id}),
                        "device": _object({}, {"deviceId": _text, "supportedInterfaces": _object()}),
                        "apiEndpoint": _text,
                        "apiAccessToken": _text,
                    },
                )
            }
        ),
        "request": _object(
            {"type": _request_type, "requestId": _text, "timestamp": _instant},
            {
                "locale": _text,
                "dialogState": _one_of("STARTED", "IN_PROGRESS", "COMPLETED"),
                "intent": _object({"name": _text}, {"confirmationStatus": _CONFIRMATION, "slots": _slots}),
                "reason": _text,
                "body": _object(),
            },
        ),
    },
    {
        "session": _object(
            {"sessionId": _text},
            {
                "new": _flag,
                "application": _ID,
                "user": _ID,
                "attributes": _object(),
            },
        ),
    },
)


def read(event: Any) -> RequestEnvelope:
    """The SDK's envelope for `event` (parsed JSON), or InvalidEnvelope saying what is wrong."""
    _ENVELOPE(event, "envelope")
    if _deeper_than(event, MAX_DEPTH):
        raise InvalidEnvelope("envelope is nested too deeply")
    try:
        # JSON has no NaN or Infinity and no lone surrogates (a "\ud800" parses in Python);
        # echoed into the session or hashed as an id, either breaks the answer.
        text = json.dumps(event, allow_nan=False, ensure_ascii=False)
        text.encode("utf-8")
    except (ValueError, UnicodeError):
        raise InvalidEnvelope("envelope holds values JSON does not have") from None
    # The screen's viewport descriptions are never read here, and the SDK's models refuse
    # any enum value newer than themselves: a device Amazon adds must not cost the answer.
    context = event["context"]
    if "Viewport" in context or "Viewports" in context:
        event = {**event, "context": {k: v for k, v in context.items() if k not in ("Viewport", "Viewports")}}
    try:
        # From the document, not from its text parsed again: the check above proved it JSON's.
        # The models share its lists and dicts, and the SDK copies the session's attributes
        # before anything writes to them, so `event` is left as it came.
        envelope = CODEC.read(event, RequestEnvelope)
    except Exception:
        # Whatever the SDK's models raise on a field the skill does not read: its message
        # may quote the value, so only the fact is kept.
        raise InvalidEnvelope("envelope could not be read") from None
    if envelope is None or envelope.request is None or envelope.context is None:
        raise InvalidEnvelope("envelope could not be read")
    # ask-sdk-model has no field for a skill event's body, so its deserialiser drops it; the
    # SkillDisabled handler needs its userInformationPersistenceStatus.
    body = event["request"].get("body")
    if isinstance(body, dict):
        envelope.request.body = body
    return envelope


def _deeper_than(document: Any, limit: int) -> bool:
    """Whether JSON objects and arrays nest more than `limit` deep; without recursion."""
    level: list[Any] = [document]
    for _ in range(limit):
        level = [
            child
            for node in level
            for child in (node.values() if isinstance(node, dict) else node if isinstance(node, list) else ())
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return True
