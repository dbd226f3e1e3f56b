"""The console's stand-in for Alexa's service APIs, in process: the Settings API's time zone
and the Reminders API.

On a device, Alexa answers the skill's time-zone lookup and keeps its reminders; in the
console, this client does, with the zone the console plays in (so `:zone` behaves as moving
the device would), and keeps the reminders in memory for `:reminders` to show.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse

REMINDERS = "/v1/alerts/reminders"


class ConsoleSettingsApi(ApiClient):
    def __init__(self, zone: Callable[[], str]) -> None:
        self._zone = zone
        self.reminders: dict[str, dict[str, Any]] = {}  # token -> the JSON the skill sent

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        url, method = request.url or "", (request.method or "GET").upper()
        if url.endswith("/settings/System.timeZone"):
            return _answer(200, self._zone())
        if method == "POST" and url.endswith(REMINDERS):
            token = f"console-reminder-{uuid.uuid4().hex[:8]}"
            self.reminders[token] = json.loads(request.body) if isinstance(request.body, str) else request.body
            return _answer(201, {"alertToken": token, "status": "ON"})
        deleted = re.search(rf"{REMINDERS}/([^/]+)$", url)
        if method == "DELETE" and deleted and self.reminders.pop(deleted[1], None) is not None:
            return ApiClientResponse(headers=[], status_code=200, body="")
        return _answer(404, {"message": "not here"})


def _answer(status: int, body: object) -> ApiClientResponse:
    return ApiClientResponse(headers=[], status_code=status, body=json.dumps(body))
