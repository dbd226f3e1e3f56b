"""A bounded load test of the web service on the embedded store, over loopback.

Starts `python -m laser_recovery.web` (SQLite, verification off) on a free port; 50 clients
send 5,000 real request envelopes between them. Five clients speak for each patient record,
so writes to one record race: recording a date, correcting it (choosing their own date when
the skill asks which one), asking questions. Each client's dates are its own, so after the
run every date a client was told was saved, and has not since corrected, must be in the
store. Prints `name: value` lines; exits 1 if any request failed or any date was lost.
Run: make load
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lambda"))
from laser_recovery.store import patient_id
from laser_recovery.store.sqlite import SQLiteStore
from tests.alexa import Conversation, Reply

ROOT = Path(__file__).resolve().parent.parent

CLIENTS = int(os.environ.get("LOAD_CLIENTS", "50"))
REQUESTS = int(os.environ.get("LOAD_REQUESTS", "5000"))
CLIENTS_PER_RECORD = 5
NOW = "2026-11-24T18:00:00Z"
# Every client's dates: days before NOW, dealt out so that no two clients of a record share one.
FIRST_DAY = date(2026, 11, 20)
APOLOGY = "can't reach your saved details"
# How the skill says a date is saved, or replaced one: the date is the last number matched.
SAVED = re.compile(
    r"(?:Got it: your treatment was on|I've added your treatment on|I've corrected it: your treatment was on"
    r"|I already have your treatment on|I've changed your treatment on \w+, \d{8} to) \w+, (\d{8})"
)


class Budget:
    """The requests left to send, shared by every client."""

    def __init__(self, total: int) -> None:
        self._left = total
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._left <= 0:
                return False
            self._left -= 1
            return True


class OutOfBudget(Exception):
    pass


@dataclass
class Client:
    """One device of one patient, keeping its own account of what the skill said it saved."""

    index: int
    user_id: str
    person_id: str | None
    base: str
    budget: Budget
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    kept: date | None = None  # the date this client was last told is saved, not corrected since
    _next: int = 0

    def post(self, envelope: dict[str, Any], _context: Any) -> dict[str, Any]:
        if not self.budget.take():
            raise OutOfBudget
        body = json.dumps(envelope).encode()
        host, port = self.base.split(":")
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection(host, int(port), timeout=30)
            connection.request("POST", "/alexa", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            data = response.read()
            connection.close()
        except (OSError, http.client.HTTPException) as failure:
            self.errors.append(type(failure).__name__)
            return {"version": "1.0", "response": {}}
        finally:
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            self.errors.append(f"HTTP {response.status}")
            return {"version": "1.0", "response": {}}
        reply: dict[str, Any] = json.loads(data)
        return reply

    def day(self) -> date:
        """A date of this client's own, never the one it keeps now."""
        slot = self.index % CLIENTS_PER_RECORD
        while True:
            self._next += 1
            candidate = FIRST_DAY - timedelta(days=slot + CLIENTS_PER_RECORD * (self._next % 60))
            if candidate != self.kept:
                return candidate

    def check(self, reply: Reply) -> Reply:
        if APOLOGY in reply.text:
            self.errors.append("store apology")
        return reply

    def saved(self, reply: Reply) -> date | None:
        found = SAVED.search(reply.text)
        return date(int(found[1][:4]), int(found[1][4:6]), int(found[1][6:])) if found else None

    def run(self) -> None:
        talk = Conversation(self.post, api_endpoint="", now=NOW, user_id=self.user_id, person_id=self.person_id)
        sessions = 0
        try:
            while True:
                sessions += 1
                if self.kept is None:
                    self.record(talk)
                elif sessions % 3 == 0:
                    self.correct(talk)
                else:
                    self.ask(talk, sessions)
        except OutOfBudget:
            return

    def record(self, talk: Conversation) -> None:
        talk.launch()
        told = self.day()
        if self.saved(self.check(talk.say("RecordTreatmentIntent", date=told.isoformat()))) == told:
            self.kept = told
        self.check(talk.say("SunIntent"))
        talk.say("AMAZON.StopIntent")

    def correct(self, talk: Conversation) -> None:
        told = self.day()
        reply = self.check(talk.say("CorrectTreatmentIntent", date=told.isoformat()))
        if "Which one should I change" in reply.text and self.kept is not None:
            reply = self.check(talk.say("ChooseTreatmentIntent", date=self.kept.isoformat()))
        if self.saved(reply) == told:
            self.kept = told
        self.check(talk.say("ProgressIntent"))
        talk.say("AMAZON.StopIntent")

    def ask(self, talk: Conversation, sessions: int) -> None:
        if sessions % 2:
            self.check(talk.say("SunIntent"))  # a one-shot: the answer ends the session
            talk.hang_up()
            return
        talk.launch()
        self.check(talk.say("MakeupIntent"))
        self.check(talk.say("ResultsIntent"))
        talk.say("AMAZON.StopIntent")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_service(store: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"TABLE_NAME", "SKILL_ID"}}
    env.update(
        PYTHONPATH=str(ROOT / "lambda"),
        HOST="127.0.0.1",
        PORT=str(port),
        LOCAL_STORE=str(store),
        ASK_VERIFY_REQUESTS="false",
        LOG_LEVEL="ERROR",
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "laser_recovery.web"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"load: the service stopped at start-up:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return process, f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    stop(process)
    sys.exit("load: the service never answered /health")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)  # this PID only
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="laser-load-") as folder:
        store = Path(folder) / "load.sqlite3"
        process, base = start_service(store, Path(folder) / "service.log")
        budget = Budget(REQUESTS)
        records = max(1, CLIENTS // CLIENTS_PER_RECORD)
        clients = []
        for index in range(CLIENTS):
            record = index // CLIENTS_PER_RECORD % records
            # Two records to an account: a recognised person's and the account's shared one.
            person = f"amzn1.ask.person.LOAD-{record}" if record % 2 else None
            clients.append(Client(index, f"amzn1.ask.account.LOAD-{record // 2}", person, base, budget))
        threads = [threading.Thread(target=client.run) for client in clients]
        started = time.perf_counter()
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            seconds = time.perf_counter() - started
            stop(process)
        saved = SQLiteStore(store)
        lost = 0
        for client in clients:
            record = saved.get(patient_id(client.user_id, client.person_id))
            if client.kept is not None and (record is None or client.kept not in record.treatments):
                lost += 1
        latencies = [ms for client in clients for ms in client.latencies_ms]
        errors = [error for client in clients for error in client.errors]
        kinds = sorted(set(errors))
    print(f"load_requests: {len(latencies)}")
    print(f"load_errors: {len(errors)}")
    print(f"load_lost_writes: {lost}")
    print(f"load_p50_ms: {statistics.median(latencies):.1f}")
    print(f"load_p99_ms: {percentile(latencies, 0.99):.1f}")
    print(f"load_max_ms: {max(latencies):.1f}")
    print(f"load_seconds: {seconds:.1f}")
    if kinds:
        print(f"# error kinds: {', '.join(kinds)}", file=sys.stderr)
    if errors or lost:
        sys.exit(1)


if __name__ == "__main__":
    main()
