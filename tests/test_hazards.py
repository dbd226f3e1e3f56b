"""The hazard log's cases (docs/SAFETY.md), each as real request envelopes through
lambda_handler, on SQLite and on DynamoDB Local. Every test names its hazard."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest

from laser_recovery.config import Settings
from laser_recovery.skill import lambda_handler_for
from laser_recovery.store import Change, StoreError, patient_id
from tests.alexa import LOOPBACK_API, SKILL_ID, Conversation, Reply

LA = "America/Los_Angeles"
NOW = "2026-11-24T18:00:00Z"  # Tuesday, 10 a.m. in Los Angeles


# Every hazard is checked in every English locale the skill publishes (issue 11).
@pytest.fixture(params=["en-US", "en-GB", "en-CA", "en-AU", "en-IN"])
def patient(request, handler, api) -> Conversation:
    talk = Conversation(handler, api_endpoint=api.url, now=NOW, locale=request.param)
    api.zones[talk.device_id] = LA
    return talk


def dates(store, talk: Conversation) -> tuple[date, ...]:
    record = store.get(patient_id(talk.user_id, talk.person_id))
    return record.treatments if record else ()


def says_yes(reply: Reply) -> bool:
    return any(sentence.strip().startswith("Yes") for sentence in reply.text.split(". "))


def seed(store, talk: Conversation, *days: date) -> None:
    for day in days:
        store.update(patient_id(talk.user_id, talk.person_id), Change(add=day, welcome=True))


# -- H1: a pending question never swallows an answer of another kind --------------------


def test_h1_a_treatment_told_while_the_day_is_awaited_is_recorded_and_the_question_asked_again(patient, store):
    seed(store, patient, date(2026, 3, 1))
    patient.launch()
    assert "Which day" in patient.say("SunIntent", date="2026-W52").text
    reply = patient.say("RecordTreatmentIntent", date="2026-11-12")
    assert "20261112" in reply.ssml and not says_yes(reply)
    assert reply.text.endswith("Which day do you mean? Please say a date, like December twentieth.")
    assert reply.directives[0]["updatedIntent"]["name"] == "SunIntent"
    assert date(2026, 11, 12) in dates(store, patient)
    # Days later, the sun answer rests on the newest treatment, not the older one.
    patient.hang_up()
    patient.now = "2026-11-28T18:00:00Z"
    assert patient.say("SunIntent").text.startswith("Not yet")


def test_h1_forgetting_while_a_date_is_awaited_is_a_request_to_forget(patient, store):
    seed(store, patient, date(2026, 3, 1))
    patient.launch()
    patient.say("CorrectTreatmentIntent")  # "What's the correct date?"
    reply = patient.say("ForgetIntent")
    assert "delete every treatment date" in reply.text
    assert "deleted everything" in patient.say("AMAZON.YesIntent").text
    assert dates(store, patient) == ()


def test_h1_a_date_told_while_deletion_is_awaited_is_recorded_not_deleted(patient, store):
    seed(store, patient, date(2026, 3, 1))
    patient.launch()
    patient.say("ForgetIntent")
    reply = patient.say("RecordTreatmentIntent", date="2026-11-12")
    assert "20261112" in reply.ssml
    assert "I'm not sure what that answers" in patient.say("AMAZON.YesIntent").text  # nothing pending
    assert dates(store, patient) == (date(2026, 3, 1), date(2026, 11, 12))


def test_h1_an_expectation_lapses_at_the_first_turn_that_does_not_answer_it(patient, store):
    seed(store, patient, date(2026, 3, 1))
    patient.launch()
    patient.say("ForgetIntent")
    patient.say("AftercareIntent")
    patient.say("AMAZON.NoIntent")  # stops the reading; not an answer to "delete?"
    assert "I'm not sure what that answers" in patient.say("AMAZON.YesIntent").text
    assert dates(store, patient) == (date(2026, 3, 1),)


# -- H2: a correction never silently drops or moves back the newest treatment ------------


def test_h2_a_correction_that_would_move_the_newest_back_asks_which_one(patient, store):
    seed(store, patient, date(2026, 5, 4), date(2026, 11, 9))
    patient.launch()  # a new session: nothing said in it yet
    reply = patient.say("CorrectTreatmentIntent", date="2026-10-20")
    assert "Which one should I change" in reply.text
    assert "20260504" in reply.ssml and "20261109" in reply.ssml
    assert reply.directives[0]["updatedIntent"]["name"] == "ChooseTreatmentIntent"
    assert dates(store, patient) == (date(2026, 5, 4), date(2026, 11, 9))  # nothing changed yet
    reply = patient.say("ChooseTreatmentIntent", dialog_state="IN_PROGRESS", date="2027-05-04")
    assert "changed your treatment on" in reply.text
    assert dates(store, patient) == (date(2026, 10, 20), date(2026, 11, 9))


def test_h2_choosing_the_newest_replaces_it_and_no_keeps_everything(patient, store):
    seed(store, patient, date(2026, 5, 4), date(2026, 11, 9))
    patient.launch()
    patient.say("CorrectTreatmentIntent", date="2026-10-20")
    reply = patient.say("ChooseTreatmentIntent", date="2026-12-25")  # not one of them
    assert "I don't have a treatment on that day" in reply.text and "Which one" in reply.text
    patient.say("ChooseTreatmentIntent", date="2026-11-09")
    assert dates(store, patient) == (date(2026, 5, 4), date(2026, 10, 20))
    patient.say("CorrectTreatmentIntent", date="2026-09-01")
    assert "haven't changed anything" in patient.say("AMAZON.NoIntent").text
    assert dates(store, patient) == (date(2026, 5, 4), date(2026, 10, 20))


def test_h2_a_correction_of_the_date_just_told_needs_no_question(patient, store):
    seed(store, patient, date(2026, 11, 9))
    patient.launch()
    patient.say("RecordTreatmentIntent", date="2026-05-04")  # an older one, said in this session
    reply = patient.say("CorrectTreatmentIntent", date="2026-05-06")
    # Which of the two changed is said (found by the eighth review: "I've corrected it" alone
    # left the patient thinking it was the newest).
    assert "changed your treatment on" in reply.text and "20260504" in reply.ssml and "20260506" in reply.ssml
    assert dates(store, patient) == (date(2026, 5, 6), date(2026, 11, 9))


def test_h2_moving_a_date_later_or_correcting_the_only_one_needs_no_question(patient, store):
    seed(store, patient, date(2026, 5, 4), date(2026, 11, 9))
    patient.launch()
    assert "changed your treatment on" in patient.say("CorrectTreatmentIntent", date="2026-11-12").text
    assert dates(store, patient) == (date(2026, 5, 4), date(2026, 11, 12))
    other = Conversation(patient.handler, api_endpoint=patient.api_endpoint, now=NOW)
    seed(store, other, date(2026, 11, 9))
    other.launch()
    assert "corrected" in other.say("CorrectTreatmentIntent", date="2026-10-01").text
    assert dates(store, other) == (date(2026, 10, 1),)


# -- H3: a changed date says when it turns around an answer already heard ----------------


def test_h3_a_correction_that_turns_a_yes_into_not_yet_says_so(patient, store):
    patient.launch()
    patient.say("RecordTreatmentIntent", date="2026-08-01")
    assert patient.say("SunIntent").text.startswith("Yes")
    assert patient.say("MakeupIntent").text.startswith("The minimum of a week")
    reply = patient.say("CorrectTreatmentIntent", date="2026-11-20")
    assert "That changes my earlier answer: Not yet" in reply.text
    assert reply.text.count("That changes my earlier answer") == 2  # the sun and the makeup
    assert not says_yes(reply)


def test_h3_an_unchanged_verdict_is_not_repeated(patient):
    patient.launch()
    patient.say("RecordTreatmentIntent", date="2026-11-01")
    patient.say("SunIntent")
    reply = patient.say("CorrectTreatmentIntent", date="2026-11-02")
    assert "earlier answer" not in reply.text


# -- H4: a date still to come never becomes a "yes" unseen --------------------------------


@pytest.mark.parametrize(
    ("said", "moved_to", "intent"),
    [
        ("2026-12-12", "20251212", "SunIntent"),  # "December 12th" on November 24: a year back
        ("2026-12-12", "20251212", "MakeupIntent"),
        ("2027-10-03", "20261003", "SunIntent"),  # "October 3rd", yearless: 52 days, no yes due
    ],
)
def test_h4_a_moved_date_is_confirmed_before_any_yes(patient, store, said, moved_to, intent):
    first = patient.say(intent)
    assert "need the date" in first.text
    reply = patient.say("RecordTreatmentIntent", dialog_state="IN_PROGRESS", date=said)
    assert moved_to in reply.ssml and not says_yes(reply)
    if said == "2027-10-03":  # no yes would follow: said back and answered in one step
        assert "I took the one that has gone by, not the one coming up" in reply.text
        return
    assert "Just to check: was your treatment last year" in reply.text and reply.ends is False
    record = store.get(patient_id(patient.user_id))
    assert record.unconfirmed == (record.latest,)  # stored, but nothing rests on it yet
    confirmed = patient.say("AMAZON.YesIntent")
    assert "Thank you" in confirmed.text and "20251212" in confirmed.ssml
    if intent == "SunIntent":
        assert says_yes(confirmed)
    else:
        assert "minimum of a week" in confirmed.text
    assert store.get(patient_id(patient.user_id)).unconfirmed == ()


def test_h4_a_moved_date_in_this_calendar_year_is_not_called_last_years(patient, store):
    patient.say("SunIntent")
    reply = patient.say("RecordTreatmentIntent", date="2027-09-01")  # "September 1st": 84 days ago
    assert reply.text.startswith("Just to check: was your treatment on Tuesday, 20260901, 84 days ago?")
    assert "last year" not in reply.text and not says_yes(reply)


def test_h4_no_to_a_moved_date_takes_it_off_and_asks_again(patient, store):
    patient.say("SunIntent")
    patient.say("RecordTreatmentIntent", date="2026-12-12")
    reply = patient.say("AMAZON.NoIntent")
    assert "taken that date off" in reply.text and reply.directives
    assert dates(store, patient) == ()
    reply = patient.say("RecordTreatmentIntent", dialog_state="IN_PROGRESS", date="2026-11-12")
    assert "20261112" in reply.ssml and reply.text.count("Not yet") == 1  # the sun question, answered


def test_h4_a_corrected_date_in_place_of_a_yes_replaces_the_moved_one(patient, store):
    patient.say("SunIntent")
    patient.say("RecordTreatmentIntent", date="2026-12-12")
    reply = patient.say("CorrectTreatmentIntent", date="2026-11-12")
    assert "corrected" in reply.text and reply.text.count("Not yet") == 1
    assert dates(store, patient) == (date(2026, 11, 12),)


def test_h4_anything_else_asked_before_confirming_hears_the_question_again(patient, store):
    patient.say("SunIntent")
    patient.say("RecordTreatmentIntent", date="2026-12-12")
    for intent in ("MakeupIntent", "ProgressIntent", "SunDurationIntent"):
        reply = patient.say(intent)
        assert reply.text.startswith("Just to check") and not says_yes(reply), intent
    patient.hang_up()  # and in a later session, and as a one-shot
    reply = patient.say("SunIntent")
    assert reply.text.startswith("Just to check") and not says_yes(reply)
    assert says_yes(patient.say("AMAZON.YesIntent"))


def test_h4_a_moved_date_said_back_and_left_standing_needs_no_second_question(patient):
    reply = patient.say("RecordTreatmentIntent", date="2027-10-03")  # "October 3rd": 52 days ago
    assert "20261003" in reply.ssml and "the one that has gone by" in reply.text and not says_yes(reply)
    patient.hang_up()
    patient.now = "2026-11-28T18:00:00Z"  # day 56
    reply = patient.say("SunIntent")
    assert says_yes(reply) and "20261003" in reply.ssml  # the yes names the date it rests on


def test_h4_an_appointment_told_in_advance_is_checked_before_it_counts(patient, store):
    # "My treatment date is December 12th", said on December 1st about an appointment.
    patient.now = "2026-12-01T15:00:00Z"
    reply = patient.say("RecordTreatmentIntent", date="2026-12-12")
    assert reply.text.endswith("Just to check: was your treatment last year, on Friday, 20251212?")
    assert not says_yes(reply) and reply.ends is False
    assert "taken that date off" in patient.say("AMAZON.NoIntent").text
    assert dates(store, patient) == ()
    patient.hang_up()
    patient.now = "2026-12-20T15:00:00Z"
    assert "need the date" in patient.say("SunIntent").text  # no yes from a year-old phantom


def test_h4_a_weekday_that_arrived_as_next_weeks_is_confirmed_before_a_yes(patient, store):
    seed(store, patient, date(2025, 1, 1))  # an old treatment: "yes" on its own
    patient.launch()
    assert says_yes(patient.say("SunIntent"))
    reply = patient.say("CorrectTreatmentIntent", date="2026-11-30")  # "Monday": last week's?
    assert "Just to check: was your treatment on Monday" in reply.text and not says_yes(reply)
    assert "earlier answer that it's fine no longer stands" in reply.text  # the "yes" is taken back now
    assert dates(store, patient) == (date(2025, 1, 1), date(2026, 11, 23))  # the old one stays till yes
    reply = patient.say("AMAZON.YesIntent")
    assert "20261123" in reply.ssml and "Not yet" in reply.text  # and answered again once the date stands
    assert dates(store, patient) == (date(2026, 11, 23),)


def test_h4_a_date_more_than_a_year_ahead_is_refused_and_never_a_negative_day(patient, store):
    patient.say("SunIntent")
    reply = patient.say("RecordTreatmentIntent", date="2028-03-01")
    assert "still to come" in reply.text and reply.directives and dates(store, patient) == ()
    reply = patient.say("RecordTreatmentIntent", date="PRESENT_REF")
    assert "today" in reply.text and not re.search(r"-\d", reply.text)


# -- H5: an unknown time zone never gives an early yes -----------------------------------


@pytest.mark.parametrize("behaviour", ["failing", "hang", "trickle"])
def test_h5_without_the_device_zone_a_yes_waits_for_the_last_zone_on_earth(handler, api, behaviour):
    api.behaviour = behaviour
    api.stall, api.trickle_gap = 3.0, 0.4
    talk = Conversation(handler, api_endpoint=api.url, now="2026-11-28T11:00:00Z")
    talk.say("RecordTreatmentIntent", date="2026-10-03")
    talk.hang_up()
    # Day 56 everywhere east of UTC-12 at 11:00 UTC, but still day 55 in UTC-12.
    assert talk.say("SunIntent").text.startswith("Not yet")
    talk.hang_up()
    talk.now = "2026-11-28T12:00:00Z"  # midnight in UTC-12: day 56 everywhere
    assert talk.say("SunIntent").text.startswith("Yes")


@pytest.mark.parametrize("behaviour", ["hang", "slow_headers"])
def test_h5_a_hanging_settings_api_still_lets_the_turn_answer(handler, api, behaviour):
    api.behaviour = behaviour
    api.stall, api.trickle_gap = 8.0, 0.1
    talk = Conversation(handler, api_endpoint=api.url)
    replies: list[Reply] = []
    worker = threading.Thread(target=lambda: replies.append(talk.say("RecordTreatmentIntent", date="2026-10-03")))
    worker.start()
    worker.join(timeout=7)  # Lambda's own limit: the turn must have answered by then
    assert not worker.is_alive() and "20261003" in replies[0].ssml


def test_h5_only_alexas_api_hosts_are_ever_called(store, api):
    strict = lambda_handler_for(Settings(skill_id=SKILL_ID), store=store)  # Alexa's hosts only
    talk = Conversation(strict, api_endpoint=api.url)
    api.zones[talk.device_id] = LA
    talk.say("RecordTreatmentIntent", date="2026-10-03")
    sneaky = Conversation(handler_with_loopback(store), api_endpoint=api.url.replace("https://", "https://user:pw@"))
    sneaky.say("SunIntent")
    assert api.calls == 0


def handler_with_loopback(store):
    return lambda_handler_for(Settings(skill_id=SKILL_ID, alexa_api_hosts=LOOPBACK_API), store=store)


def test_h5_today_said_in_sydney_with_an_unknown_zone_is_not_moved_a_week_back(handler, api):
    api.behaviour = "failing"
    talk = Conversation(handler, api_endpoint=api.url, now="2026-11-24T22:00:00Z")  # 9 a.m. on the 25th
    reply = talk.say("RecordTreatmentIntent", date="2026-11-25")  # "today", as Alexa resolved it
    assert "20261125" in reply.ssml and "last week" not in reply.text and "today" in reply.text


def test_h5_a_remembered_zone_reads_the_patients_dates(handler, api, store):
    la = Conversation(handler, api_endpoint=api.url, now=NOW)
    api.zones[la.device_id] = LA
    la.say("RecordTreatmentIntent", date="2026-09-01")  # the zone is remembered with the record
    la.hang_up()
    api.behaviour = "failing"
    la.now = "2026-11-25T06:00:00Z"  # 10 p.m. on Tuesday the 24th in Los Angeles
    reply = la.say("RecordTreatmentIntent", date="2026-11-25")  # "Wednesday": Alexa's coming one
    # Read in the remembered zone, the Wednesday is still to come there: last week's, checked.
    assert "Just to check" in reply.text and "20261118" in reply.ssml


def test_h5_a_remembered_zone_never_brings_a_yes_forward(handler, api, store):
    # Found by review: the device moved (or its setting changed) and the API then failed.
    home = Conversation(handler, api_endpoint=api.url, now="2026-10-03T18:00:00Z")
    api.zones[home.device_id] = "Pacific/Auckland"
    home.say("RecordTreatmentIntent", date="2026-10-04")  # already the 4th in Auckland
    home.hang_up()
    api.behaviour = "failing"
    home.now = "2026-11-29T10:00:00Z"  # day 56 in Auckland, day 55 in Los Angeles
    assert home.say("SunIntent").text.startswith("Not yet")
    home.hang_up()
    home.now = "2026-11-29T12:00:00Z"  # midnight in UTC-12: day 56 everywhere
    assert home.say("SunIntent").text.startswith("Yes")
    api.behaviour = "up"
    home.hang_up()
    home.now = "2026-11-29T10:00:00Z"  # the device says Auckland again, this session
    assert home.say("SunIntent").text.startswith("Yes")


# -- H6: two people in one session never hear each other's answers -----------------------


def test_h6_a_second_voice_in_the_same_session_does_not_get_the_first_ones_record(handler, api, store):
    alex = Conversation(handler, api_endpoint=api.url, person_id="amzn1.ask.person.ALEX")
    alex.launch()
    alex.say("RecordTreatmentIntent", date="2026-08-01")
    assert alex.say("SunIntent").text.startswith("Yes")
    sam = Conversation(
        handler,
        api_endpoint=api.url,
        user_id=alex.user_id,
        device_id=alex.device_id,
        person_id="amzn1.ask.person.SAM",
        attributes=alex.attributes,
    )
    reply = sam.say("SunIntent")
    assert "need the date" in reply.text and "20260801" not in reply.ssml


def test_h6_a_question_left_waiting_by_one_voice_is_not_answered_by_another(handler, api, store):
    alex = Conversation(handler, api_endpoint=api.url, person_id="amzn1.ask.person.ALEX")
    alex.launch()
    alex.say("SunIntent")  # "When did you have it?"
    sam = Conversation(
        handler,
        api_endpoint=api.url,
        user_id=alex.user_id,
        device_id=alex.device_id,
        person_id="amzn1.ask.person.SAM",
        attributes=alex.attributes,
    )
    reply = sam.say("RecordTreatmentIntent", date="2026-08-01")
    assert "20260801" in reply.ssml and not says_yes(reply)  # Sam's date, and no answer for Alex
    assert dates(store, alex) == () and dates(store, sam) == (date(2026, 8, 1),)


# -- H7: tanning and sunbeds are never cleared ----------------------------------------------


def test_h7_tanning_and_sunbeds_are_for_the_specialist_even_after_eight_weeks(patient):
    patient.say("RecordTreatmentIntent", date="2026-01-01")
    reply = patient.say("TanningIntent")
    assert "doesn't cover tanning or sunbeds" in reply.text and "specialist" in reply.text
    assert not says_yes(reply)


# -- H8: wording that never over-promises -------------------------------------------------


def test_h8_the_notice_reaches_a_patient_who_first_arrives_with_a_one_shot(patient):
    first = patient.say("AftercareIntent")
    assert "doesn't replace your specialist's advice" in first.text
    patient.hang_up()
    assert "doesn't replace" not in patient.say("RednessIntent").text


def test_h8_makeup_after_a_week_is_a_minimum_not_a_clearance(patient):
    patient.say("RecordTreatmentIntent", date="2026-11-10")
    reply = patient.say("MakeupIntent")
    assert "a week or more, until the risk of complications passes" in reply.text
    assert "check with your specialist" in reply.text and not says_yes(reply)


def test_h8_results_reduce_scars_never_remove_them(patient):
    patient.say("RecordTreatmentIntent", date="2026-10-01")
    facts = patient.say("FactsIntent", topic="removal", resolved={"topic": "removal"})
    for reply in (patient.say("ResultsIntent"), facts):
        assert "reduce" in reply.text
        assert "much less noticeable" not in reply.text
        assert "removes" not in reply.text.replace("doesn't remove", "")


# -- H9: symptoms, late redness and a forgotten date -----------------------------------------


def test_h9_a_symptom_report_goes_to_the_specialist_promptly(patient):
    reply = patient.say("SymptomIntent")
    assert "I can't assess that" in reply.text and "contact your specialist or clinic promptly" in reply.text


def test_h9_redness_long_after_the_treatment_is_worth_a_check(patient):
    patient.say("RecordTreatmentIntent", date="2026-08-01")
    reply = patient.say("RednessIntent")
    assert "worth checking with your specialist" in reply.text and "16 weeks" in reply.text


def test_h9_peeling_is_answered_from_the_article(patient):
    assert "top layer of the scar peels off" in patient.say("PeelingIntent").text


def test_h9_not_remembering_the_date_gets_the_general_rule_not_a_loop(patient):
    patient.launch()
    patient.say("SunIntent")
    reply = patient.say("UnsureIntent")
    assert "6 to 8 weeks" in reply.text and "clinic will have your treatment date" in reply.text
    assert reply.ends is False and not reply.directives
    assert "I'm not sure what that answers" in patient.say("AMAZON.YesIntent").text


# -- H10: a date changed on another device is the one every answer rests on (found by the oracle)


def test_h10_a_correction_on_another_device_reaches_a_session_already_open(handler, api, store):
    kitchen = Conversation(handler, api_endpoint=api.url, now="2026-11-28T18:00:00Z")
    bedroom = Conversation(handler, api_endpoint=api.url, user_id=kitchen.user_id, now=kitchen.now)
    api.zones[kitchen.device_id] = api.zones[bedroom.device_id] = LA
    kitchen.launch()
    kitchen.say("RecordTreatmentIntent", date="2026-10-01")
    assert kitchen.say("SunIntent").text.startswith("Yes")  # day 58
    bedroom.launch()
    bedroom.say("CorrectTreatmentIntent", date="2026-10-20")  # day 39
    reply = kitchen.say("SunIntent")  # the kitchen's session is still open
    assert reply.text.startswith("Not yet") and "20261020" in reply.ssml


def test_h6_a_second_voice_asking_to_repeat_does_not_hear_the_first_ones_dates(handler, api):
    alex = Conversation(handler, api_endpoint=api.url, person_id="amzn1.ask.person.ALEX")
    alex.launch()
    alex.say("RecordTreatmentIntent", date="2026-08-01")
    sam = Conversation(
        handler,
        api_endpoint=api.url,
        user_id=alex.user_id,
        device_id=alex.device_id,
        person_id="amzn1.ask.person.SAM",
        attributes=alex.attributes,
    )
    reply = sam.say("AMAZON.RepeatIntent")
    assert "nothing to repeat" in reply.text and "20260801" not in reply.ssml


# -- found by a reviewer trying the running skill as a patient ------------------------------


def test_h2_another_treatment_told_while_a_correction_is_awaited_is_added_not_swapped(patient, store):
    seed(store, patient, date(2026, 11, 10))
    patient.launch()
    assert "correct date" in patient.say("CorrectTreatmentIntent").text
    reply = patient.say("RecordTreatmentIntent", date="2026-09-01")  # "I had another treatment on ..."
    assert "I've added your treatment" in reply.text
    assert reply.text.endswith("What's the correct date of your treatment?")
    assert dates(store, patient) == (date(2026, 9, 1), date(2026, 11, 10))
    # November 10th was called wrong and no right date given: it is asked for before any answer.
    asked = patient.say("SunIntent")
    assert "wasn't on" in asked.text and "20261110" in asked.ssml and "correct date" in asked.text


def test_h6_an_unrecognised_voice_gets_no_yes_from_a_household_with_its_own_records(handler, api, store):
    shared = Conversation(handler, api_endpoint=api.url, now="2026-11-25T18:00:00Z")
    shared.say("RecordTreatmentIntent", date="2026-09-01")  # someone without a voice profile
    alex = Conversation(
        handler,
        api_endpoint=api.url,
        user_id=shared.user_id,
        device_id=shared.device_id,
        person_id="amzn1.ask.person.ALEX",
        now=shared.now,
    )
    alex.say("RecordTreatmentIntent", date="2026-11-10")
    alex.person_id = None  # the next day, Alexa does not recognise Alex
    alex.now = "2026-11-26T18:00:00Z"
    reply = alex.say("SunIntent")
    assert "didn't recognise your voice" in reply.text and not says_yes(reply)


def test_h4_a_treatment_told_without_a_date_blocks_any_yes_until_dated(patient, store):
    seed(store, patient, date(2026, 9, 1))
    patient.launch()
    assert "Which day that week" in patient.say("RecordTreatmentIntent", date="2026-W47").text
    assert "6 to 8 weeks" in patient.say("UnsureIntent").text  # "I don't remember"
    reply = patient.say("SunIntent")
    assert "another treatment, but not when it was" in reply.text and not says_yes(reply)
    patient.hang_up()
    reply = patient.say("SunIntent")  # a later session: still asked, never a yes from September
    assert "another treatment" in reply.text and not says_yes(reply)
    reply = patient.say("RecordTreatmentIntent", dialog_state="IN_PROGRESS", date="2026-11-18")
    assert reply.text.count("Not yet") == 1  # dated: the waiting question answered from it
    assert store.get(patient_id(patient.user_id)).undated is None


def test_h4_help_in_the_middle_of_a_question_keeps_it_open(patient):
    patient.launch()
    patient.say("SunIntent")
    reply = patient.say("AMAZON.HelpIntent")
    assert "answer my question" in reply.text and "date of your treatment" in reply.text
    assert reply.directives and reply.directives[0]["updatedIntent"]["name"] == "RecordTreatmentIntent"
    reply = patient.say("RecordTreatmentIntent", dialog_state="IN_PROGRESS", date="2026-10-03")
    assert reply.text.count("Not yet") == 1


def test_h4_a_progress_question_waiting_for_a_moved_old_date_asks_first(patient):
    patient.say("ProgressIntent")
    reply = patient.say("RecordTreatmentIntent", date="2026-12-12")
    assert "Just to check" in reply.text and "every milestone" not in reply.text


def test_h4_the_same_moved_date_said_again_says_how_to_name_another_year(patient):
    patient.say("RecordTreatmentIntent", date="2026-11-28")  # "November 28th": moved a week back
    reply = patient.say("CorrectTreatmentIntent", date="2026-11-28")  # "no, it was November 28th"
    assert "say the date with its year" in reply.text and "Just to check" in reply.text
    reply = patient.say("CorrectTreatmentIntent", date="2025-11-28")  # with the year: out of the loop
    assert "20251128" in reply.ssml and "corrected" in reply.text


def test_h3_a_yes_about_a_named_day_is_taken_back_when_the_date_changes(patient):
    patient.launch()
    patient.say("RecordTreatmentIntent", date="2026-10-20")
    assert patient.say("SunIntent", date="2026-12-20").text.startswith("Yes. By")
    reply = patient.say("CorrectTreatmentIntent", date="2026-11-10")
    assert "That changes my earlier answer: Not yet. On Sunday" in reply.text


def test_h3_another_voice_between_does_not_erase_the_first_ones_answers(handler, api):
    alex = Conversation(handler, api_endpoint=api.url, person_id="amzn1.ask.person.ALEX", now=NOW)
    alex.launch()
    alex.say("RecordTreatmentIntent", date="2026-09-01")
    assert alex.say("SunIntent").text.startswith("Yes")
    sam = Conversation(
        handler,
        api_endpoint=api.url,
        user_id=alex.user_id,
        device_id=alex.device_id,
        person_id="amzn1.ask.person.SAM",
        attributes=alex.attributes,
        now=NOW,
    )
    sam.say("TanningIntent")
    alex.attributes = sam.attributes
    reply = alex.say("CorrectTreatmentIntent", date="2026-11-10")
    assert "That changes my earlier answer: Not yet" in reply.text


def test_h5_a_day_asked_about_with_an_unknown_zone_is_answered_for_that_day(handler, api):
    api.behaviour = "failing"
    talk = Conversation(handler, api_endpoint=api.url, now="2026-11-25T02:00:00Z")  # LA Tuesday evening
    talk.say("RecordTreatmentIntent", date="2026-09-30")  # day 56 falls on November 25th
    reply = talk.say("SunIntent", date="2026-11-25")
    assert reply.text.startswith("Yes. By Wednesday")


def test_h1_a_question_does_not_outlive_a_turn_that_failed(store, api):
    """Found by review: "delete everything?", then a store failure, then "yes" two turns on."""

    class FailingOnce:
        def __init__(self, inner) -> None:
            self.inner, self.fail = inner, False

        def __getattr__(self, name: str):
            def call(*args):
                if self.fail:
                    self.fail = False
                    raise StoreError("embedded store: OperationalError")
                return getattr(self.inner, name)(*args)

            return call

    flaky = FailingOnce(store)
    talk = Conversation(lambda_handler_for(Settings(skill_id=SKILL_ID), store=flaky))
    talk.say("RecordTreatmentIntent", date="2026-10-03")
    talk.launch()
    assert "delete every treatment date" in talk.say("ForgetIntent").text
    flaky.fail = True
    assert "can't reach your saved details" in talk.say("SunIntent").text
    assert "I'm not sure what that answers" in talk.say("AMAZON.YesIntent").text
    assert dates(store, talk) == (date(2026, 10, 3),)


@pytest.mark.parametrize(
    "forged",
    [
        {"heard": {"tan": {"verdict": "safe", "turn": 1, "intent": "NoSuchIntent", "on": None}}},
        {"expecting": {"kind": "Reading", "topic": "welcome", "position": 0}, "since": 1},
        {"expecting": {"kind": "DayWanted", "question": {"intent": "X", "on": None}}, "since": 1},
        {
            "expecting": {"kind": "ConfirmationWanted", "day": "0001-01-01", "moved": "year", "question": None},
            "since": 1,
        },
        {"last": {"speech": "<speak>x</speak>", "reprompt": "<speak>x</speak>", "elicit": ["Bogus", "date"]}},
    ],
)
def test_h12_session_values_the_skill_never_wrote_start_a_fresh_state(patient, store, forged):
    """Found by review: forged session values broke every later turn, or stored year 1."""
    patient.launch()
    owner = next(iter(patient.attributes["conversation"]["people"]))
    patient.attributes["conversation"]["people"][owner].update(forged)
    for intent in ("AMAZON.YesIntent", "AMAZON.RepeatIntent", "AMAZON.NextIntent", "SunIntent"):
        reply = patient.say(intent)
        assert "something went wrong" not in reply.text, (intent, reply.text)
    assert dates(store, patient) == ()


def test_h12_a_huge_turn_number_is_not_carried_on(patient):
    patient.launch()
    patient.attributes["conversation"]["turn"] = 10**400
    reply = patient.say("SunIntent")
    assert "something went wrong" not in reply.text and reply.session["conversation"]["turn"] < 10


def test_h12_logs_at_debug_carry_no_ids_tokens_or_dates(patient, api, caplog):
    caplog.set_level("DEBUG")
    patient.person_id = "amzn1.ask.person.SECRETPERSON"
    patient.launch()
    patient.say("RecordTreatmentIntent", date="2026-10-03")
    patient.say("SunIntent")
    patient.say("CorrectTreatmentIntent", date="2026-10-05")
    api.behaviour = "failing"
    patient.hang_up()
    patient.say("ProgressIntent")
    logged = caplog.text
    for secret in (patient.user_id, patient.device_id, "SECRETPERSON", "test-token", "2026-10", "20261003"):
        assert secret not in logged, secret


# -- found by a second review of the running skill -----------------------------------------


def test_h2_a_correction_waiting_for_its_check_keeps_the_date_it_would_replace(patient, store):
    seed(store, patient, date(2026, 9, 1), date(2026, 11, 9))
    patient.launch()
    patient.say("CorrectTreatmentIntent", date="2026-12-12")  # a rescheduled session, said in advance
    reply = patient.say("ChooseTreatmentIntent", date="2026-11-09")
    assert "Just to check: was your treatment last year" in reply.text
    assert date(2026, 11, 9) in dates(store, patient)  # nothing taken away before the answer
    patient.say("AMAZON.NoIntent")
    assert dates(store, patient) == (date(2026, 9, 1), date(2026, 11, 9))
    patient.hang_up()
    # November 9th, the newest, was the one being corrected: checked before it answers again.
    asked = patient.say("SunIntent")
    assert asked.text.startswith("Just to check") and "20261109" in asked.ssml
    assert patient.say("AMAZON.YesIntent").text.count("Not yet") == 1


def test_h2_a_confirmed_correction_replaces_the_date_it_was_for(patient, store):
    seed(store, patient, date(2026, 11, 9))
    patient.launch()
    assert "Just to check" in patient.say("CorrectTreatmentIntent", date="2026-12-12").text
    patient.say("AMAZON.YesIntent")
    assert dates(store, patient) == (date(2025, 12, 12),)


def test_h13_the_undated_treatment_is_not_dated_by_restating_or_correcting_an_old_one(patient, store):
    seed(store, patient, date(2026, 10, 3))
    patient.launch()
    patient.say("RecordTreatmentIntent")  # "I had another treatment"
    patient.say("UnsureIntent")
    patient.hang_up()
    # Which treatment "it" is can't be known while one has no date: nothing changes (review 3).
    assert "haven't changed anything" in patient.say("CorrectTreatmentIntent", date="2026-10-01").text
    patient.hang_up()
    patient.say("RecordTreatmentIntent", date="2026-10-03")  # the old one, said again
    patient.hang_up()
    assert store.get(patient_id(patient.user_id)).undated is not None
    assert dates(store, patient) == (date(2026, 10, 3),)
    reply = patient.say("SunIntent")
    assert "another treatment, but not when it was" in reply.text and not says_yes(reply)


def test_h5_now_with_an_unknown_zone_is_counted_from_the_earliest_date(handler, api):
    api.behaviour = "failing"
    talk = Conversation(handler, api_endpoint=api.url, now="2026-11-25T02:00:00Z")  # day 55 in LA
    talk.say("RecordTreatmentIntent", date="2026-09-30")
    assert talk.say("SunIntent", date="PRESENT_REF").text.startswith("Not yet")


def test_h4_a_rough_duration_asks_for_the_day_and_a_counted_one_is_checked(patient, store):
    patient.say("SunIntent")
    reply = patient.say("RecordTreatmentIntent", duration="P2M")  # "about two months ago"
    assert "exact day" in reply.text and dates(store, patient) == ()
    reply = patient.say("RecordTreatmentIntent", duration="P8W")  # "about eight weeks ago"
    assert "Just to check" in reply.text and not says_yes(reply)


def test_h10_repeat_does_not_replay_an_answer_the_dates_no_longer_support(handler, api):
    kitchen = Conversation(handler, api_endpoint=api.url, now=NOW)
    bedroom = Conversation(handler, api_endpoint=api.url, user_id=kitchen.user_id, now=NOW)
    kitchen.launch()
    kitchen.say("RecordTreatmentIntent", date="2026-08-01")
    assert says_yes(kitchen.say("SunIntent"))
    bedroom.say("RecordTreatmentIntent", date="2026-11-20")
    reply = kitchen.say("AMAZON.RepeatIntent")
    assert "changed since I said that" in reply.text and not says_yes(reply)


def test_h3_an_all_clear_on_progress_is_taken_back_too(patient):
    patient.launch()
    patient.say("RecordTreatmentIntent", date="2026-08-01")
    assert "past every milestone" in patient.say("ProgressIntent").text
    reply = patient.say("RecordTreatmentIntent", date="2026-11-22")
    assert "That changes my earlier answer: Today is day 2" in reply.text


def test_h6_a_household_member_with_no_dates_does_not_block_the_shared_record(handler, api):
    shared = Conversation(handler, api_endpoint=api.url, now=NOW)
    shared.say("RecordTreatmentIntent", date="2026-08-01")
    listener = Conversation(
        handler, api_endpoint=api.url, user_id=shared.user_id, person_id="amzn1.ask.person.LISTENER", now=NOW
    )
    listener.say("AftercareIntent")  # a record with no dates: only the notice heard
    assert says_yes(shared.say("SunIntent"))


def test_h8_early_results_are_not_called_not_yet_permanent(patient):
    patient.say("RecordTreatmentIntent", date="2026-11-22")
    reply = patient.say("ResultsIntent")
    assert not reply.text.startswith("Not yet") and "permanent" in reply.text


# -- found by the third review ----------------------------------------------------------------


def test_h13_confirming_an_old_moved_date_gives_no_yes_while_a_treatment_is_undated(patient, store):
    patient.now = "2026-12-01T20:00:00Z"
    patient.launch()
    assert "Just to check" in patient.say("RecordTreatmentIntent", date="2026-12-12").text  # last year's?
    patient.say("RecordTreatmentIntent")  # "I had another treatment": no date
    patient.say("UnsureIntent")
    assert "Just to check" in patient.say("SunIntent").text
    reply = patient.say("AMAZON.YesIntent")
    assert not says_yes(reply) and "another treatment, but not when" in reply.text


def test_h13_the_undated_treatment_blocks_the_yes_that_a_confirmation_would_give(patient, store):
    patient.now = "2026-12-01T20:00:00Z"
    patient.say("RecordTreatmentIntent", date="2026-12-12")  # "December 12th": last year's, checked
    patient.hang_up()
    store.update(patient_id(patient.user_id, patient.person_id), Change(undated=date(2026, 12, 1)))
    asked = patient.say("SunIntent")
    assert "Just to check" in asked.text
    reply = patient.say("AMAZON.YesIntent")
    assert "I've kept your treatment" in reply.text and not says_yes(reply)
    assert reply.text.endswith("When did you have it?")


def test_h2_a_correction_while_a_treatment_is_undated_changes_nothing_and_asks_for_that_date(patient, store):
    patient.now = "2026-11-25T20:00:00Z"
    patient.say("RecordTreatmentIntent", date="2026-10-03")
    patient.hang_up()
    patient.say("RecordTreatmentIntent")  # another treatment, no date
    patient.hang_up()
    assert "another treatment, but not when" in patient.say("SunIntent").text
    reply = patient.say("CorrectTreatmentIntent", date="2026-09-01")
    assert "haven't changed anything" in reply.text and not says_yes(reply)
    assert dates(store, patient) == (date(2026, 10, 3),)
    dated = patient.say("RecordTreatmentIntent", date="2026-09-01")  # the answer: the other one's date
    assert dates(store, patient) == (date(2026, 9, 1), date(2026, 10, 3))
    assert "Not yet" in dated.text  # from October 3rd, the newest


def test_h13_another_treatment_whose_date_is_declined_stays_undated(patient, store):
    patient.now = "2026-11-25T20:00:00Z"  # a Wednesday
    patient.say("RecordTreatmentIntent", date="2026-09-01")
    patient.hang_up()
    asked = patient.say("RecordTreatmentIntent", date="2026-11-27")  # "another treatment on Friday"
    assert "Just to check" in asked.text
    patient.say("AMAZON.NoIntent")
    patient.say("UnsureIntent")
    reply = patient.say("SunIntent")
    assert not says_yes(reply) and "another treatment, but not when" in reply.text


def test_h4_confirming_a_correction_clears_its_check(patient, store):
    patient.now = "2026-12-01T20:00:00Z"
    patient.say("RecordTreatmentIntent", date="2026-10-03")
    asked = patient.say("CorrectTreatmentIntent", date="2027-09-01")  # "September 1st": last year's? checked
    assert "Just to check" in asked.text
    patient.say("AMAZON.YesIntent")
    record = store.get(patient_id(patient.user_id, patient.person_id))
    assert record.treatments == (date(2026, 9, 1),) and record.unconfirmed == ()
    assert "Just to check" not in patient.say("SunIntent").text


def test_h8_a_yes_about_a_coming_day_says_it_holds_only_without_another_treatment(patient):
    patient.now = "2026-11-28T07:30:00Z"  # 11:30 p.m. on the 27th in Los Angeles: day 55
    patient.say("RecordTreatmentIntent", date="2026-10-03")
    reply = patient.say("SunIntent", date="2026-11-28")
    assert reply.text.startswith("Yes. By Saturday") and "as long as you have no other treatment" in reply.text


def test_h6_the_referral_for_an_unrecognised_voice_keeps_the_general_rule(handler, api, store):
    household = Conversation(handler, api_endpoint=api.url, now="2026-12-30T18:00:00Z")
    api.zones[household.device_id] = LA
    household.say("RecordTreatmentIntent", date="2026-10-03")  # the shared record: long past 8 weeks
    household.hang_up()
    household.person_id = "amzn1.ask.person.someone"
    household.say("RecordTreatmentIntent", date="2026-12-20")  # someone else's own record
    household.hang_up()
    household.person_id = None
    text = household.say("SunDurationIntent").text
    assert "6 to 8 weeks" in text and "can't answer from the dates" in text and "Yes" not in text


# -- found by the fourth review ---------------------------------------------------------------

LATER = "2026-12-20T18:00:00Z"  # 10 a.m. in Los Angeles, day 61 after October 20th


def test_h13_a_date_awaiting_its_check_does_not_date_the_other_treatment(patient, store):
    patient.now = LATER
    patient.say("RecordTreatmentIntent", date="2026-10-20")
    patient.hang_up()
    patient.say("RecordTreatmentIntent")  # "I had another treatment"
    asked = patient.say("RecordTreatmentIntent", date="2026-12-30")  # misheard: last year's? checked
    assert "Just to check" in asked.text
    patient.say("UnsureIntent")  # "I'm not sure"
    patient.hang_up()
    reply = patient.say("SunIntent")
    assert not says_yes(reply) and "another treatment, but not when" in reply.text
    assert store.get(patient_id(patient.user_id)).undated is not None


def test_h13_confirming_the_other_treatments_date_dates_it(patient, store):
    patient.now = LATER
    patient.say("RecordTreatmentIntent", date="2026-10-20")
    patient.hang_up()
    patient.say("RecordTreatmentIntent")
    assert "Just to check" in patient.say("RecordTreatmentIntent", date="2026-12-25").text  # "Friday"
    reply = patient.say("AMAZON.YesIntent")
    assert "I've kept your treatment" in reply.text and "20261218" in reply.ssml
    assert store.get(patient_id(patient.user_id)).undated is None
    assert patient.say("SunIntent").text.startswith("Not yet")  # from December 18th


@pytest.mark.parametrize("dispute", ["no date", "a date still to check"])
def test_h2_a_date_the_patient_called_wrong_is_checked_before_anything_rests_on_it(patient, store, dispute):
    patient.now = LATER
    patient.say("RecordTreatmentIntent", date="2026-10-20")
    if dispute == "no date":
        assert "correct date" in patient.say("CorrectTreatmentIntent").text  # "that date is wrong"
        patient.say("UnsureIntent")
    else:
        assert "Just to check" in patient.say("CorrectTreatmentIntent", date="2026-12-30").text
    patient.hang_up()
    reply = patient.say("SunIntent")
    assert not says_yes(reply) and reply.text.startswith("Just to check") and "20261020" in reply.ssml
    assert not says_yes(patient.say("AMAZON.NoIntent"))
    assert date(2026, 10, 20) not in dates(store, patient)


def test_h6_repeat_never_replays_a_shared_answer_once_another_voice_has_dates(handler, api, store):
    talk = Conversation(handler, api_endpoint=api.url, now=LATER)
    api.zones[talk.device_id] = LA
    talk.launch()
    talk.say("RecordTreatmentIntent", date="2026-09-01")
    assert says_yes(talk.say("SunIntent"))
    talk.person_id = "amzn1.ask.person.P1"
    talk.say("RecordTreatmentIntent", date="2026-11-20")
    talk.person_id = None
    reply = talk.say("AMAZON.RepeatIntent")
    assert not says_yes(reply) and "didn't recognise your voice" in reply.text


def test_h6_an_unrecognised_voice_hears_no_household_date_once_another_voice_has_dates(handler, api, store):
    talk = Conversation(handler, api_endpoint=api.url, now=LATER)
    api.zones[talk.device_id] = LA
    talk.say("RecordTreatmentIntent", date="2026-09-01")
    talk.hang_up()
    talk.person_id = "amzn1.ask.person.P1"
    talk.say("RecordTreatmentIntent", date="2026-11-20")
    talk.hang_up()
    talk.person_id = None
    for intent in ("ResultsIntent", "RednessIntent", "SunIntent", "ProgressIntent"):
        reply = talk.say(intent)
        talk.hang_up()
        assert "20260901" not in reply.ssml and "didn't recognise your voice" in reply.text, intent
    # Found by review: opening the skill told this voice the shared record's day count.
    opened = talk.launch()
    assert "Today is day" not in opened.text and "20260901" not in opened.ssml and not says_yes(opened)


def test_h6_an_unrecognised_voice_among_others_neither_hears_nor_changes_household_dates(handler, api, store):
    # Found by the sixth review: telling, correcting or confirming a date said the shared
    # record's other dates back ("your most recent one, on ...", "which one should I change?",
    # "just to check: ...?", "I already have ...") and changed a record that may be another's.
    talk = Conversation(handler, api_endpoint=api.url, now=LATER)
    api.zones[talk.device_id] = LA
    shared = patient_id(talk.user_id)
    store.update(shared, Change(add=date(2026, 9, 1)))
    store.update(shared, Change(add=date(2026, 9, 20), doubt=True))  # awaiting its "yes"
    talk.person_id = "amzn1.ask.person.P1"
    talk.say("RecordTreatmentIntent", date="2026-11-20")
    talk.hang_up()
    talk.person_id = None
    before = store.get(shared)
    turns = [
        ("RecordTreatmentIntent", {"date": "2026-08-01"}),
        ("RecordTreatmentIntent", {"date": "2026-09-01"}),
        ("CorrectTreatmentIntent", {"date": "2026-08-15"}),
        ("ChooseTreatmentIntent", {"date": "2026-09-01"}),
        ("AMAZON.YesIntent", {}),
        ("AMAZON.NoIntent", {}),
        ("SunIntent", {}),
        ("AMAZON.HelpIntent", {}),
        ("AMAZON.RepeatIntent", {}),
        ("UnsureIntent", {}),
    ]
    for intent, slots in turns:
        reply = talk.say(intent, **slots)
        assert "20260901" not in reply.ssml and "20260920" not in reply.ssml, (intent, reply.text)
        assert "already" not in reply.text and "Just to check" not in reply.text, (intent, reply.text)
    after = store.get(shared)
    assert (after.treatments, after.unconfirmed, after.undated) == (before.treatments, before.unconfirmed, None)

    # A newer treatment told by that voice is not kept, but no household date gives a "yes"
    # until it is dated, even after the other member's record is gone.
    assert "can't keep or change dates" in talk.say("RecordTreatmentIntent", date="2026-11-25").text
    assert store.get(shared).treatments == before.treatments and store.get(shared).undated
    store.delete(patient_id(talk.user_id, "amzn1.ask.person.P1"))
    talk.hang_up()
    reply = talk.say("SunIntent")
    assert not says_yes(reply) and reply.text.startswith("Just to check")  # the doubtful date first
    reply = talk.say("AMAZON.YesIntent")
    assert not says_yes(reply) and reply.text.endswith("When did you have it?")


def test_h6_repeat_and_help_do_not_say_a_household_date_again_once_another_voice_has_dates(handler, api):
    # Found by make fuzz: "repeat" replayed "Just to check: was your treatment on ...?" to the
    # unrecognised voice after another voice had told its own dates in the meantime.
    talk = Conversation(handler, api_endpoint=api.url, now=LATER)
    api.zones[talk.device_id] = LA
    asked = talk.say("RecordTreatmentIntent", date="2027-01-30")  # still to come: moved back a year
    assert "Just to check" in asked.text
    talk.person_id = "amzn1.ask.person.P1"
    talk.say("RecordTreatmentIntent", date="2026-11-20")
    talk.person_id = None
    for intent in ("AMAZON.RepeatIntent", "AMAZON.HelpIntent"):
        reply = talk.say(intent)
        assert 'interpret-as="date"' not in reply.ssml, (intent, reply.text)


@pytest.mark.parametrize("told", [{"date": "2026-11-20"}, {"duration": "P4D"}])
def test_h6_a_newer_treatment_told_by_an_unrecognised_voice_stops_every_members_yes(handler, api, store, told):
    # Found by the sixth review: a member's voice, not recognised this time, told of a
    # treatment four days ago; it was not kept, and the member, recognised again, heard "yes".
    talk = Conversation(handler, api_endpoint=api.url, now=NOW)
    api.zones[talk.device_id] = LA
    talk.person_id = "amzn1.ask.person.P1"
    talk.say("RecordTreatmentIntent", date="2026-09-25")
    talk.hang_up()
    assert says_yes(talk.say("SunIntent"))
    talk.hang_up()
    talk.person_id = None  # the same person, not recognised
    assert "can't keep or change dates" in talk.say("RecordTreatmentIntent", **told).text
    talk.hang_up()
    talk.person_id = "amzn1.ask.person.P1"
    reply = talk.say("SunIntent")
    assert not says_yes(reply) and reply.text.endswith("When did you have it?")
    reply = talk.say("RecordTreatmentIntent", date="2026-11-20")
    assert not says_yes(reply) and "Not yet" in reply.text


def test_h6_an_older_treatment_told_by_an_unrecognised_voice_stops_no_yes(handler, api, store):
    talk = Conversation(handler, api_endpoint=api.url, now=NOW)
    api.zones[talk.device_id] = LA
    talk.person_id = "amzn1.ask.person.P1"
    talk.say("RecordTreatmentIntent", date="2026-09-25")
    talk.hang_up()
    talk.person_id = None
    talk.say("RecordTreatmentIntent", date="2026-08-01")  # older than every date kept
    talk.hang_up()
    talk.person_id = "amzn1.ask.person.P1"
    assert says_yes(talk.say("SunIntent"))


@pytest.mark.parametrize(
    ("question", "span", "day"),
    [
        ("SunIntent", "2026-10", "2026-11-02"),  # "October", then "November 2nd"
        ("SunIntent", "2026-10", "2026-12-08"),  # "October", then "Tuesday" (the next one, to Alexa)
        ("MakeupIntent", "2026-W48", "2026-12-02"),  # "last week", then "yesterday"
        ("SunIntent", "2026-W48", "2026-11-30"),  # "last week", then "November 30th": no yes due, checked all the same
    ],
)
def test_h4_a_day_said_outside_the_month_or_week_named_is_checked_before_a_yes(handler, api, question, span, day):
    # Found by the seventh review: the day was taken within the span as if said there
    # ("November 2nd" became October 2nd) and the same reply said "yes".
    talk = Conversation(handler, api_endpoint=api.url, now="2026-12-03T20:00:00Z")
    api.zones[talk.device_id] = LA
    talk.say(question)
    assert "Which day" in talk.say("RecordTreatmentIntent", date=span).text
    reply = talk.say("RecordTreatmentIntent", date=day)
    assert not says_yes(reply) and "has passed" not in reply.text and reply.text.startswith("Just to check")


def test_h6_an_older_date_told_unasked_does_not_date_a_newer_treatment_told_unrecognised(handler, api):
    # Found by the seventh review: the mark set by the unrecognised voice's "yesterday" was
    # lifted by an older date the member told, recognised, and the next answer was "yes".
    talk = Conversation(handler, api_endpoint=api.url, now="2026-12-03T20:00:00Z")
    api.zones[talk.device_id] = LA
    talk.person_id = "amzn1.ask.person.ALICE"
    talk.say("RecordTreatmentIntent", date="2026-09-20")
    talk.hang_up()
    talk.person_id = None
    talk.say("RecordTreatmentIntent", date="2026-12-02")
    talk.hang_up()
    talk.person_id = "amzn1.ask.person.ALICE"
    talk.say("RecordTreatmentIntent", date="2026-08-15")
    talk.hang_up()
    reply = talk.say("SunIntent")
    assert not says_yes(reply) and reply.text.endswith("When did you have it?")
    # The day before yesterday, given as the answer, dates it.
    reply = talk.say("RecordTreatmentIntent", date="2026-12-01")
    assert not says_yes(reply) and "Not yet" in reply.text


def test_h13_the_other_treatments_date_given_as_an_old_one_keeps_both(patient, store):
    patient.now = LATER
    patient.say("RecordTreatmentIntent", date="2026-10-20")
    patient.hang_up()
    patient.say("RecordTreatmentIntent")  # another, no date
    reply = patient.say("RecordTreatmentIntent", date="2027-10-20")  # "October 20th": the one I have
    assert "I already have your treatment" in reply.text and "Just to check" not in reply.text
    # Found by the eighth review: this looped ("when did you have it?" again and again, across
    # sessions) until the patient invented a date. Now it is asked: the same treatment?
    assert reply.text.endswith("you haven't had another one since?") and not says_yes(reply)
    record = store.get(patient_id(patient.user_id))
    assert record.treatments == (date(2026, 10, 20),) and record.unconfirmed == () and record.undated
    assert patient.say("AMAZON.NoIntent").text.endswith("When did you have it?")  # another one
    assert store.get(patient_id(patient.user_id)).undated


def test_h13_the_undated_treatment_said_to_be_the_one_kept_lifts_the_hold(patient, store):
    patient.now = LATER
    patient.say("RecordTreatmentIntent", date="2026-10-20")
    patient.hang_up()
    patient.say("RecordTreatmentIntent")  # another, no date: held
    assert "another treatment" in patient.say("SunIntent").text  # its date first
    assert "you haven't had another one since?" in patient.say("RecordTreatmentIntent", date="2026-10-20").text
    reply = patient.say("AMAZON.YesIntent")
    assert "I've kept your treatment" in reply.text and says_yes(reply)  # the sun question, answered now
    record = store.get(patient_id(patient.user_id))
    assert record.treatments == (date(2026, 10, 20),) and record.undated is None


def test_h13_a_correction_while_a_treatment_is_undated_moves_nothing_later_either(patient, store):
    patient.now = LATER
    patient.say("RecordTreatmentIntent", date="2026-10-20")
    patient.hang_up()
    patient.say("RecordTreatmentIntent")
    reply = patient.say("CorrectTreatmentIntent", date="2026-12-10")
    assert "haven't changed anything" in reply.text
    assert dates(store, patient) == (date(2026, 10, 20),)


def test_h4_a_month_and_day_a_week_ahead_is_checked_not_taken_as_today(patient, store):
    reply = patient.say("RecordTreatmentIntent", date="2026-12-01")  # "December 1st" on November 24th
    assert "Just to check" in reply.text and "20261124" in reply.ssml
    assert store.get(patient_id(patient.user_id)).unconfirmed == (date(2026, 11, 24),)


def test_h8_progress_between_six_and_eight_weeks_names_the_specialist(patient):
    patient.now = "2026-11-20T18:00:00Z"
    patient.say("RecordTreatmentIntent", date="2026-10-03")
    text = patient.say("ProgressIntent").text
    assert "minimum of 6 weeks out of prolonged sun, after which only your specialist can clear you early" in text


def test_h8_a_newer_treatment_is_said_to_be_added(patient):
    patient.say("RecordTreatmentIntent", date="2026-09-01")
    reply = patient.say("RecordTreatmentIntent", date="2026-10-20")
    assert reply.text.startswith("I've added your treatment") and "most recent one" in reply.text


@pytest.mark.parametrize(("told", "expected"), [("2024-05-15", "Yes"), ("2024-11-20", "Not yet")])
def test_h10_a_correction_answering_a_check_whose_date_changed_elsewhere_takes_nothing_away(
    handler, api, store, told, expected
):
    # Found by the oracle: the checked date was corrected on another device meanwhile. No date
    # is replaced on a guess (the newest could go, and a yes with it); the one told is added.
    kitchen = Conversation(handler, api_endpoint=api.url, now="2025-01-01T18:00:00Z")
    api.zones[kitchen.device_id] = "UTC"
    assert "Just to check" in kitchen.say("CorrectTreatmentIntent", duration="P152D").text
    bedroom = Conversation(handler, api_endpoint=api.url, user_id=kitchen.user_id, now=kitchen.now)
    api.zones[bedroom.device_id] = "UTC"
    bedroom.say("CorrectTreatmentIntent", date="2024-07-23")
    kitchen.say("CorrectTreatmentIntent", date=told)
    assert set(dates(store, kitchen)) == {date(2024, 7, 23), date.fromisoformat(told)}
    kitchen.hang_up()
    assert kitchen.say("SunIntent").text.startswith(expected)  # from the newer of the two


# -- H14: with verification off, the session state is signed --------------------------------


def unverified(store):
    settings = Settings(skill_id=SKILL_ID, alexa_api_hosts=LOOPBACK_API, verify_requests=False)
    return lambda_handler_for(settings, store=store)


def test_h14_a_signed_state_carries_the_check_through(store, api):
    talk = Conversation(unverified(store), api_endpoint=api.url, now=NOW)
    talk.say("SunIntent")
    talk.say("RecordTreatmentIntent", date="2027-09-01")  # "September 1st": 84 days ago, checked
    assert isinstance(talk.attributes["conversation"]["sig"], str)
    confirmed = talk.say("AMAZON.YesIntent")
    assert "Thank you" in confirmed.text
    assert store.get(patient_id(talk.user_id)).unconfirmed == ()


@pytest.mark.parametrize("forgery", ["changed", "unsigned", "another session's"])
def test_h14_a_forged_state_is_not_trusted_when_nothing_vouches_for_it(store, api, forgery):
    talk = Conversation(unverified(store), api_endpoint=api.url, now=NOW)
    talk.say("SunIntent")
    talk.say("RecordTreatmentIntent", date="2027-09-01")
    state = talk.attributes["conversation"]
    owner = next(iter(state["people"]))
    if forgery == "changed":  # a well-formed check of a date the patient never said
        state["people"][owner]["expecting"]["day"] = "2026-08-01"
    elif forgery == "unsigned":
        del state["sig"]
    else:
        other = Conversation(talk.handler, api_endpoint=api.url, now=NOW, user_id=talk.user_id)
        other.say("SunIntent")
        other.say("RecordTreatmentIntent", date="2027-08-01")
        talk.attributes = other.attributes  # signed, but for the other session

    reply = talk.say("AMAZON.YesIntent")

    assert "Thank you" not in reply.text and not says_yes(reply)
    record = store.get(patient_id(talk.user_id))
    assert date(2026, 8, 1) not in record.treatments or date(2026, 8, 1) in record.unconfirmed
    assert record.unconfirmed  # nothing was confirmed by the forged state


@pytest.mark.parametrize(
    "dispute",
    ["no date", "a week", "a day of the week, declined", "a day, declined"],
)
def test_h2_a_date_called_wrong_is_asked_for_again_not_offered_for_a_yes(patient, store, dispute):
    # Found by the eighth review: after "actually it was last week", a day that was not the
    # one and "no", the sun question asked "was your treatment on August 1st?" (the date just
    # taken back), and a "yes" to it gave "sunbathing is fine".
    patient.say("RecordTreatmentIntent", date="2026-08-01")
    if dispute == "no date":
        assert "correct date" in patient.say("CorrectTreatmentIntent").text
    elif dispute == "a week":
        assert "Which day that week" in patient.say("CorrectTreatmentIntent", date="2026-W47").text
    else:
        if dispute == "a day of the week, declined":
            patient.say("CorrectTreatmentIntent", date="2026-W47")
        assert "Just to check" in patient.say("CorrectTreatmentIntent", date="2026-12-01").text  # "Tuesday"
        declined = patient.say("AMAZON.NoIntent").text
        assert ("Which day that week" in declined) == (dispute == "a day of the week, declined"), declined
    reply = patient.say("SunIntent")
    assert not says_yes(reply) and "Just to check" not in reply.text and "wasn't on" in reply.text, reply.text
    assert not says_yes(patient.say("AMAZON.YesIntent"))
    record = store.get(patient_id(patient.user_id))
    assert date(2026, 8, 1) in record.unconfirmed  # still in doubt: nothing rests on it


def test_h2_a_day_declined_out_of_the_week_named_is_asked_for_in_that_week(patient, store):
    patient.say("RecordTreatmentIntent", date="2026-08-01")
    patient.say("CorrectTreatmentIntent", date="2026-W47")  # "actually it was last week"
    assert "20261117" in patient.say("CorrectTreatmentIntent", date="2026-12-01").ssml  # "Tuesday": checked
    assert "Which day that week" in patient.say("AMAZON.NoIntent").text
    reply = patient.say("CorrectTreatmentIntent", date="2026-11-26")  # "Thursday", to Alexa the coming one
    assert "20261119" in reply.ssml and reply.text.startswith("Just to check")  # that week's, checked
    assert "I've kept your treatment" in patient.say("AMAZON.YesIntent").text
    assert dates(store, patient) == (date(2026, 11, 19),)
    assert patient.say("SunIntent").text.startswith("Not yet")


@pytest.mark.parametrize(
    ("question", "newest", "older"),
    [("SunIntent", "2026-08-01", "2026-06-01"), ("MakeupIntent", "2026-11-14", "2026-11-01")],
)
def test_h2_an_older_date_told_while_the_newest_is_called_wrong_gives_no_yes(patient, store, question, newest, older):
    # Found by the eighth review: the reply adding the older date answered the waiting
    # question from the newest, which the patient had just called wrong: "Yes, sunbathing is fine".
    patient.say("RecordTreatmentIntent", date=newest)
    patient.say("CorrectTreatmentIntent")  # "that date is wrong"
    assert "wasn't on" in patient.say(question).text
    reply = patient.say("RecordTreatmentIntent", date=older)  # "I had one on ... too"
    assert not says_yes(reply) and "has passed" not in reply.text and "answer from your most recent" not in reply.text
    assert "I've added your treatment" in reply.text


def test_h4_an_older_date_told_while_a_moved_date_awaits_its_check_gives_no_yes(patient, store):
    # Found by the eighth review: "December 12th" (moved to last year, awaiting its yes), then
    # an older date with its year: "That changes my earlier answer: Yes" from the unchecked date.
    patient.launch()  # one session: the "not yet" heard is what the change would turn around
    patient.say("RecordTreatmentIntent", date="2026-11-20")
    assert patient.say("SunIntent").text.startswith("Not yet")
    patient.say("ForgetIntent")
    assert "deleted" in patient.say("AMAZON.YesIntent").text  # starting again
    reply = patient.say("RecordTreatmentIntent", date="2026-12-12")
    assert reply.text.startswith("Just to check") and "20251212" in reply.ssml
    reply = patient.say("RecordTreatmentIntent", date="2025-09-01")
    assert not says_yes(reply) and "changes my earlier answer" not in reply.text


def test_h6_an_unrecognised_voice_among_others_deletes_nothing(handler, api, store):
    # Found by the eighth review: it deleted the shared record (maybe a housemate's), and told
    # a member not recognised that once that they had no dates to delete.
    talk = Conversation(handler, api_endpoint=api.url, now=NOW)
    api.zones[talk.device_id] = LA
    talk.say("RecordTreatmentIntent", date="2026-08-01")
    talk.hang_up()
    talk.person_id = "amzn1.ask.person.P1"
    talk.say("RecordTreatmentIntent", date="2026-10-01")
    talk.hang_up()
    talk.person_id = None
    reply = talk.say("ForgetIntent")
    assert "can't delete" in reply.text and "nothing to delete" not in reply.text
    assert "deleted" not in talk.say("AMAZON.YesIntent").text  # nothing was asked: nothing to confirm
    assert dates(store, talk) == (date(2026, 8, 1),)
    talk.person_id = "amzn1.ask.person.P1"
    assert dates(store, talk) == (date(2026, 10, 1),)


def test_h4_another_treatment_told_during_a_correction_is_not_fitted_into_the_week_named(patient, store):
    # Found by the eighth review: "June 1st, 2026", told as another treatment while the skill
    # waited for a day of "last week", was asked about as November 16th.
    patient.say("RecordTreatmentIntent", date="2026-08-01")
    patient.say("CorrectTreatmentIntent", date="2026-W47")  # "actually it was last week"
    reply = patient.say("RecordTreatmentIntent", date="2026-06-01")
    assert "20260601" in reply.ssml and "20261116" not in reply.ssml
    assert date(2026, 6, 1) in dates(store, patient)


@pytest.mark.parametrize(
    ("month", "day", "meant"), [("2026-12", "2026-12-01", "20251201"), ("2026-11", "2026-11-28", None)]
)
def test_h4_a_day_still_to_come_in_the_month_named_is_never_a_week_off(patient, month, day, meant):
    # Found by the eighth review: "December", then "the first", was asked about as November
    # 24th (a week back from December 1st): a day the patient never said. A December still to
    # come is last year's; the 28th of this November is still to come, and no treatment had.
    patient.say("SunIntent")
    patient.say("RecordTreatmentIntent", date=month)
    reply = patient.say("RecordTreatmentIntent", date=day)
    if meant:
        assert reply.text.startswith("Just to check: was your treatment last year") and meant in reply.ssml
    else:
        assert "still to come" in reply.text and "Just to check" not in reply.text


@pytest.mark.parametrize(("span", "day"), [("1000-W01", "2026-12-01"), ("1899-12", "2026-12-03")])
def test_h16_a_week_or_month_before_any_treatment_keeps_nothing(patient, store, span, day):
    # Found by the eighth review: year 999 was stored, and the session could no longer be read.
    patient.say("SunIntent")
    patient.say("RecordTreatmentIntent", date=span)
    reply = patient.say("RecordTreatmentIntent", date=day)
    assert "Just to check" not in reply.text and dates(store, patient) == ()


def test_h5_a_duration_counted_with_no_zone_says_why_its_date_may_be_today(handler, api):
    # Found by the eighth review: "a day ago" was said back as "today", unexplained.
    api.behaviour = "failing"
    talk = Conversation(handler, api_endpoint=api.url, now=NOW)
    reply = talk.say("RecordTreatmentIntent", duration="P1D")
    assert "20261124" in reply.ssml and "couldn't read your device's time zone" in reply.text


# -- H17: a treatment told of in advance ---------------------------------------------------


def test_h17_a_treatment_said_to_be_today_is_told_not_waved_off(patient, store):
    # Found by the ninth review: "my treatment is today" got "still to come", and the sun
    # question went on saying "yes" from a treatment months before.
    seed(store, patient, date(2026, 9, 1))
    patient.launch()
    reply = patient.say("UpcomingTreatmentIntent", date="2026-11-24")
    assert "20261124" in reply.ssml and "still to come" not in reply.text
    assert not says_yes(patient.say("SunIntent"))
    assert date(2026, 11, 24) in dates(store, patient)


def test_h17_a_session_tomorrow_that_is_today_somewhere_is_never_taken_for_a_corrected_date(patient, store, api):
    # Found by the oracle: with the zone unknown, "my next session is tomorrow" was today in
    # UTC+14, so it was told as had; "actually it was April 10th" then replaced it, and the
    # session's own day brought a "yes" from April 10th.
    api.zones.clear()  # the Settings API knows no zone for this device
    patient.now = "2026-11-24T13:00:00Z"  # the 24th in most places, already the 25th in UTC+14
    patient.launch()
    reply = patient.say("UpcomingTreatmentIntent", date="2026-11-25")
    assert "next treatment" in reply.text and not dates(store, patient)  # kept as told of in advance
    patient.say("CorrectTreatmentIntent", date="2026-04-10")
    assert dates(store, patient) == (date(2026, 4, 10),)
    for question in ("SunIntent", "MakeupIntent"):
        reply = patient.say(question)
        assert not says_yes(reply) and "has passed" not in reply.text and "Did you have it?" in reply.text


def test_h17_no_yes_from_the_day_of_a_treatment_told_of_in_advance(patient, store):
    # Found by the ninth review: "my next session is on December 1st" was noted nowhere: the
    # day after it, opening the skill said "yes" and makeup's week "has passed".
    seed(store, patient, date(2026, 9, 1))
    patient.launch()
    assert says_yes(patient.say("SunIntent", date="2026-12-20"))  # "as long as no other treatment"
    reply = patient.say("UpcomingTreatmentIntent", date="2026-12-01")
    assert "next treatment" in reply.text and "That changes my earlier answer: Not yet" in reply.text
    assert says_yes(patient.say("SunIntent"))  # today, before it: the dates kept still answer
    assert not says_yes(patient.say("SunIntent", date="2026-12-20"))  # a day after it: counted from it
    assert dates(store, patient) == (date(2026, 9, 1),)  # nothing counted from a day still to come
    patient.hang_up()
    patient.now = "2026-12-02T18:00:00Z"
    launch = patient.launch()
    assert not says_yes(launch) and "As for sunbathing" not in launch.text
    for question in ("SunIntent", "MakeupIntent", "ProgressIntent"):
        reply = patient.say(question)
        assert "Did you have it?" in reply.text and not says_yes(reply) and "has passed" not in reply.text
    reply = patient.say("AMAZON.YesIntent")
    assert "20261201" in reply.ssml and "day 1 of your recovery" in reply.text  # the waiting question, answered
    assert dates(store, patient) == (date(2026, 9, 1), date(2026, 12, 1))
    assert store.get(patient_id(patient.user_id)).arrived(date(2027, 1, 1)) is None  # settled by it


@pytest.mark.parametrize("now", ["2026-12-01T16:00:00Z", "2026-12-02T18:00:00Z"])
def test_h17_no_to_did_you_have_it_forgets_nothing_on_its_own(patient, store, now):
    # Found by the tenth review: on the morning of the day (the session that afternoon) the
    # honest "no" forgot the treatment, and the next day said "yes" (day 1).
    seed(store, patient, date(2026, 6, 1))
    patient.launch()
    patient.say("UpcomingTreatmentIntent", date="2026-12-01")
    patient.hang_up()
    patient.now = now
    assert "Did you have it?" in patient.say("SunIntent").text
    assert "still to come" in patient.say("AMAZON.NoIntent").text
    assert "When is it now?" in patient.say("AMAZON.YesIntent").text
    reply = patient.say("UpcomingTreatmentIntent", date="2026-12-10")  # "it's been moved to the 10th"
    assert "20261210" in reply.ssml and not says_yes(reply)
    assert store.get(patient_id(patient.user_id)).planned == (date(2026, 12, 10),)
    patient.hang_up()
    patient.now = "2026-12-12T18:00:00Z"
    assert "Did you have it?" in patient.say("MakeupIntent").text  # the new day has come


def test_h17_a_treatment_told_of_in_advance_and_called_off_is_forgotten(patient, store):
    seed(store, patient, date(2026, 9, 1))
    patient.launch()
    patient.say("UpcomingTreatmentIntent", date="2026-12-01")
    patient.hang_up()
    patient.now = "2026-12-02T18:00:00Z"
    assert "Did you have it?" in patient.say("SunIntent").text
    patient.say("AMAZON.NoIntent")
    reply = patient.say("AMAZON.NoIntent")  # not going ahead
    assert "not going ahead" in reply.text and says_yes(reply)  # the dates kept answer again
    assert store.get(patient_id(patient.user_id)).planned == ()


def test_h17_every_session_told_of_in_advance_is_kept(patient, store):
    # Found by the tenth review: a second session told of dropped the first (the soonest was
    # kept), or was itself dropped; a "yes" came 48 days after the one forgotten.
    seed(store, patient, date(2026, 6, 1))
    patient.launch()
    patient.say("UpcomingTreatmentIntent", date="2026-12-10")
    patient.say("UpcomingTreatmentIntent", date="2026-12-01")
    assert store.get(patient_id(patient.user_id)).planned == (date(2026, 12, 1), date(2026, 12, 10))
    assert not says_yes(patient.say("SunIntent", date="2027-01-27"))  # day 48 after December 10th
    patient.hang_up()
    patient.now = "2026-12-03T18:00:00Z"
    patient.say("SunIntent")
    patient.say("AMAZON.YesIntent")  # had December 1st
    patient.say("UpcomingTreatmentIntent", date="2026-12-20")  # and the next one: kept with the 10th
    record = store.get(patient_id(patient.user_id))
    assert {date(2026, 12, 10), date(2026, 12, 20)} <= set(record.planned) and record.latest == date(2026, 12, 1)
    patient.hang_up()
    patient.now = "2026-12-12T18:00:00Z"
    reply = patient.say("MakeupIntent")
    assert "Did you have it?" in reply.text and "20261210" in reply.ssml


def test_h17_a_remembered_zone_brings_no_day_told_of_in_advance_late(handler, api, store):
    # Found by the tenth review: with the zone remembered (the API failing), the booked day
    # came by the remembered zone's date, not the latest on Earth: "yes" on its eve there.
    talk = Conversation(handler, api_endpoint=api.url, now="2026-11-24T18:00:00Z")
    api.zones[talk.device_id] = LA
    seed(store, talk, date(2026, 6, 1))
    talk.launch()
    talk.say("UpcomingTreatmentIntent", date="2026-12-01")
    talk.hang_up()
    api.behaviour = "failing"
    talk.now = "2026-11-30T18:00:00Z"  # November 30th in Los Angeles; December 1st in Kiribati
    assert not says_yes(talk.say("SunIntent"))


def test_h17_repeat_does_not_say_a_yes_again_once_the_day_told_of_has_come(patient, store):
    # Found by the tenth review: a "yes" heard before local midnight was repeated word for word after it.
    seed(store, patient, date(2026, 6, 1))
    patient.launch()
    patient.say("UpcomingTreatmentIntent", date="2026-12-01")
    patient.now = "2026-12-01T07:55:00Z"  # 11:55 p.m. on November 30th in Los Angeles
    assert says_yes(patient.say("SunIntent"))
    patient.now = "2026-12-01T08:05:00Z"
    assert not says_yes(patient.say("AMAZON.RepeatIntent"))


def test_h17_telling_the_treatment_had_clears_the_one_told_of_in_advance(patient, store):
    patient.launch()
    patient.say("UpcomingTreatmentIntent", date="2026-12-01")  # the first treatment, told ahead
    patient.hang_up()
    patient.now = "2026-12-03T18:00:00Z"
    patient.say("RecordTreatmentIntent", date="2026-12-02")  # had a day late
    record = store.get(patient_id(patient.user_id))
    assert record.treatments == (date(2026, 12, 2),) and record.arrived(date(2026, 12, 3)) is None


# -- the ninth review's findings on dates ----------------------------------------------------


@pytest.mark.parametrize(
    ("question", "span", "said", "meant"),
    [
        ("SunIntent", "2026-W40", "2027-10-04", "20261004"),  # "October 4th", of that week: not Monday the 28th
        ("MakeupIntent", "2026-W47", "2027-11-22", "20261122"),  # "November 22nd": not Monday the 16th
        ("MakeupIntent", "2026-W48", "2026-12-23", "20261123"),  # "the 23rd", of this week: not "still to come"
    ],
)
def test_h4_a_date_said_after_the_week_named_is_the_date_said(patient, question, span, said, meant):
    # Found by the ninth review: a date said outright, which Alexa gives in another year, was
    # reduced to its weekday and asked about as another day; a "yes" to that gave an early yes.
    patient.say(question)
    patient.say("RecordTreatmentIntent", date=span)
    reply = patient.say("RecordTreatmentIntent", date=said)
    assert meant in reply.ssml and not says_yes(reply)
    assert "Not yet" in reply.text or reply.text.startswith("Just to check")  # the date said, or checked


def test_h4_a_date_outside_the_week_named_is_offered_as_said_not_fitted(patient, store):
    # Found by the ninth review: a patient who named the wrong week could not get out of it:
    # "November 10th, 2026" after "last week" was asked about as November 17th, again and again.
    patient.say("RecordTreatmentIntent", date="2026-11-22")
    patient.say("CorrectTreatmentIntent", date="2026-W47")
    reply = patient.say("CorrectTreatmentIntent", date="2026-11-10")
    assert reply.text.startswith("Just to check") and "20261110" in reply.ssml and "20261117" not in reply.ssml
    patient.say("AMAZON.YesIntent")
    assert dates(store, patient) == (date(2026, 11, 10),)


def test_h5_a_rough_count_with_no_zone_known_is_checked_before_its_yes(handler, api, store):
    # Found by the ninth review: "about eight weeks ago", counted with no zone, was 55 days
    # where the day starts last: stored unchecked, and the next day said "yes".
    api.behaviour = "failing"
    talk = Conversation(handler, api_endpoint=api.url, now=NOW)
    talk.launch()
    talk.say("SunIntent")
    reply = talk.say("RecordTreatmentIntent", duration="P8W")
    assert reply.text.startswith("Just to check") and not says_yes(reply)


def test_h3_an_earlier_yes_is_taken_back_when_a_treatment_is_told_without_its_date(patient, store):
    # Found by the ninth review: after "yes", "I had another treatment last week" and "I don't
    # remember" left the "yes" as the last word on the sun.
    seed(store, patient, date(2026, 9, 1))
    patient.launch()
    assert says_yes(patient.say("SunIntent"))
    reply = patient.say("RecordTreatmentIntent", date="2026-W47")
    assert "earlier answer that it's fine no longer stands" in reply.text


def test_h13_a_correction_to_the_check_of_the_undated_treatments_date_dates_it(patient, store):
    # Found by the ninth review: "no, it was November 1st" to that check stored the date but
    # kept asking for the treatment's date.
    seed(store, patient, date(2026, 9, 1))
    patient.launch()
    patient.say("RecordTreatmentIntent")  # another, no date
    assert patient.say("RecordTreatmentIntent", date="2026-11-27").text.startswith("Just to check")  # "Friday"
    reply = patient.say("CorrectTreatmentIntent", date="2027-11-01")  # "no, it was November 1st"
    assert "20261101" in reply.ssml and "another treatment" not in reply.text
    assert store.get(patient_id(patient.user_id)).undated is None


def test_h17_telling_of_a_coming_treatment_gives_no_yes_while_the_newest_awaits_its_check(patient):
    # Found by the oracle: the reply noting the coming treatment said again the verdicts heard,
    # from a newest date still waiting for its "yes".
    patient.now = "2025-01-01T18:00:00Z"
    patient.launch()
    patient.say("SunIntent")
    assert patient.say("RecordTreatmentIntent", date="2025-11-06").text.startswith("Just to check")
    reply = patient.say("UpcomingTreatmentIntent", date="2025-01-02")
    assert "next treatment" in reply.text and not says_yes(reply)


def test_h4_no_verdict_shares_a_reply_with_a_check_still_open(patient, store):
    # Found by the oracle: a date told while a check was open answered the question again
    # ("Yes ...") in the reply that ended "Just to check: was your treatment last year ...?".
    patient.now = "2025-01-01T18:00:00Z"
    seed(store, patient, date(2024, 1, 8))
    assert "sunbathing: Yes." in patient.launch().text
    reply = patient.say("RecordTreatmentIntent", date="2025-01-09")  # "January 9th": last year's?
    assert reply.text.startswith("Just to check") or "Just to check" in reply.text
    reply = patient.say("RecordTreatmentIntent", date="2024-11-06")
    assert "Just to check" in reply.text and not says_yes(reply)


def test_h17_forgetting_asks_first_when_only_a_treatment_to_come_is_kept(patient, store):
    # Found by the oracle: "forget my data" with only a treatment told of in advance deleted
    # it unasked, saying nothing was stored.
    patient.launch()
    patient.say("UpcomingTreatmentIntent", date="2026-12-01")
    reply = patient.say("ForgetIntent")
    assert "nothing to delete" not in reply.text and "delete every treatment date" in reply.text
    assert store.get(patient_id(patient.user_id)).planned == (date(2026, 12, 1),)
    patient.say("AMAZON.YesIntent")
    assert store.get(patient_id(patient.user_id)) is None


def test_h17_when_is_it_now_answered_with_the_same_day_keeps_it(handler, api, store):
    # Found by the eleventh review: with the zone remembered (the API failing), "did you have
    # it?" came by the latest day on Earth, and "when is it now?" answered with the same day
    # ("tomorrow", where the patient is) took it off as it put it back: nothing kept, and the
    # day after the treatment said "yes".
    talk = Conversation(handler, api_endpoint=api.url, now=NOW)
    api.zones[talk.device_id] = LA
    seed(store, talk, date(2026, 9, 1))
    talk.launch()
    talk.say("UpcomingTreatmentIntent", date="2026-12-01")
    talk.hang_up()
    api.behaviour = "failing"
    talk.now = "2026-12-01T03:00:00Z"  # 7 p.m. on November 30th in Los Angeles
    assert "Did you have it?" in talk.say("SunIntent").text
    talk.say("AMAZON.NoIntent")
    talk.say("AMAZON.YesIntent")
    talk.say("UpcomingTreatmentIntent", date="2026-12-01")
    assert store.get(patient_id(talk.user_id)).planned == (date(2026, 12, 1),)
    talk.hang_up()
    api.behaviour = "up"
    talk.now = "2026-12-02T20:00:00Z"
    assert not says_yes(talk.say("SunIntent"))


def test_h17_a_correction_of_the_date_that_settled_a_booking_brings_its_question_back(patient, store):
    # Found by the eleventh review: December 2nd settled the December 1st booking; corrected to
    # November 20th, the booking was gone, and a day 45 after it got "yes".
    patient.launch()
    patient.say("UpcomingTreatmentIntent", date="2026-12-01")
    patient.hang_up()
    patient.now = "2026-12-03T20:00:00Z"
    patient.say("RecordTreatmentIntent", date="2026-12-02")
    patient.say("CorrectTreatmentIntent", date="2026-11-20")
    reply = patient.say("SunIntent", date="2027-01-15")
    assert "Did you have it?" in reply.text and not says_yes(reply)


def test_h17_a_session_told_of_for_next_week_is_kept_from_its_first_day(patient, store):
    # Found by the eleventh review: "my next session is next week" kept nothing, and "yes" came after it.
    seed(store, patient, date(2026, 9, 1))
    patient.launch()
    patient.say("UpcomingTreatmentIntent", date="2026-W49")  # December 7th to 13th
    patient.hang_up()
    patient.now = "2026-12-07T20:00:00Z"
    assert "Did you have it?" in patient.say("SunIntent").text


def test_h17_after_yes_to_one_booking_the_next_come_is_asked_about(patient, store):
    # Found by the eleventh review: "yes" to the first left the question unanswered and the
    # second booking unasked.
    seed(store, patient, date(2026, 6, 1))
    patient.launch()
    patient.say("UpcomingTreatmentIntent", date="2026-12-01")
    patient.say("UpcomingTreatmentIntent", date="2026-12-10")
    patient.hang_up()
    patient.now = "2026-12-12T20:00:00Z"
    assert "20261201" in patient.say("SunIntent").ssml
    reply = patient.say("AMAZON.YesIntent")
    assert "Did you have it?" in reply.text and "20261210" in reply.ssml and not says_yes(reply)
    reply = patient.say("AMAZON.YesIntent")
    assert "Not yet" in reply.text  # the waiting sun question, from December 10th


def test_h17_actually_it_was_to_did_you_have_it_dates_the_booked_one(patient, store):
    # Found by the eleventh review: "actually it was November 25th" replaced September 1st.
    # Found by the oracle: a day before the booked one may be another treatment, so the booked
    # one stays, to be asked about again; a day on or after it dates it.
    seed(store, patient, date(2026, 9, 1))
    patient.launch()
    patient.say("UpcomingTreatmentIntent", date="2026-12-01")
    patient.hang_up()
    patient.now = "2026-12-03T20:00:00Z"
    assert "Did you have it?" in patient.say("SunIntent").text
    patient.say("CorrectTreatmentIntent", date="2026-11-25")
    record = store.get(patient_id(patient.user_id))
    assert record.treatments == (date(2026, 9, 1), date(2026, 11, 25)) and record.planned == (date(2026, 12, 1),)
    assert "Did you have it?" in patient.say("SunIntent").text  # still to be asked about
    patient.say("CorrectTreatmentIntent", date="2026-12-02")  # had a day late: that dates it
    record = store.get(patient_id(patient.user_id))
    assert record.treatments[-1] == date(2026, 12, 2) and record.planned == ()
