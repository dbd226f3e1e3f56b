"""Speaking the platform's language in tests: real request envelopes in, responses out,
and a local HTTPS stand-in for the Alexa Settings API the skill asks for the time zone."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from html import unescape
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.support.loopback import QuietHandler, serving, use_tls
from tests.support.pki import write_tls_files

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
# The Settings API stand-ins listen here; the skill calls no other host than those it is told.
LOOPBACK_API = ("127.0.0.1",)
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"
APL = "Alexa.Presentation.APL"


@dataclass
class Reply:
    raw: dict[str, Any]

    @property
    def response(self) -> dict[str, Any]:
        return self.raw["response"]

    @property
    def ssml(self) -> str:
        return self.response.get("outputSpeech", {}).get("ssml", "")

    @property
    def text(self) -> str:
        """What the listener hears, as plain text (dates stay as their yyyymmdd digits)."""
        return unescape(re.sub(r"<[^>]+>", "", self.ssml))

    @property
    def reprompt(self) -> str:
        speech = self.response.get("reprompt", {}).get("outputSpeech", {})
        return unescape(re.sub(r"<[^>]+>", "", speech.get("ssml", "")))

    @property
    def ends(self) -> bool | None:
        return self.response.get("shouldEndSession")

    @property
    def directives(self) -> list[dict[str, Any]]:
        return self.response.get("directives", [])

    @property
    def session(self) -> dict[str, Any]:
        return self.raw.get("sessionAttributes") or {}


def slots(**values: str | None) -> dict[str, Any]:
    return {
        name: {"name": name, "confirmationStatus": "NONE", **({"value": value} if value else {})}
        for name, value in values.items()
    }


@dataclass
class Conversation:
    """One household device talking to the skill, session by session."""

    handler: Handler
    api_endpoint: str = "https://127.0.0.1:9"
    now: str = "2026-11-24T18:00:00Z"
    locale: str = "en-US"
    user_id: str = field(default_factory=lambda: f"amzn1.ask.account.{uuid.uuid4().hex}")
    device_id: str = field(default_factory=lambda: f"amzn1.ask.device.{uuid.uuid4().hex}")
    person_id: str | None = None
    attributes: dict[str, Any] | None = None  # None: the next request opens a new session
    session_id: str = ""
    reminders_allowed: bool = False  # the patient has granted the reminders permission
    screen: bool = False  # the device renders APL (an Echo Show)

    def _send(self, request: dict[str, Any]) -> Reply:
        new = self.attributes is None
        if new:  # Alexa keeps one session id for every request of a session
            self.session_id = f"amzn1.echo-api.session.{uuid.uuid4().hex}"
        system: dict[str, Any] = {
            "application": {"applicationId": SKILL_ID},
            "user": {"userId": self.user_id},
            "device": {
                "deviceId": self.device_id,
                "supportedInterfaces": {APL: {"runtime": {"maxVersion": "2023.3"}}} if self.screen else {},
            },
            "apiEndpoint": self.api_endpoint,
            "apiAccessToken": "test-token",
        }
        if self.person_id:
            system["person"] = {"personId": self.person_id}
        if self.reminders_allowed:
            system["user"]["permissions"] = {"scopes": {REMINDERS_SCOPE: {"status": "GRANTED"}}}
        envelope = {
            "version": "1.0",
            "session": {
                "new": new,
                "sessionId": self.session_id,
                "application": {"applicationId": SKILL_ID},
                "attributes": self.attributes or {},
                "user": {"userId": self.user_id},
            },
            "context": {"System": system},
            "request": {
                "requestId": f"amzn1.echo-api.request.{uuid.uuid4().hex}",
                "timestamp": self.now,
                "locale": self.locale,
                **request,
            },
        }
        reply = Reply(self.handler(json.loads(json.dumps(envelope)), None))
        # A skill connection (the permission request) hands the session to Alexa and back.
        connecting = reply.ends is None and any(d.get("type") == "Connections.SendRequest" for d in reply.directives)
        ended = (reply.ends is not False and not connecting) or request["type"] == "SessionEndedRequest"
        self.attributes = None if ended else reply.session
        return reply

    def launch(self) -> Reply:
        return self._send({"type": "LaunchRequest"})

    def say(
        self,
        intent: str,
        dialog_state: str | None = None,
        resolved: dict[str, str] | None = None,
        **slot_values: str | None,
    ) -> Reply:
        """An IntentRequest as Alexa sends it; `resolved` gives custom-slot ids (entity resolution)."""
        filled = slots(**slot_values)
        for name, slot_id in (resolved or {}).items():
            filled[name]["resolutions"] = {
                "resolutionsPerAuthority": [
                    {
                        "authority": f"amzn1.er-authority.echo-sdk.{SKILL_ID}.FACT_TOPIC",
                        "status": {"code": "ER_SUCCESS_MATCH"},
                        "values": [{"value": {"name": slot_id, "id": slot_id}}],
                    }
                ]
            }
        request: dict[str, Any] = {
            "type": "IntentRequest",
            "intent": {"name": intent, "confirmationStatus": "NONE", "slots": filled},
        }
        if dialog_state:
            request["dialogState"] = dialog_state
        return self._send(request)

    def permission_answer(self, status: str, token: str, code: str = "200") -> Reply:
        """Alexa's Connections.Response to the skill's AskFor request, as it sends it.
        An ACCEPTED answer also grants the permission in the envelopes that follow."""
        if status == "ACCEPTED" and code == "200":
            self.reminders_allowed = True
        return self._send(
            {
                "type": "Connections.Response",
                "name": "AskFor",
                "status": {"code": code, "message": "OK" if code == "200" else "error"},
                "payload": {"permissionScope": REMINDERS_SCOPE, "status": status},
                "token": token,
            }
        )

    def end(self, reason: str = "USER_INITIATED") -> Reply:
        return self._send({"type": "SessionEndedRequest", "reason": reason})

    def hang_up(self) -> None:
        """The session times out on the device; the next request starts a new one."""
        self.attributes = None


class SettingsApi:
    """The Alexa Settings API's time-zone call and the Reminders API, served over HTTPS on
    loopback at one apiEndpoint, as Alexa serves both.

    `behaviour` is how it answers: "up", "failing" (500), "hang" (nothing for `stall`
    seconds), "trickle" (a correct answer, one byte every `trickle_gap` seconds) or
    "slow_headers" (the status line, then its headers one byte every `trickle_gap`).
    """

    def __init__(self) -> None:
        self.zones: dict[str, str] = {}
        self.behaviour = "up"
        self.stall = 4.0
        self.trickle_gap = 0.3
        self.calls = 0
        self.outage_calls: int | None = None  # after this many calls, back to "up"
        self.url = ""  # set by the fixture that starts it
        self.reminders = RemindersApi()

    @property
    def failing(self) -> bool:
        return self.behaviour == "failing"

    @failing.setter
    def failing(self, value: bool) -> None:
        self.behaviour = "failing" if value else "up"

    def answer(self, path: str) -> tuple[int, str]:
        self.calls += 1
        if self.outage_calls is not None:
            self.outage_calls -= 1
            if self.outage_calls < 0:
                self.behaviour, self.outage_calls = "up", None
        match = re.fullmatch(r"/v2/devices/([^/]+)/settings/System\.timeZone", path)
        if self.behaviour == "failing":
            return 500, json.dumps({"type": "INTERNAL_ERROR", "message": "unavailable"})
        if not match or match[1] not in self.zones:
            return 404, json.dumps({"type": "NOT_FOUND", "message": "unknown device"})
        return 200, json.dumps(self.zones[match[1]])


class RemindersApi:
    """The Reminders API: reminders set, by token, with the JSON the skill sent for each.

    `behaviour` is how it answers: "up", "unauthorized" (401), "forbidden" (403, the
    permission taken back), "throttled" (429), "failing" (500), "hang" (nothing for `stall`
    seconds) or "made_then_hang" (a reminder asked for is made, then no answer: a timeout
    that did the work; lists and deletes are answered).
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.set: dict[str, dict[str, Any]] = {}
        self.behaviour = "up"
        self.stall = 4.0
        self.created = 0
        self.deleted: list[str] = []
        self.authorizations: list[str] = []

    def answer(self, method: str, path: str, body: bytes, authorization: str) -> tuple[int, str]:
        self.authorizations.append(authorization)
        failure = {"unauthorized": 401, "forbidden": 403, "throttled": 429, "failing": 500}.get(self.behaviour)
        if failure:
            return failure, json.dumps({"code": str(failure), "message": "refused"})
        if method == "GET" and path == "/v1/alerts/reminders":
            alerts = [{"alertToken": token, "status": "ON", "version": "1", **body} for token, body in self.set.items()]
            return 200, json.dumps({"totalCount": str(len(alerts)), "alerts": alerts})
        if method == "POST" and path == "/v1/alerts/reminders":
            token = f"reminder-{uuid.uuid4().hex}"
            self.set[token] = json.loads(body)
            self.created += 1
            now = "2026-01-01T00:00:00.000"
            return 201, json.dumps({"alertToken": token, "createdTime": now, "updatedTime": now, "status": "ON"})
        match = re.fullmatch(r"/v1/alerts/reminders/([^/]+)", path)
        if method == "DELETE" and match:
            if self.set.pop(match[1], None) is None:
                return 404, json.dumps({"code": "NOT_FOUND", "message": "no such reminder"})
            self.deleted.append(match[1])
            return 200, ""
        return 404, json.dumps({"code": "NOT_FOUND", "message": "no such resource"})


@contextmanager
def settings_api_server(tls_dir: Path) -> Iterator[tuple[SettingsApi, str, Path]]:
    """Start the stand-in; yields it, its https base URL and the CA bundle to trust."""
    api = SettingsApi()
    files = write_tls_files(tls_dir)

    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as Alexa's API is: one handshake per client

        def _reminders(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            reminders = api.reminders
            if reminders.behaviour == "hang" or (reminders.behaviour == "made_then_hang" and self.command == "POST"):
                if reminders.behaviour == "made_then_hang":
                    reminders.behaviour = "up"
                    reminders.answer(self.command, self.path, body, self.headers.get("Authorization", ""))
                    reminders.behaviour = "made_then_hang"
                time.sleep(reminders.stall)
                return
            status, text = reminders.answer(self.command, self.path, body, self.headers.get("Authorization", ""))
            with suppress(OSError):
                self.send_bytes(status, text.encode(), "application/json")

        do_POST = do_DELETE = _reminders  # noqa: N815 (the http.server interface)

        def do_GET(self) -> None:  # noqa: N802 (the http.server interface)
            if self.path.startswith("/v1/alerts/reminders"):
                self._reminders()
                return
            status, body = api.answer(self.path)
            data = body.encode()
            try:
                if api.behaviour == "hang":
                    time.sleep(api.stall)
                if api.behaviour == "slow_headers":
                    self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                    for byte in b"X-Padding: " + b"x" * 200 + b"\r\n\r\n":
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(api.trickle_gap)
                    return
                if api.behaviour != "trickle":
                    self.send_bytes(status, data, "application/json")
                    return
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                for byte in data:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(api.trickle_gap)
            except OSError:  # the skill gave up waiting, as it should
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    use_tls(server, files.cert, files.key)
    with serving(server) as url:
        yield api, url, files.ca_bundle
