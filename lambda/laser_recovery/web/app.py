"""Flask app serving the skill: POST /alexa, GET /health.

Every refusal is HTTP 400 with one line of JSON ({"error": "..."}); nothing a caller sends can
produce a 500 or a stack trace. Logs carry reasons, never ids, tokens or dates.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Protocol

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..config import Settings
from ..envelope import InvalidEnvelope
from ..skill import EventNotHandled, Skill, where_failed
from .verify import RequestVerifier, VerificationError

log = logging.getLogger(__name__)

# Alexa's requests are a few KiB; the cap stops a huge body before it is read.
MAX_BODY_BYTES = 256 * 1024


class Verifier(Protocol):
    def verify(self, headers: Any, body: bytes) -> None: ...


class BadRequest(Exception):
    """A request this service refuses with 400; the message is the one-line reason."""


def create_app(settings: Settings, skill: Skill | None = None, verifier: Verifier | None = None) -> Flask:
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
            payload = skill.answer(_json(body))
        except (BadRequest, InvalidEnvelope, VerificationError) as refused:
            log.warning("refused request: %s", refused)
            return _error(400, str(refused))
        except EventNotHandled:
            # Alexa sends a skill event again when it is not acknowledged.
            return _error(503, "event not handled; send it again")
        except Exception as failure:  # a bug of ours, not the caller's: one line, no ids
            log.error("request failed: %s", where_failed(failure))
            return _error(500, "internal error")
        return Response(json.dumps(payload), status=200, mimetype="application/json")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        # Flask's own refusals (404, 405, 413) in the same one-line JSON shape.
        return _error(error.code or 500, error.name)

    return app


def _json(body: bytes) -> Any:
    """The parsed body, or BadRequest when it is not JSON (nesting too deep included)."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("body is not JSON") from None


def _error(status: int, message: str) -> Response:
    return Response(json.dumps({"error": message}), status=status, mimetype="application/json")
