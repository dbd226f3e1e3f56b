"""The questions the clinic's article answers, asked in a patient's own words: each phrase goes
through the console's stand-in for Alexa's NLU to a real request envelope, through
lambda_handler, on every store. Each answer's words trace to an article sentence (the comment
above its entry in content/en-US.toml quotes it)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from laser_recovery.console.nlu import Understanding
from laser_recovery.store import patient_id
from tests.alexa import Conversation, Reply

NLU = Understanding.for_locale("en-US")
LA = "America/Los_Angeles"


@pytest.fixture
def patient(handler, api) -> Conversation:
    talk = Conversation(handler, api_endpoint=api.url, now="2026-11-24T18:00:00Z")
    api.zones[talk.device_id] = LA
    return talk


def say(patient: Conversation, phrase: str) -> Reply:
    """What Alexa would send for the phrase, sent."""
    today = datetime.fromisoformat(patient.now.replace("Z", "+00:00")).date()
    match = NLU.understand(phrase, today)
    assert not match.fallback, phrase
    values = {name: slot.value for name, slot in match.slots.items()}
    resolved = {name: slot.resolved_id for name, slot in match.slots.items() if slot.resolved_id}
    return patient.say(match.intent, resolved=resolved or None, **values)


def treated(patient: Conversation, day: str) -> None:
    patient.say("RecordTreatmentIntent", date=day)
    patient.hang_up()


@pytest.mark.parametrize("phrase", ["is the peeling normal", "my face is flaking", "what changes should I expect"])
def test_peeling_is_expected_as_the_top_layer_comes_off(patient, phrase):
    text = say(patient, phrase).text
    assert "top layer of the scar peels off" in text and "smoother" in text


@pytest.mark.parametrize(
    "phrase", ["do I need sunscreen on cloudy days", "what spf should I use", "how often should I apply sunscreen"]
)
def test_sunscreen_every_time_before_leaving_home_whatever_the_weather(patient, phrase):
    text = say(patient, phrase).text
    assert "high-factor sunscreen every time before you leave home" in text and "cloudy days included" in text
    assert "doesn't name a factor" in text  # the article says "high-factor" and no number


def test_going_out_is_fine_with_sunscreen_and_the_sun_rule_still_holds(patient):
    general = say(patient, "can I go to the beach").text  # no date known: the general rule only
    assert "Going out is fine, with high-factor sunscreen" in general
    assert "6 to 8 weeks" in general and "Yes" not in general
    treated(patient, "2026-10-03")  # day 52 on November 24th
    mine = say(patient, "can I sit on the pool terrace").text
    assert (
        "Going out is fine" in mine
        and "it's not yet" in mine
        and "20261128" in say(patient, "is it okay to go outside").ssml
    )


def test_going_out_after_the_full_weeks_says_so_with_the_date(patient):
    treated(patient, "2026-09-01")
    reply = say(patient, "can I go for a walk")
    assert "For you, they're over" in reply.text and "20260901" in reply.ssml


@pytest.mark.parametrize(
    "phrase", ["will my scars be gone completely", "will my scars come back", "are the results permanent"]
)
def test_scars_are_reduced_not_removed_and_the_results_are_permanent(patient, phrase):
    text = say(patient, phrase).text
    assert "doesn't remove acne scars completely" in text and "reduces how visible" in text
    assert "permanent" in text


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("can it treat my back", "lists the back among the areas"),
        ("can the laser treat scars on my neck", "lists the neck among the areas"),
        ("does it work on my chest", "lists the upper torso among the areas"),
        ("can it treat my forehead", "mainly aimed at the face"),
        ("can it treat my legs", "and not that area, so ask your specialist"),
        ("which areas can be treated", "mainly used on the face"),
    ],
)
def test_areas_are_the_articles_list_and_nothing_more(patient, phrase, expected):
    assert expected in say(patient, phrase).text


def test_an_area_alexa_could_not_resolve_is_not_claimed(patient):
    reply = patient.say("AreasIntent", area="elbows")  # ER_SUCCESS_NO_MATCH: a value, no id
    assert "not that area" in reply.text


def test_skin_stays_sensitive_for_weeks_and_even_months(patient):
    text = say(patient, "how long will my skin be sensitive").text
    assert "weeks, and even months" in text and "high-factor sunscreen" in text


@pytest.mark.parametrize(
    ("today", "phrase", "expected"),
    [
        # Treated Saturday October 3rd: the week's minimum has passed by Saturday October 10th.
        ("2026-10-05T18:00:00Z", "can I wear makeup on saturday", "By Saturday, 20261010, the minimum of a week"),
        ("2026-10-05T18:00:00Z", "can I wear makeup on friday", "Not yet. On Friday, 20261009"),
        ("2026-10-05T18:00:00Z", "can I wear foundation yet", "Not yet. Avoid makeup for at least a week"),
    ],
)
def test_makeup_on_a_given_day(patient, today, phrase, expected):
    treated(patient, "2026-10-03")
    patient.now = today
    reply = say(patient, phrase)
    assert expected in reply.text
    assert "Yes" not in reply.text  # a week is a minimum, never a clearance


def test_makeup_on_a_day_gone_by_answers_for_today_and_says_so(patient):
    treated(patient, "2026-10-03")
    patient.now = "2026-10-08T18:00:00Z"  # a Thursday; "monday" arrives as the coming Monday
    reply = patient.say("MakeupIntent", date="2026-10-05")
    assert reply.text.startswith("Not yet. Avoid makeup") and "has already passed" in reply.text


def test_makeup_on_an_unclear_day_asks_which_day_through_the_makeup_slot(patient):
    treated(patient, "2026-10-03")
    reply = patient.say("MakeupIntent", date="2026-W45")
    assert "Which day do you mean" in reply.text
    assert reply.directives[0]["updatedIntent"]["name"] == "MakeupIntent"


@pytest.mark.parametrize("phrase", ["I don't remember my treatment date", "I forgot when I had it"])
def test_a_patient_who_does_not_remember_hears_the_general_rule(patient, phrase):
    text = say(patient, phrase).text
    assert "6 to 8 weeks" in text and "Your clinic will have your treatment date" in text


@pytest.mark.parametrize(
    "phrase",
    [
        "can I go swimming",
        "can I go to the gym",
        "does it hurt",
        "how many sessions will I need",
        "can I shave",
        "can I use retinol",
        "can I go in the sauna",
        "can I drink alcohol",
    ],
)
def test_questions_the_guide_does_not_answer_get_one_honest_answer_and_the_session_stays_open(patient, phrase):
    reply = say(patient, phrase)  # a one-shot, yet the patient may have a question we can answer
    assert "The clinic's aftercare guide doesn't cover that" in reply.text
    assert "specialist" in reply.text and reply.ends is False and reply.reprompt


# -- launch: a returning patient hears where they are first -------------------------------


def test_a_returning_patient_hears_the_day_and_the_sun_answer_then_the_menu(patient):
    treated(patient, "2026-11-01")
    patient.now = "2026-11-24T18:00:00Z"  # day 23 in Los Angeles
    reply = patient.launch()
    assert reply.text.startswith(
        "Welcome back to Laser Recovery. Today is day 23 of your recovery. As for sunbathing: Not yet."
    )
    assert '<say-as interpret-as="date">20261227</say-as>' in reply.ssml  # the 8 weeks end
    assert reply.text.endswith("What would you like?") and reply.ends is False


def test_a_new_patient_hears_the_notice_and_the_menu(patient):
    reply = patient.launch()
    assert "doesn't replace your specialist's advice" in reply.text and "day" not in reply.text.lower().split()


def test_launch_with_a_date_awaiting_its_check_gives_no_verdict(patient):
    patient.now = "2026-11-24T18:00:00Z"
    patient.say("RecordTreatmentIntent", date="2026-12-12")  # 18 days ahead: moved to last year, asked
    patient.hang_up()
    reply = patient.launch()
    assert "Yes" not in reply.text and "day" not in reply.text.lower().split()


# -- found by a review of the understanding --------------------------------------------------


def test_sunbathing_without_sunscreen_hears_that_sunscreen_is_a_must_never_yes(patient):
    treated(patient, "2026-09-01")  # long past 8 weeks
    reply = say(patient, "can I sunbathe without sunscreen")
    assert "Sunscreen is a must" in reply.text and "Yes" not in reply.text


@pytest.mark.parametrize(
    "phrase", ["my skin is red and swollen", "my skin is peeling and bleeding", "how long will the swelling last"]
)
def test_a_symptom_beside_an_expected_change_gets_the_referral(patient, phrase):
    assert "contact your specialist or clinic promptly" in say(patient, phrase).text


def test_picking_at_the_skin_is_not_read_as_permission(patient):
    text = say(patient, "can I pick the scabs").text
    assert "doesn't cover that" in text and "Peeling is expected" not in text


def test_moisturiser_is_the_specialists_skincare_not_makeup(patient):
    treated(patient, "2026-11-22")
    text = say(patient, "can I use my moisturiser").text
    assert "use any skincare your specialist gives you" in text and "makeup" not in text


def test_the_beach_on_a_given_day_answers_for_that_day(patient):
    treated(patient, "2026-10-03")  # the 8 weeks end on November 28th
    reply = say(patient, "can I go to the beach on December 20th")
    assert "Going out is fine" in reply.text and "By Sunday, 20261220, the full 8 weeks" in reply.text


def test_a_treatment_still_to_come_is_kept_but_not_counted_from(patient, store):
    reply = say(patient, "my next session is on Friday")
    assert "I've noted your next treatment" in reply.text
    record = store.get(patient_id(patient.user_id))
    assert not record.treatments and len(record.planned) == 1  # asked about once its day comes (H17)


def test_a_day_answering_which_day_of_that_month_is_that_months(patient, store):
    patient.launch()
    assert "Which day of that month" in patient.say("RecordTreatmentIntent", date="2026-10").text  # "October"
    reply = patient.say("RecordTreatmentIntent", date="2026-12-03")  # "the third", as Alexa resolves it
    # Alexa sends "December 3rd" alike: the day picked out of October is checked first (H4).
    assert "20261003" in reply.ssml and "Just to check" in reply.text
    assert "20261003" in patient.say("AMAZON.YesIntent").ssml
    record = store.get(patient_id(patient.user_id))
    assert record.treatments == (date(2026, 10, 3),) and record.unconfirmed == ()


def test_a_day_answering_which_day_that_week_is_that_weeks(patient, store):
    patient.launch()
    patient.say("RecordTreatmentIntent", date="2026-W47")  # "last week", said on Tuesday the 24th
    reply = patient.say("RecordTreatmentIntent", date="2026-11-24")  # "Tuesday": today, as Alexa gives it
    assert "20261117" in reply.ssml
    assert store.get(patient_id(patient.user_id)).treatments == (date(2026, 11, 17),)


def test_i_dont_remember_my_date_tells_the_date_kept(patient):
    treated(patient, "2026-10-03")
    text = say(patient, "I don't remember my treatment date").text
    assert "The treatment date I have for you is" in text


def test_launch_names_the_subject_of_its_verdict(patient):
    treated(patient, "2026-11-01")
    assert "Today is day 23 of your recovery. As for sunbathing: Not yet." in patient.launch().text
