"""How much a conversation turn costs, against a hello-world skill measured in the same run.

Prints figures and ratios; asserts nothing (speed is measured here, never in tests).
Run: make bench
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import is_request_type

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from laser_recovery.config import Settings
from laser_recovery.skill import lambda_handler_for
from laser_recovery.store.sqlite import SQLiteStore
from tests.alexa import Conversation

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
ROUNDS = 2000


class HelloWorld(AbstractRequestHandler):
    def can_handle(self, handler_input):  # type: ignore[no-untyped-def]
        return is_request_type("LaunchRequest")(handler_input) or is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input):  # type: ignore[no-untyped-def]
        return handler_input.response_builder.speak("Hello world!").set_should_end_session(True).response


def hello_world() -> Handler:
    builder = CustomSkillBuilder()
    builder.add_request_handler(HelloWorld())
    return builder.lambda_handler()


def per_request(handler: Handler, turn: Callable[[Conversation], object]) -> tuple[float, int]:
    """Median microseconds per request, and peak bytes allocated during one request."""
    talk = Conversation(handler, api_endpoint="")  # no Settings API: no network wait, zone unknown
    talk.say("RecordTreatmentIntent", date="2026-10-03")
    talk.hang_up()
    for _ in range(50):
        turn(talk)
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter_ns()
        turn(talk)
        samples.append(time.perf_counter_ns() - started)
    gc.collect()
    tracemalloc.start()
    turn(talk)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(samples) / 1000, peak


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        ours = lambda_handler_for(Settings(), store=SQLiteStore(Path(folder) / "bench.sqlite3"))
        baseline = hello_world()
        cases = {
            "launch": lambda t: (t.launch(), t.hang_up()),
            "one-shot sun question (store read)": lambda t: t.say("SunIntent"),
            "same date again (store read, no write)": lambda t: t.say("RecordTreatmentIntent", date="2026-10-03"),
        }
        base_us, base_peak = per_request(baseline, lambda t: t.say("SunIntent"))
        print(f"baseline hello-world skill: {base_us:8.1f} us/request  peak {base_peak / 1024:7.1f} KiB")
        rows = []
        for name, turn in cases.items():
            us, peak = per_request(ours, turn)
            rows.append({"case": name, "us": round(us, 1), "x_time": round(us / base_us, 2),
                         "peak_kib": round(peak / 1024, 1), "x_memory": round(peak / base_peak, 2)})
            print(f"{name:38s} {us:8.1f} us/request ({us / base_us:5.2f}x)  "
                  f"peak {peak / 1024:7.1f} KiB ({peak / base_peak:5.2f}x)")
        print(json.dumps({"rounds": ROUNDS, "baseline_us": round(base_us, 1), "cases": rows}))


if __name__ == "__main__":
    main()
