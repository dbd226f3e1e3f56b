"""The patient's conversation, end to end: real request envelopes through lambda_handler,
on every store the skill can use (the `store` fixture runs each test on SQLite and on
DynamoDB Local)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from laser_recovery.config import Settings
from laser_recovery.skill import lambda_handler_for
from laser_recovery.store import patient_id
from tests.alexa import LOOPBACK_API, SKILL_ID, Conversation

TREATED = "2026-10-03"  # a Saturday
LA = "America/Los_Angeles"


@pytest.fixture(params=["en-US", "en-GB", "en-CA", "en-AU", "en-IN"])
def patient(request, handler, api) -> Conversation:
    """A patient in Los Angeles whose device reports its zone through the Settings API, in
    each English locale the skill publishes (issue 11)."""
    talk = Conversation(handler, api_endpoint=api.url, locale=request.param)
    api.zones[talk.device_id] = LA
    return talk


def treated(patient: Conversation, day: str = TREATED) -> None:
    patient.say("RecordTreatmentIntent", date=day)
    patient.hang_up()


# -- the sun: the answer that can harm if wrong -----------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-11-13", "Not yet. Don't sunbathe"),  # day 41
        ("2026-11-14", "Not yet. The minimum of 6 weeks"),  # day 42: the 6-week minimum only
        ("2026-11-27", "Not yet. The minimum of 6 weeks"),  # day 55
        ("2026-11-28", "Yes. The full 8 weeks since your treatment on Saturday, 20261003"),  # day 56
        ("2026-11-29", "Yes. The full 8 weeks since your treatment on Saturday, 20261003"),  # day 57
    ],
)
def test_sun_answer_follows_the_protocol_day_by_day(patient, today, expected):
    treated(patient)
    patient.now = f"{today}T18:00:00Z"  # 10 a.m. in Los Angeles, the same local date
    reply = patient.say("SunIntent")
    assert reply.text.startswith(expected)
    assert "high-factor sunscreen" in reply.text or "high-factor sun cream" in reply.text  # en-GB
    if not expected.startswith("Yes"):
        assert '<say-as interpret-as="date">20261128</say-as>' in reply.ssml
        assert "Saturday, " in reply.ssml


def test_one_shot_question_answers_and_ends_the_session(patient):
    treated(patient)
    reply = patient.say("SunIntent")
    assert reply.ends is True
    assert reply.response.get("reprompt") is None


def test_question_inside_a_session_keeps_listening_with_a_reprompt(patient):
    treated(patient)
    patient.launch()
    reply = patient.say("SunIntent")
    assert reply.ends is False
    assert reply.reprompt


def test_sun_on_a_named_day_answers_for_that_day(patient):
    treated(patient)
    reply = patient.say("SunIntent", date="2026-12-20")
    assert reply.text.startswith("Yes")
    assert "20261220" in reply.ssml
    reply = patient.say("SunIntent", date="2026-11-27")  # day 55
    assert reply.text.startswith("Not yet. By Friday") and "minimum of 6 weeks since your treatment" in reply.text
    reply = patient.say("SunIntent", date="2026-11-20")  # a day gone: today's answer, and it says so
    assert reply.text.startswith("Not yet") and "20261120 has already passed" in reply.ssml.replace(
        '<say-as interpret-as="date">', ""
    ).replace("</say-as>", "")


def test_sun_on_a_vague_day_asks_which_day_then_answers(patient):
    treated(patient)
    patient.launch()
    reply = patient.say("SunIntent", date="2026-W52")
    assert reply.ends is False and "Which day" in reply.text
    assert reply.directives[0]["type"] == "Dialog.ElicitSlot"
    assert reply.directives[0]["updatedIntent"]["name"] == "SunIntent"
    # A bare date goes to the slot that asked for it.
    reply = patient.say("SunIntent", dialog_state="IN_PROGRESS", date="2026-12-20")
    assert reply.text.startswith("Yes")
    assert patient.say("ProgressIntent").text.count("20261003") == 1  # the treatment is unchanged


# -- today is the patient's local date, from the request ----------------------------------


def test_late_evening_in_los_angeles_is_still_the_previous_day(patient):
    treated(patient)
    patient.now = "2026-11-28T07:30:00Z"  # UTC says day 56; in Los Angeles it is 11:30 p.m. on day 55
    reply = patient.say("SunIntent")
    assert reply.text.startswith("Not yet") and "minimum of 6 weeks" in reply.text
    assert "day 55" in patient.say("ProgressIntent").text


def test_early_morning_in_auckland_is_already_the_next_day(patient, api):
    api.zones[patient.device_id] = "Pacific/Auckland"
    treated(patient)
    patient.now = "2026-11-27T12:30:00Z"  # UTC says day 55; in Auckland it is 1:30 a.m. on day 56
    assert patient.say("SunIntent").text.startswith("Yes")


def test_settings_api_failing_a_remembered_zone_gives_no_yes_before_every_zone_agrees(patient, api):
    treated(patient)  # the Settings API gave Los Angeles, and the record keeps it
    api.failing = True
    patient.now = "2026-11-28T07:30:00Z"  # day 56 in UTC; 11:30 p.m. on day 55 in Los Angeles
    assert patient.say("SunIntent").text.startswith("Not yet")
    # Past midnight in Los Angeles, but the device may have moved since it last said so:
    # the yes waits for midnight in UTC-12.
    patient.now = "2026-11-28T08:30:00Z"
    assert patient.say("SunIntent").text.startswith("Not yet")
    patient.now = "2026-11-28T12:00:00Z"
    assert patient.say("SunIntent").text.startswith("Yes")


def test_settings_api_unreachable_still_answers(handler):
    patient = Conversation(handler, api_endpoint="https://127.0.0.1:9")  # nothing listens there
    patient.say("RecordTreatmentIntent", date=TREATED)
    assert "20261003" in patient.say("ProgressIntent").ssml


def test_time_zone_is_asked_once_per_session(patient, api):
    patient.launch()
    patient.say("RecordTreatmentIntent", date=TREATED)
    patient.say("SunIntent")
    patient.say("MakeupIntent")
    assert api.calls == 1


# -- recording the treatment date -------------------------------------------------------


def test_recorded_date_is_said_back_with_weekday_year_and_days_ago(patient):
    patient.now = "2026-11-20T18:00:00Z"
    reply = patient.say("RecordTreatmentIntent", date=TREATED)
    assert 'Saturday, <say-as interpret-as="date">20261003</say-as>, 48 days ago' in reply.ssml


def test_yearless_date_that_arrived_in_the_future_is_last_year(patient):
    # "November tenth" said on November 24, 2026 arrives as next year's date.
    reply = patient.say("RecordTreatmentIntent", date="2027-11-10")
    assert "Tuesday, " in reply.ssml and "20261110" in reply.ssml and "14 days ago" in reply.text


def test_date_in_the_future_with_a_year_is_moved_to_the_past_and_says_so(patient):
    reply = patient.say("RecordTreatmentIntent", date="2027-10-20")  # 35 days ago, once moved
    assert "20261020" in reply.ssml and "I took the one that has gone by" in reply.text
    assert "Yes" not in reply.text


def test_a_weekday_that_arrived_as_the_coming_one_is_last_weeks(patient):
    # "I had my treatment on Monday", said on Tuesday November 24, arrives as November 30.
    reply = patient.say("RecordTreatmentIntent", date="2026-11-30")
    # It may be an appointment next Monday, told in advance: checked before it counts.
    assert reply.text.endswith("Just to check: was your treatment on Monday, 20261123, yesterday?")
    assert "Thank you" in patient.say("AMAZON.YesIntent").text


def test_yesterday_and_present_ref(patient):
    assert "yesterday" in patient.say("RecordTreatmentIntent", date="2026-11-23").text
    reply = patient.say("CorrectTreatmentIntent", date="PRESENT_REF")
    assert "20261124" in reply.ssml and "today" in reply.text


def test_duration_two_weeks_ago(patient):
    reply = patient.say("RecordTreatmentIntent", duration="P2W")
    assert "20261110" in reply.ssml and "14 days ago" in reply.text


@pytest.mark.parametrize(
    ("value", "question"),
    [
        ("2026-W47", "Which day that week"),
        ("2026-W46-WE", "Saturday or the Sunday"),
        ("2026-10", "Which day of that month"),
        ("2026-WI", "exact day"),
        ("2026-SU", "exact day"),
        ("2026", "exact day"),
        ("201X", "exact day"),
        ("XXXX-XX-XX", "didn't catch the date"),
        ("2026-02-30", "didn't catch the date"),
        ("2028-01-15", "still to come"),
    ],
)
def test_values_that_are_not_one_day_get_a_follow_up_question(patient, store, value, question):
    reply = patient.say("RecordTreatmentIntent", date=value)
    assert question in reply.text
    assert reply.ends is False and reply.reprompt
    assert reply.directives[0]["type"] == "Dialog.ElicitSlot"
    record = store.get(patient_id(patient.user_id))
    assert record is None or not record.treatments  # nothing guessed, nothing stored


def test_unreadable_duration_gets_a_follow_up_question(patient):
    reply = patient.say("RecordTreatmentIntent", duration="P?W")
    assert "didn't catch the date" in reply.text and reply.ends is False


def test_record_without_a_date_elicits_it_through_the_dialog(patient):
    patient.launch()
    reply = patient.say("RecordTreatmentIntent", dialog_state="STARTED", date=None, duration=None)
    assert reply.ends is False
    assert reply.directives[0]["type"] == "Dialog.ElicitSlot"
    assert reply.directives[0]["slotToElicit"] == "date"
    reply = patient.say("RecordTreatmentIntent", dialog_state="IN_PROGRESS", date=TREATED)
    assert "20261003" in reply.ssml


def test_correction_replaces_the_date_just_recorded(patient, store):
    patient.launch()
    patient.say("RecordTreatmentIntent", date=TREATED)
    reply = patient.say("CorrectTreatmentIntent", date="2026-10-20")
    assert "corrected" in reply.text and "20261020" in reply.ssml
    assert store.get(patient_id(patient.user_id)).treatments == (date(2026, 10, 20),)


def test_correction_without_a_date_asks_then_replaces(patient, store):
    treated(patient)
    patient.launch()
    reply = patient.say("CorrectTreatmentIntent")
    assert "correct date" in reply.text
    assert reply.directives[0]["updatedIntent"]["name"] == "CorrectTreatmentIntent"
    patient.say("CorrectTreatmentIntent", dialog_state="IN_PROGRESS", date="2026-10-20")
    assert store.get(patient_id(patient.user_id)).treatments == (date(2026, 10, 20),)


def test_a_series_keeps_every_date_and_answers_from_the_most_recent(patient, store):
    treated(patient, "2026-10-03")
    reply = patient.say("RecordTreatmentIntent", date="2026-08-01")
    assert "most recent one" in reply.text and "20261003" in reply.ssml
    treated(patient, "2026-11-20")
    assert store.get(patient_id(patient.user_id)).treatments == (
        date(2026, 8, 1),
        date(2026, 10, 3),
        date(2026, 11, 20),
    )
    assert "day 4 " in patient.say("ProgressIntent").text


def test_same_date_again_writes_nothing(patient, store):
    treated(patient)
    key = patient_id(patient.user_id)
    before = store.get(key)
    reply = patient.say("RecordTreatmentIntent", date=TREATED)
    assert "already have" in reply.text
    assert store.get(key) == before


# -- questions that need the date, asked before it is known --------------------------------


@pytest.mark.parametrize(
    ("intent", "answer"),
    [
        ("SunIntent", "Not yet. The minimum of 6 weeks"),
        ("MakeupIntent", "minimum of a week since your treatment"),
        ("ProgressIntent", "day 52"),
    ],
)
def test_question_without_a_date_asks_for_it_then_answers_the_original_question(patient, intent, answer):
    reply = patient.say(intent)
    assert "need the date of your treatment" in reply.text and reply.ends is False
    assert reply.directives[0]["updatedIntent"]["name"] == "RecordTreatmentIntent"
    reply = patient.say("RecordTreatmentIntent", dialog_state="IN_PROGRESS", date=TREATED)
    assert "20261003" in reply.ssml  # the date is said back...
    assert answer in reply.text  # ...and the original question answered in the same turn


def test_question_about_a_day_keeps_that_day_while_the_date_is_asked_for(patient):
    patient.say("SunIntent", date="2026-12-20")
    reply = patient.say("RecordTreatmentIntent", duration="P8W")  # counted back: checked first
    assert reply.text.startswith("Just to check: was your treatment on Tuesday, 20260929")
    reply = patient.say("AMAZON.YesIntent")
    assert "20261220" in reply.ssml and "Yes" in reply.text


# -- the other questions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [("2026-10-09", "Not yet"), ("2026-10-10", "check with your specialist")],
)
def test_makeup_after_a_full_week(patient, today, expected):
    treated(patient)
    patient.now = f"{today}T18:00:00Z"
    assert expected in patient.say("MakeupIntent").text


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-10-06", "in 4 days"),
        ("2026-10-09", "tomorrow"),
        ("2026-10-10", "this is when you begin to see how well it has worked"),
        ("2026-10-13", "this is when you begin to see how well it has worked"),
        ("2026-10-14", "you should have started to see how well"),
    ],
)
def test_results_relative_to_the_treatment(patient, today, expected):
    treated(patient)
    patient.now = f"{today}T18:00:00Z"
    assert expected in patient.say("ResultsIntent").text


def test_general_answers_need_no_date(patient):
    assert "7 to 10 days" in patient.say("ResultsIntent").text
    assert "6 to 8 weeks" in patient.say("SunDurationIntent").text
    reply = patient.say("RednessIntent")
    assert "days, or even weeks" in reply.text and "specialist" in reply.text


def test_sun_duration_adds_the_patients_own_dates(patient):
    treated(patient)
    reply = patient.say("SunDurationIntent")  # day 52: between the minimum and the full weeks
    assert "6 to 8 weeks" in reply.text and "20261003" in reply.ssml and "20261128" in reply.ssml
    assert "only your specialist can clear you" in reply.text and "it's not yet" in reply.text
    assert "even with" not in reply.text


def test_progress_says_the_day_what_passed_and_what_comes_next(patient):
    treated(patient)
    patient.now = "2026-11-20T18:00:00Z"
    text = patient.say("ProgressIntent").text
    assert "day 48" in text and "minimum of 6 weeks out of prolonged sun" in text
    assert "Next: the full 8 weeks" in text and "in 8 days" in text


# -- reading aloud ----------------------------------------------------------------------


def test_aftercare_is_read_three_at_a_time_most_important_first(patient):
    patient.launch()
    first = patient.say("AftercareIntent")
    assert first.text.startswith(("Put on high-factor sunscreen", "Put on high-factor sun cream"))
    assert "6 to 8 weeks" in first.text and first.text.endswith("Want to hear more?")
    assert first.text.count(".") <= 4  # three rules and the question
    again = patient.say("AMAZON.RepeatIntent")
    assert again.ssml == first.ssml
    second = patient.say("AMAZON.YesIntent")
    assert "specialist gives you" in second.text and second.ends is False
    third = patient.say("AMAZON.NextIntent")
    assert "weeks, and even months" in third.text and "all the aftercare rules" in third.text
    assert patient.say("AMAZON.YesIntent").text.startswith("I'm not sure what that answers")


def test_no_while_reading_returns_to_the_menu(patient):
    patient.launch()
    patient.say("AftercareIntent")
    reply = patient.say("AMAZON.NoIntent")
    assert "What would you like?" in reply.text and reply.ends is False


def test_facts_are_read_in_pages_and_by_topic(patient):
    patient.launch()
    first = patient.say("FactsIntent")
    assert "upper layers of your skin" in first.text and "two ways" in first.text
    second = patient.say("AMAZON.YesIntent")
    assert (
        "95 percent" in second.text or "95 per cent" in second.text
    ) and "hands, back, upper torso and neck" in second.text
    assert "permanent" in second.text
    areas = patient.say("FactsIntent", topic="body parts", resolved={"topic": "areas"})
    assert areas.text.startswith("It's mainly used on the face")


# -- forgetting -------------------------------------------------------------------------


def test_forget_asks_first_then_deletes_everything_and_the_next_session_asks_again(patient, store):
    treated(patient)
    patient.launch()
    reply = patient.say("ForgetIntent")
    assert "delete" in reply.text and reply.ends is False
    reply = patient.say("AMAZON.YesIntent")
    assert "deleted everything" in reply.text
    assert store.get(patient_id(patient.user_id)) is None
    patient.hang_up()
    assert "need the date of your treatment" in patient.say("SunIntent").text


def test_forget_declined_keeps_the_dates(patient, store):
    treated(patient)
    patient.launch()
    patient.say("ForgetIntent")
    assert "kept" in patient.say("AMAZON.NoIntent").text
    assert store.get(patient_id(patient.user_id)).treatments == (date(2026, 10, 3),)


# -- opening, help and leaving ----------------------------------------------------------


def test_first_launch_gives_the_notice_once(patient):
    first = patient.launch()
    assert "doesn't replace your specialist's advice" in first.text and first.ends is False
    patient.end()
    again = patient.launch()
    assert "Welcome back" in again.text and "doesn't replace" not in again.text


@pytest.mark.parametrize("intent", ["AMAZON.HelpIntent", "AMAZON.FallbackIntent", "AMAZON.NavigateHomeIntent"])
def test_help_fallback_and_home_keep_listening(patient, intent):
    patient.launch()
    reply = patient.say(intent)
    assert reply.ends is False and reply.reprompt and reply.text


def test_fallback_gives_two_examples(patient):
    assert patient.say("AMAZON.FallbackIntent").text.count(": ") >= 1
    assert "can I wear makeup" in patient.say("AMAZON.FallbackIntent").text


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
def test_stop_and_cancel_end_the_session(patient, intent):
    patient.launch()
    reply = patient.say(intent)
    assert reply.ends is True and "Goodbye" in reply.text


def test_session_ended_gets_an_empty_response(patient):
    patient.launch()
    reply = patient.end("EXCEEDED_MAX_REPROMPTS")
    assert "outputSpeech" not in reply.response


def test_unknown_intent_gets_the_fallback_not_silence(patient):
    reply = patient.say("SomeRetiredIntent")
    assert "didn't get that" in reply.text and reply.ends is False


def test_voice_profiles_in_one_household_keep_separate_records(handler, api):
    alex = Conversation(handler, api_endpoint=api.url, person_id="amzn1.ask.person.ALEX")
    sam = Conversation(
        handler, api_endpoint=api.url, user_id=alex.user_id, device_id=alex.device_id, person_id="amzn1.ask.person.SAM"
    )
    alex.say("RecordTreatmentIntent", date=TREATED)
    assert "need the date" in sam.say("SunIntent").text


def test_speech_is_escaped_ssml(patient):
    reply = patient.launch()
    assert reply.ssml.startswith("<speak>") and reply.ssml.endswith("</speak>")
    assert "&" not in reply.ssml.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")


def test_store_failure_apologises_and_the_session_stays_usable(handler, tmp_path):
    from laser_recovery.store.sqlite import SQLiteStore

    folder = tmp_path / "gone"
    folder.mkdir()
    broken = SQLiteStore(folder / "store.sqlite3")
    shutil.rmtree(folder)  # the files and their folder vanish: every call now fails for real
    patient = Conversation(lambda_handler_for(Settings(skill_id=SKILL_ID), store=broken))
    reply = patient.say("RecordTreatmentIntent", date=TREATED)
    assert "can't reach your saved details" in reply.text and reply.ends is False
    # The general answer needs no record; with the store down, the notice is given to be safe.
    reply = patient.say("RednessIntent")
    assert "Some redness is normal" in reply.text and "doesn't replace your specialist" in reply.text


def test_lambda_function_module_serves_a_launch(monkeypatch, tmp_path: Path):
    import importlib

    monkeypatch.setenv("LOCAL_STORE", str(tmp_path / "store.sqlite3"))
    monkeypatch.delenv("TABLE_NAME", raising=False)
    monkeypatch.setenv("SKILL_ID", SKILL_ID)
    import lambda_function

    module = importlib.reload(lambda_function)
    reply = Conversation(module.lambda_handler).launch()
    assert "Welcome to Laser Recovery" in reply.text


class CountingStore:
    """The real store, with its calls counted."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str):
        def call(*args):
            self.calls.append(name)
            return getattr(self.inner, name)(*args)

        return call


def test_at_most_one_read_per_turn_and_no_write_when_nothing_changes(store, api):
    counting = CountingStore(store)
    handler = lambda_handler_for(Settings(skill_id=SKILL_ID, alexa_api_hosts=LOOPBACK_API), store=counting)
    patient = Conversation(handler, api_endpoint=api.url)
    patient.launch()
    # The launch reads the record and marks the notice heard.
    assert counting.calls == ["get", "update"]
    # A voice Alexa did not recognise first checks the household: the record it shares may
    # hold another member's dates. Then one read, one write (with the zone).
    patient.say("RecordTreatmentIntent", date=TREATED)
    assert counting.calls[2:] == ["household", "get", "update"]
    for intent in ("SunIntent", "MakeupIntent", "ProgressIntent", "ResultsIntent"):
        patient.say(intent)
    # Every answer reads the record afresh: another device may have changed it.
    assert counting.calls[5:] == ["household", "get"] * 4
    patient.say("RecordTreatmentIntent", date=TREATED)  # the same date again: no write
    patient.say("AftercareIntent")  # needs no record, and the notice is known heard: no read
    assert counting.calls[13:] == ["household", "get"]


def test_the_correct_date_once_given_is_not_asked_for_again(patient):
    treated(patient)
    assert "correct date" in patient.say("CorrectTreatmentIntent").text  # "that date is wrong"
    reply = patient.say("CorrectTreatmentIntent", date="2026-11-20")
    assert "I've corrected it" in reply.text and "correct date of your treatment?" not in reply.text
