"""Every line the running service writes, at DEBUG and at INFO, on both stores, through whole
conversations (a recognised voice, the Settings API up and then down, a correction, a
refusal, forgetting): no user, person or device id, no token and no treatment date."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.alexa import LOOPBACK_API, Conversation, SettingsApi

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-24T18:00:00Z"
TOKEN = "SECRET-API-TOKEN"
# Every way a date the patient said could be written: ISO, compact, spoken month.
DATE_FORMS = ("2026-10-03", "20261003", "2026-10-20", "20261020", "2026-10", "October 3", "October 20", "10/03")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["DEBUG", "INFO"])
def level(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["sqlite", "dynamodb"])
def store_env(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "sqlite":
        return {}
    return {"TABLE_NAME": request.getfixturevalue("dynamodb_table")}


@pytest.fixture
def service(tmp_path: Path, level: str, store_env: dict[str, str], api: SettingsApi) -> Iterator[tuple[str, Path]]:
    port = _free_port()
    log_path = tmp_path / "service.log"
    env = {k: v for k, v in os.environ.items() if k not in {"TABLE_NAME", "SKILL_ID", "HOST", "PORT"}}
    env.update(
        PYTHONPATH=str(ROOT / "lambda"),
        HOST="127.0.0.1",
        PORT=str(port),
        ASK_VERIFY_REQUESTS="false",
        LOG_LEVEL=level,
        LOCAL_STORE=str(tmp_path / "store.sqlite3"),
        ALEXA_API_HOSTS=",".join(LOOPBACK_API),
        **store_env,
    )
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "laser_recovery.web"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60  # a readiness wait, not a measurement
            while True:
                assert process.poll() is None, log_path.read_text()
                try:
                    with urllib.request.urlopen(f"{base}/health", timeout=2):
                        break
                except OSError:
                    time.sleep(0.1)
                assert time.monotonic() < deadline, "the service never answered"
            yield base, log_path
        finally:
            process.terminate()  # this PID only
            process.wait(timeout=10)


def over_http(base: str) -> Any:
    def send(event: dict[str, Any], context: Any) -> dict[str, Any]:
        event["context"]["System"]["apiAccessToken"] = TOKEN
        request = urllib.request.Request(
            f"{base}/alexa", data=json.dumps(event).encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return dict(json.loads(reply.read()))
        except urllib.error.HTTPError as refused:
            return {"version": "1.0", "response": {"refused": json.loads(refused.read())}}

    return send


def test_the_service_logs_no_ids_tokens_or_dates(service: tuple[str, Path], api: SettingsApi) -> None:
    base, log_path = service
    talk = Conversation(over_http(base), api_endpoint=api.url, now=NOW, person_id="amzn1.ask.person.SECRET-PERSON")
    api.zones[talk.device_id] = "America/Los_Angeles"
    talk.launch()
    talk.say("RecordTreatmentIntent", date="2026-10-03")
    talk.say("SunIntent")
    talk.say("CorrectTreatmentIntent", date="2026-10-20")
    talk.say("AMAZON.YesIntent")
    talk.say("RemindIntent", resolved={"reminder": "sun"}, reminder="sun")  # asks for the permission
    talk.permission_answer("ACCEPTED", "sun")
    talk.say("RemindIntent", resolved={"reminder": "sunscreen"}, reminder="sunscreen", time="08:00")
    api.reminders.behaviour = "failing"  # the move is refused: its failure is logged
    talk.say("CorrectTreatmentIntent", date="2026-10-21")
    api.reminders.behaviour = "up"
    reminder_tokens = (*api.reminders.set, *api.reminders.deleted)
    assert reminder_tokens
    api.behaviour = "failing"
    talk.hang_up()
    talk.say("ProgressIntent")
    talk.say("MakeupIntent", date="2026-10-25")
    broken = Conversation(over_http(base), api_endpoint=api.url, now="2026-10-03", user_id=talk.user_id)
    broken.launch()  # refused: a timestamp without its zone
    talk.say("ForgetIntent")
    talk.say("AMAZON.YesIntent")

    logged = log_path.read_text()
    assert "refused request" in logged  # the refusal was logged: the scan saw real lines
    assert "a reminder was not deleted" in logged
    reminder_days = ("2026-10-21", "20261021", "2026-12-15", "2026-12-16", "2026-12-14")  # and the days they go off
    secrets = (talk.user_id, talk.device_id, "SECRET-PERSON", TOKEN, *DATE_FORMS, *reminder_tokens, *reminder_days)
    for secret in secrets:
        assert secret not in logged, secret
