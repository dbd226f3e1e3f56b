"""Flask app serving the skill: POST /alexa, GET /health.

Every refusal is HTTP 400 with one line of JSON ({"error": "..."}); nothing a caller sends can
produce a 500 or a stack trace. Logs carry reasons, never ids, tokens or dates.
"""

from __future__ import annotations

import json
import logging
import traceback
from typing import Any, Protocol

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..config import Settings
from .verify import RequestVerifier, VerificationError

log = logging.getLogger(__name__)

# Alexa's requests are a few KiB; the cap stops a huge body before it is read.
MAX_BODY_BYTES = 256 * 1024
# Alexa's envelopes nest about a dozen levels deep. Far deeper JSON parses, but then breaks
# the SDK, which copies the session attributes recursively, with a RecursionError.
MAX_JSON_DEPTH = 64


class Verifier(Protocol):
    def verify(self, headers: Any, body: bytes) -> None: ...


class BadRequest(Exception):
    """A request this service refuses with 400; the message is the one-line reason."""


def create_app(
    settings: Settings, skill: CustomSkill | None = None, verifier: Verifier | None = None
) -> Flask:
    """The web service. `skill` defaults to the real one; `verifier` to Amazon's checks."""
    if skill is None:
        from ..skill import build_skill

        skill = build_skill(settings)
    if settings.verify_requests:
        verifier = verifier if verifier is not None else RequestVerifier()
    else:
        verifier = None
        log.warning(
            "Alexa request verification is OFF (ASK_VERIFY_REQUESTS=false): "
            "for local testing only, never expose this service"
        )
    serializer = DefaultSerializer()

    app = Flask(__name__)
    # One byte over, so that a body of unknown length (chunked) that runs past the cap is
    # seen to: werkzeug stops a chunked body at the limit without saying it was cut short.
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES + 1

    @app.get("/health")
    def health() -> Response:
        return Response("ok", mimetype="text/plain")

    @app.post("/alexa")
    def alexa() -> Response:
        body = request.get_data(cache=False)
        if len(body) > MAX_BODY_BYTES:
            return _error(413, RequestEntityTooLarge().name)
        try:
            if verifier is not None:
                verifier.verify(dict(request.headers), body)
            envelope = _envelope(body, serializer)
            _check_skill_id(envelope, settings.skill_id)
            payload = serializer.serialize(skill.invoke(request_envelope=envelope, context=None))
        except (BadRequest, VerificationError) as refused:
            log.warning("refused request: %s", refused)
            return _error(400, str(refused))
        except Exception as failure:
            log.error("request failed: %s", _where(failure))
            return _error(500, "internal error")
        return Response(json.dumps(payload), status=200, mimetype="application/json")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        # Flask's own refusals (404, 405, 413) in the same one-line JSON shape.
        return _error(error.code or 500, error.name)

    return app


def _envelope(body: bytes, serializer: DefaultSerializer) -> RequestEnvelope:
    """The request envelope, or BadRequest when the body is not one."""
    try:
        text = body.decode("utf-8")
        payload = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("body is not JSON") from None
    if not isinstance(payload, dict):
        raise BadRequest("body is not a JSON object")
    if _deeper_than(payload, MAX_JSON_DEPTH):
        raise BadRequest("body is nested too deeply")
    if not isinstance(payload.get("version"), str):
        raise BadRequest("not an Alexa request: no version")
    inner = payload.get("request")
    if not isinstance(inner, dict) or not isinstance(inner.get("type"), str):
        raise BadRequest("not an Alexa request: no request type")
    # Alexa sends it with every request and event; the SDK and the skill read it unchecked.
    context = payload.get("context")
    if not isinstance(context, dict) or not isinstance(context.get("System"), dict):
        raise BadRequest("not an Alexa request: no context.System")
    try:
        envelope = serializer.deserialize(text, RequestEnvelope)
    except (SerializationException, ValueError, TypeError, AttributeError, KeyError, RecursionError):
        # The SDK's model raises a mix of these for unknown types and wrong field shapes.
        raise BadRequest("not a valid Alexa request") from None
    if envelope is None or envelope.request is None:
        raise BadRequest("not a valid Alexa request")
    return envelope


def _deeper_than(document: object, limit: int) -> bool:
    """Whether JSON objects and arrays nest more than `limit` deep; without recursion."""
    level: list[object] = [document]
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


def application_id(envelope: RequestEnvelope) -> str | None:
    """The skill id the request is for: context.System first, as Amazon recommends, then session."""
    system = getattr(envelope.context, "system", None)
    app_id = getattr(getattr(system, "application", None), "application_id", None)
    if app_id is None:
        session_app = getattr(envelope.session, "application", None)
        app_id = getattr(session_app, "application_id", None)
    return app_id


def _check_skill_id(envelope: RequestEnvelope, skill_id: str | None) -> None:
    if skill_id is not None and application_id(envelope) != skill_id:
        raise BadRequest("request is for a different skill")


def _error(status: int, message: str) -> Response:
    return Response(json.dumps({"error": message}), status=status, mimetype="application/json")


def _where(failure: BaseException) -> str:
    # Exception messages can quote ids or dates from the request; type and place cannot.
    frames = traceback.extract_tb(failure.__traceback__)
    if not frames:
        return type(failure).__name__
    last = frames[-1]
    return f"{type(failure).__name__} at {last.filename}:{last.lineno} in {last.name}"
