"""The console's stand-in for Alexa's Settings API: the device's time zone, in process.

On a device, Alexa answers the skill's time-zone lookup; in the console, this client does,
with the zone the console plays in, so `:zone` behaves as moving the device would.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse


class ConsoleSettingsApi(ApiClient):
    def __init__(self, zone: Callable[[], str]) -> None:
        self._zone = zone

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        if (request.url or "").endswith("/settings/System.timeZone"):
            return ApiClientResponse(headers=[], status_code=200, body=json.dumps(self._zone()))
        return ApiClientResponse(headers=[], status_code=404, body=json.dumps({"message": "not here"}))
