"""The tests' HTTPS stand-in for the Alexa Settings API, in a process of its own, for `make bench`.

    python settings_api.py TLS_DIR

Prints its base URL and the CA bundle to trust, one line each, then serves until stdin closes.
Every device has a time zone (one of ZONES, picked from its id), so every lookup succeeds.
In its own process, the stand-in's work is not timed as the skill's, as Alexa's would not be.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.alexa import settings_api_server

ZONES = ("Europe/London", "America/Los_Angeles", "Pacific/Auckland", "Asia/Tokyo")


class EveryDevice(dict[str, str]):
    def __contains__(self, device: object) -> bool:
        return True

    def __missing__(self, device: str) -> str:
        return ZONES[sum(device.encode()) % len(ZONES)]


def main() -> None:
    with settings_api_server(Path(sys.argv[1])) as (api, url, ca_bundle):
        api.zones = EveryDevice()
        print(url, flush=True)
        print(ca_bundle, flush=True)
        sys.stdin.read()  # until the benchmark closes our stdin (or ends)


if __name__ == "__main__":
    main()
