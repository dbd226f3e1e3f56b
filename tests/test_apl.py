"""The Echo Show's screen (APL): a RenderDocument goes only to devices that support APL, its
documents validate, and their data is bound for several days of recovery, on both stores."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from laser_recovery.recovery import Protocol
from laser_recovery.screens import DOCUMENTS, document
from laser_recovery.timeline import NEXT, PASSED, timeline
from tests.alexa import APL, Conversation, SettingsApi
from tests.support.apl import InvalidDocument, check, to_html

NOW = "2026-11-24T18:00:00Z"
PROTOCOL = Protocol.load()


@pytest.fixture
def show(handler, api: SettingsApi) -> Conversation:
    talk = Conversation(handler, api_endpoint=api.url, now=NOW, screen=True)
    api.zones[talk.device_id] = "Europe/London"
    talk.launch()
    return talk


def rendered(reply) -> dict | None:
    directives = [d for d in reply.directives if d["type"] == "Alexa.Presentation.APL.RenderDocument"]
    assert len(directives) <= 1
    return directives[0] if directives else None


@pytest.mark.parametrize(
    ("back", "day_text", "marked"),
    [
        (0, "The day of your treatment", "makeup"),
        (5, "Day 5", "makeup"),
        (8, "Day 8", "results"),
        (30, "Day 30", "sun"),
        (45, "Day 45", "sun"),
        (56, "Day 56", None),
        (80, "Day 80", None),
    ],
)
def test_the_timeline_goes_with_the_sun_answer_for_every_stage(show, back, day_text, marked):
    treated = date(2026, 11, 24) - timedelta(days=back)
    show.say("RecordTreatmentIntent", date=treated.isoformat())
    directive = rendered(show.say("SunIntent"))
    assert directive is not None and directive["token"] == "timeline"
    payload = directive["datasources"]["payload"]
    check(directive["document"], payload)
    line = payload["timeline"]
    assert line["dayText"].startswith(day_text) and line["total"] == 56 and line["day"] == min(back, 56)
    assert [s["next"] for s in line["stops"]].count(True) == (1 if marked else 0)
    if marked:
        assert next(s for s in line["stops"] if s["next"])["label"].lower().startswith(marked[:4])
    assert "<" not in json.dumps(payload)  # plain text on a screen


def test_the_timeline_names_the_dates(show):
    show.say("RecordTreatmentIntent", date="2026-11-20")
    line = rendered(show.say("ProgressIntent"))["datasources"]["payload"]["timeline"]
    assert line["subtitle"] == "Since your treatment on Friday, November 20, 2026"
    assert [s["when"] for s in line["stops"]] == [
        "From Friday, November 27, 2026; check with your specialist",
        "Starting to show between Friday, November 27, 2026 and Monday, November 30, 2026",
        "Only your specialist can clear you from Friday, January 1, 2027; from Friday, January 15, 2027 if you "
        "have no other treatment before then",
    ]
    assert line["progressText"] == "The full 8 weeks away from sunbathing end on Friday, January 15, 2027"


def test_a_device_without_a_screen_gets_exactly_the_voice_answer(show, handler, api):
    voice = Conversation(handler, api_endpoint=api.url, now=NOW, user_id=show.user_id)
    api.zones[voice.device_id] = "Europe/London"
    voice.launch()
    voice.say("RecordTreatmentIntent", date="2026-11-20")
    plain = voice.say("SunIntent")
    screen = show.say("SunIntent")
    assert rendered(plain) is None and "directives" not in plain.response
    assert plain.ssml == screen.ssml and rendered(screen)["token"] == "timeline"


def timeline_shown(reply) -> bool:
    directive = rendered(reply)
    return directive is not None and directive["token"] == "timeline"


def test_no_timeline_while_a_date_awaits_its_check_or_a_treatment_is_booked(show):
    assert "Just to check" in show.say("RecordTreatmentIntent", date="2026-12-12").text
    assert not timeline_shown(show.say("SunIntent"))
    show.say("AMAZON.YesIntent")
    show.say("UpcomingTreatmentIntent", date="2026-12-04")
    assert not timeline_shown(show.say("SunIntent"))


def test_every_reply_replaces_the_screen_so_no_withdrawn_date_stays_up(show):
    """Found by review: the timeline stayed up after the spoken answer took it back."""
    show.say("RecordTreatmentIntent", date="2026-09-01")
    assert timeline_shown(show.say("SunIntent"))
    for reply in (
        show.say("RecordTreatmentIntent", date="2026-11-27"),  # a date to check: the yes withdrawn
        show.say("SunIntent"),
        show.say("AMAZON.HelpIntent"),
    ):
        directive = rendered(reply)
        assert directive["token"] == "said"  # the words said, and no date that no longer stands
        check(directive["document"], directive["datasources"]["payload"])
        said = directive["datasources"]["payload"]["said"]["paragraphs"][0]
        assert said.split(":")[0] == reply.text.split(":")[0] and "<" not in said


def test_forgetting_and_another_voice_replace_the_screen(show):
    show.say("RecordTreatmentIntent", date="2026-09-01")
    show.say("SunIntent")
    show.say("ForgetIntent")
    reply = show.say("AMAZON.YesIntent")
    assert rendered(reply)["token"] == "said" and "2026" not in json.dumps(rendered(reply)["datasources"])


def test_an_older_apl_runtime_gets_the_voice_answer_only(handler, api):
    def older(event, context):
        event["context"]["System"]["device"]["supportedInterfaces"][APL]["runtime"]["maxVersion"] = "1.1"
        event["context"]["Viewport"] = {"shape": "SQUIRCLE", "mode": "HOLOGRAM"}  # enums newer than the SDK
        return handler(event, context)

    talk = Conversation(older, api_endpoint=api.url, now=NOW, screen=True)
    api.zones[talk.device_id] = "Europe/London"
    talk.launch()
    talk.say("RecordTreatmentIntent", date="2026-11-20")
    reply = talk.say("SunIntent")
    assert rendered(reply) is None and reply.text.startswith("Not yet.")


def test_a_booking_had_and_settled_no_longer_hides_the_timeline(show):
    show.say("RecordTreatmentIntent", date="2026-09-01")
    show.say("UpcomingTreatmentIntent", date="2026-12-01")
    show.now = "2026-12-03T18:00:00Z"
    show.hang_up()
    show.launch()
    show.say("SunIntent")  # "did you have it?"
    show.say("AMAZON.YesIntent")
    show.now = "2027-03-03T18:00:00Z"
    show.hang_up()
    show.launch()
    assert timeline_shown(show.say("SunIntent"))


def test_the_aftercare_rules_are_on_the_screen_as_they_are_read(show):
    reply = show.say("AftercareIntent")
    directive = rendered(reply)
    assert directive["token"] == "reading"
    check(directive["document"], directive["datasources"]["payload"])
    items = directive["datasources"]["payload"]["reading"]["items"]
    assert len(items) == 3 and items[0].split()[0] in reply.text
    assert rendered(show.say("AMAZON.YesIntent")) is not None  # the next page, drawn too


@pytest.mark.parametrize("name", sorted(p.stem for p in DOCUMENTS.glob("*.json")))
def test_every_document_is_apl_the_skill_can_send(name):
    doc = document(name)
    assert doc["type"] == "APL" and doc["mainTemplate"]["parameters"] == ["payload"]
    broken = json.loads(json.dumps(doc))
    broken["mainTemplate"]["items"][0]["type"] = "Frame2"
    with pytest.raises(InvalidDocument):  # the check can fail
        check(broken, {})


def test_the_pure_timeline_marks_one_next_stop_until_the_sun():
    treated = date(2026, 11, 1)
    for day in range(0, 70):
        line = timeline(treated, treated + timedelta(days=day), PROTOCOL)
        states = [s.state for s in line.stops]
        assert states.count(NEXT) == (0 if day >= 56 else 1)
        passed = states.count(PASSED)
        assert states[:passed] == [PASSED] * passed  # what is passed comes first
        assert (line.stops[-1].state == PASSED) == (day >= 56)


def test_the_stand_in_draws_the_bound_data(show):
    show.say("RecordTreatmentIntent", date="2026-11-20")
    directive = rendered(show.say("SunIntent"))
    page = to_html(directive["document"], directive["datasources"]["payload"], 1280, 800)
    assert "Day 4 of your recovery" in page and "January 15, 2027" in page and "${" not in page
