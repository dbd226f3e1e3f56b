"""What an Echo Show draws (APL): the recovery timeline beside the sun and progress answers,
and the text being read. Only for devices that say they support APL; every other device gets
exactly the voice answer.

The documents are JSON files beside the words (content/apl/); their data is built here from
the pure timeline (timeline.py) and the locale's words, as plain text. The timeline is shown
only where the spoken answer rested on the newest date that stands (the card's guard).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cards import showable
from .store import PatientRecord
from .timeline import NEXT, PASSED, timeline

if TYPE_CHECKING:
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    from .turn import Turn

APL = "Alexa.Presentation.APL"
DOCUMENTS = Path(__file__).parent / "content" / "apl"


# The documents' APL version (alexa-layouts 1.7.0 needs it): an older runtime gets voice only.
VERSION = (2023, 3)


def has_screen(turn: Turn) -> bool:
    """Whether the device says it renders APL this recent (context.System.device.supportedInterfaces)."""
    device = getattr(turn.input.request_envelope.context.system, "device", None)
    apl = getattr(getattr(device, "supported_interfaces", None), "alexa_presentation_apl", None)
    newest = getattr(getattr(apl, "runtime", None), "max_version", None)
    try:
        return tuple(int(part) for part in str(newest).split(".")) >= VERSION
    except ValueError:  # no version, or not one: not a screen the documents are written for
        return False


@cache
def document(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DOCUMENTS / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def timeline_data(turn: Turn, record: PatientRecord) -> dict[str, Any] | None:
    """The timeline's datasource for this record, or None when its dates could still move."""
    if not showable(turn, record) or record.latest is None:
        return None
    speech = turn.speech

    def plain(key: str, **values: str | int) -> str:
        return speech.plain(speech.say(key, **values))

    def day(when: Any) -> str:
        return speech.plain(speech.weekday_date(when))

    line = timeline(record.latest, turn.today.earliest, turn.protocol)
    sun = line.stops[-1]
    when = {
        "makeup": lambda s: plain("screen.makeup_when", date=day(s.starts)),
        "results": lambda s: plain("screen.results_when", first=day(s.starts), by=day(s.ends)),
        "sun": lambda s: plain("screen.sun_when", first=day(s.starts), by=day(s.ends)),
    }
    marks = {PASSED: "screen.passed", NEXT: "screen.next"}
    coming = next((stop for stop in line.stops if stop.state == NEXT), None)
    progress = (
        plain("screen.done", date=day(line.treatment))
        if sun.state == PASSED
        else plain("screen.ahead", date=day(sun.ends))
    )
    return {
        "timeline": {
            "title": plain("screen.title"),
            "subtitle": plain("screen.subtitle", date=day(line.treatment)),
            "dayText": plain("screen.day", day=line.day) if line.day else plain("screen.treatment_day"),
            "day": min(line.day, line.total),
            "total": line.total,
            "progressText": progress,
            # What a small round screen shows of the list: the next milestone alone.
            "nextLabel": plain(f"screen.{coming.name}") if coming else "",
            "nextWhen": when[coming.name](coming) if coming else progress,
            "stops": [
                {
                    "label": plain(f"screen.{stop.name}"),
                    "when": when[stop.name](stop),
                    "mark": plain(marks.get(stop.state, "screen.waiting")),
                    "next": stop.state == NEXT,
                }
                for stop in line.stops
            ],
            "notice": plain("screen.notice"),
        }
    }


def reading_data(turn: Turn, topic: str, items: list[str]) -> dict[str, Any]:
    """What is being read, as plain text."""
    speech = turn.speech
    return {
        "reading": {
            "title": speech.plain(speech.say(f"screen.{topic}")),
            "subtitle": speech.plain(speech.say("screen.reading_subtitle")),
            "items": [speech.plain(item) for item in items],
        }
    }


def said_data(turn: Turn, speech: str) -> dict[str, Any]:
    """The words just said, as plain text: what a screen shows when nothing else is drawn."""
    text = turn.speech.plain(speech)
    return {"said": {"title": turn.speech.plain(turn.speech.say("screen.title_said")), "paragraphs": [text]}}


def render(name: str, data: dict[str, Any]) -> RenderDocumentDirective:
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    return RenderDocumentDirective(token=name, document=document(name), datasources={"payload": data})


def show(turn: Turn, name: str, data: dict[str, Any] | None) -> None:
    """Add the document to the reply, on a device with a screen only."""
    if data is not None and has_screen(turn):
        turn.input.response_builder.add_directive(render(name, data))
