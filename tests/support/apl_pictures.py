"""`make pictures`: the Echo Show screens as a patient sees them, drawn by the HTML stand-in
(tests/support/apl.py) in headless Chromium and kept in docs/screens/.

Each picture is a real turn: the skill answers real request envelopes from a device that
supports APL, and the RenderDocument it sends is drawn with the data it bound.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from laser_recovery.config import Settings
from laser_recovery.skill import lambda_handler_for
from laser_recovery.store.sqlite import SQLiteStore
from tests.alexa import LOOPBACK_API, SKILL_ID, Conversation, settings_api_server
from tests.support.apl import check, to_html

OUT = Path(__file__).resolve().parents[2] / "docs" / "screens"
TODAY = date(2026, 11, 24)
VIEWPORTS = {"landscape": (1280, 800, False), "round": (480, 480, True), "large": (1920, 1080, False)}
DAYS = (1, 8, 30, 56)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def turns(work: Path) -> list[tuple[str, dict, dict]]:
    """(name, document, payload) for each picture, from the skill's own replies."""
    made = []
    with settings_api_server(work / "tls") as (api, url, ca_bundle):
        os.environ["REQUESTS_CA_BUNDLE"] = str(ca_bundle)
        handler = lambda_handler_for(
            Settings(skill_id=SKILL_ID, alexa_api_hosts=LOOPBACK_API), store=SQLiteStore(work / "store.sqlite3")
        )
        for day in DAYS:
            talk = Conversation(handler, api_endpoint=url, now=f"{TODAY}T11:00:00Z", screen=True)
            api.zones[talk.device_id] = "Europe/London"
            talk.launch()
            talk.say("RecordTreatmentIntent", date=(TODAY - timedelta(days=day)).isoformat())
            made.append((f"timeline-day-{day}", *_rendered(talk.say("SunIntent"))))
        made.append(("aftercare", *_rendered(talk.say("AftercareIntent"))))
    return made


def _rendered(reply) -> tuple[dict, dict]:
    [directive] = [d for d in reply.directives if d["type"] == "Alexa.Presentation.APL.RenderDocument"]
    payload = directive["datasources"]["payload"]
    check(directive["document"], payload)
    return directive["document"], payload


def main() -> int:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("make pictures needs Chromium (Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        for name, document, payload in turns(work):
            views = VIEWPORTS if name.startswith("timeline") else {"landscape": VIEWPORTS["landscape"]}
            for view, (width, height, round_) in views.items():
                page = work / f"{name}-{view}.html"
                page.write_text(to_html(document, payload, width, height, round_), encoding="utf-8")
                picture = OUT / f"{name}-{view}.png"
                subprocess.run(
                    [browser, *CHROMIUM_FLAGS, f"--user-data-dir={work / 'profile'}", f"--window-size={width},{height}",
                     f"--screenshot={picture}", page.as_uri()],
                    check=True, capture_output=True, timeout=120,
                )  # fmt: skip
                print(f"wrote {picture.relative_to(OUT.parents[1])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
