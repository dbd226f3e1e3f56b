"""One cold start, timed from inside a fresh process: import the function, answer one request.

    python cold_start.py hello|skill ENVELOPE.json

Prints one JSON line: the milliseconds from just before the import to the first response,
and that response's speech (so the caller can check it timed a real answer, not an error).
Run by bench_skill.py with the environment Lambda would give (TABLE_NAME or LOCAL_STORE, ...).
Nothing but json, sys and time is imported before the clock starts.
"""

import json
import sys
import time


def main() -> None:
    which, envelope_path = sys.argv[1], sys.argv[2]
    with open(envelope_path, encoding="utf-8") as file:
        envelope = json.load(file)
    started = time.perf_counter()
    if which == "hello":
        from hello_world import lambda_handler
    else:
        from lambda_function import lambda_handler
    response = lambda_handler(envelope, None)
    elapsed = time.perf_counter() - started
    speech = response.get("response", {}).get("outputSpeech", {}).get("ssml", "")
    print(json.dumps({"ms": elapsed * 1000, "speech": speech}))


if __name__ == "__main__":
    main()
