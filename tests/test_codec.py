"""The skill's envelope reader builds exactly the models the SDK's own deserialiser builds,
and refuses exactly what it refuses, on well-formed and on hostile JSON alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from hypothesis import HealthCheck, given, settings

from laser_recovery.codec import CODEC
from tests.test_envelopes import EXAMPLES, TIMESTAMPS, base, hostile

SDK = DefaultSerializer()
OURS = CODEC


def both(text: str) -> tuple[Any, Any]:
    results = []
    for read in (lambda: SDK.deserialize(text, RequestEnvelope), lambda: OURS.read(json.loads(text), RequestEnvelope)):
        try:
            results.append(read())
        except SerializationException:
            results.append(SerializationException)
    return results[0], results[1]


def same(text: str) -> None:
    theirs, ours = both(text)
    assert ours == theirs
    if isinstance(theirs, RequestEnvelope):  # written back, key for key, in the same order
        assert written(CODEC, theirs) == written(SDK, theirs)
    if isinstance(theirs, RequestEnvelope) and theirs.request is not None:
        assert type(ours.request) is type(theirs.request)
        stamp = getattr(theirs.request, "timestamp", None)
        assert getattr(ours.request, "timestamp", None) == stamp
        if isinstance(stamp, datetime):
            assert offset(ours.request.timestamp) == offset(stamp)


def written(writer: DefaultSerializer, model: Any) -> Any:
    try:
        return json.dumps(writer.serialize(model), default=str)
    except ValueError as error:  # a "+24:00" instant has no ISO form: both fail alike
        return type(error)


def offset(stamp: datetime) -> Any:
    try:
        return stamp.utcoffset()
    except ValueError:  # dateutil takes "+24:00", whose offset datetime then refuses
        return ValueError


@settings(max_examples=max(EXAMPLES // 3, 100), deadline=None, suppress_health_check=list(HealthCheck))
@given(event=hostile())
def test_hostile_envelopes_read_the_same(event: Any) -> None:
    try:
        text = json.dumps(event)
    except ValueError:
        return
    same(text)


@pytest.mark.parametrize(
    "stamp",
    [
        *TIMESTAMPS,
        "2026-11-24T18:00:00.5Z",
        "2026-11-24T18:00:00.123+05:30",
        "2026-11-24T18:00:00-08:00",
        "2026-11-24T25:00:00Z",
        "2026-11-24T18:00:00+24:00",
        "2026-11-24 18:00:00Z",
    ],
)
@pytest.mark.parametrize("kind", ["IntentRequest", "LaunchRequest", "AlexaSkillEvent.SkillDisabled"])
def test_timestamps_read_as_the_sdk_reads_them(stamp: str, kind: str) -> None:
    event = base(kind, "SunIntent", "2026-10-03")
    event["request"]["timestamp"] = stamp
    same(json.dumps(event))


def test_an_alexa_timestamp_is_the_same_instant() -> None:
    event = base("IntentRequest", "SunIntent", None)
    event["request"]["timestamp"] = "2026-11-24T18:00:00.250+01:00"
    envelope = OURS.deserialize(json.dumps(event), RequestEnvelope)
    assert envelope.request.timestamp == datetime(2026, 11, 24, 17, 0, 0, 250000, tzinfo=UTC)
    assert envelope.request.timestamp.utcoffset() == timedelta(hours=1)


def test_responses_are_written_as_the_sdk_writes_them() -> None:
    from ask_sdk_core.response_helper import ResponseFactory
    from ask_sdk_model import ResponseEnvelope
    from ask_sdk_model.ui import SimpleCard

    from laser_recovery.turn import _elicit

    for build in (
        lambda f: f.speak("<speak>Hi</speak>").set_should_end_session(True),
        lambda f: f.speak("<speak>Hi</speak>").ask("<speak>Again?</speak>").set_should_end_session(False),
        lambda f: f.speak("x").ask("y").add_directive(_elicit("SunIntent", "date")),
        lambda f: f.set_card(SimpleCard(title="t", content="c")),
        lambda f: f,
    ):
        response = build(ResponseFactory()).response
        envelope = ResponseEnvelope(response=response, session_attributes={"a": [1, {"b": None}]}, version="1.0")
        assert json.dumps(CODEC.serialize(envelope)) == json.dumps(SDK.serialize(envelope))
