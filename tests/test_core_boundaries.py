"""The core at its boundaries: the day before, the day of and the day after each number of the
protocol, for the rules' structured answers and for the answers built from them (the verdict,
whether it is a "yes", the treatment date it rests on, the day it is about, the words).

`make mutate` measures these tests against mutants of the core; each boundary here once let an
off-by-one mutant through (a ">=" turned ">", a "<=" turned "<").
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from laser_recovery import recovery
from laser_recovery.answers import Answer, Context, answer
from laser_recovery.dates import LocalDay
from laser_recovery.recovery import (
    Makeup,
    MakeupAnswer,
    Milestone,
    Progress,
    Protocol,
    Redness,
    RednessAnswer,
    Results,
    ResultsAnswer,
    Sun,
    SunAnswer,
)
from laser_recovery.speech import speech_for

TREATED = date(2026, 10, 3)  # a Saturday: day 7 is October 10th, day 42 November 14th, day 56 November 28th
PROTOCOL = Protocol.load()
SPEECH = speech_for("en-US", PROTOCOL)


def day(n: int) -> date:
    return TREATED + timedelta(days=n)


def on_day(n: int) -> Context:
    """The patient's today is day n, in a known time zone."""
    return Context(SPEECH, PROTOCOL, LocalDay(day(n), day(n)))


def spoken(d: date) -> str:
    return SPEECH.weekday_date(d)


# -- the rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "verdict"),
    [
        (41, Sun.NOT_YET),
        (42, Sun.ASK_SPECIALIST),
        (43, Sun.ASK_SPECIALIST),
        (55, Sun.ASK_SPECIALIST),
        (56, Sun.SAFE),
        (57, Sun.SAFE),
    ],
)
def test_sun_either_side_of_six_and_eight_weeks(n, verdict):
    assert recovery.sun(TREATED, day(n), PROTOCOL) == SunAnswer(verdict, TREATED, day(n), n, day(42), day(56))


@pytest.mark.parametrize(
    ("n", "verdict"), [(6, Makeup.NOT_YET), (7, Makeup.MINIMUM_PASSED), (8, Makeup.MINIMUM_PASSED)]
)
def test_makeup_either_side_of_a_week(n, verdict):
    assert recovery.makeup(TREATED, day(n), PROTOCOL) == MakeupAnswer(verdict, TREATED, n, day(7))


@pytest.mark.parametrize(
    ("n", "verdict", "until"),
    [
        (6, Results.NOT_YET, 1),
        (7, Results.APPEARING, 0),
        (8, Results.APPEARING, 0),
        (9, Results.APPEARING, 0),
        (10, Results.APPEARING, 0),
        (11, Results.VISIBLE, 0),
    ],
)
def test_results_either_side_of_days_7_and_10(n, verdict, until):
    assert recovery.results(TREATED, day(n), PROTOCOL) == ResultsAnswer(verdict, TREATED, n, day(7), day(10), until)


@pytest.mark.parametrize(("n", "verdict"), [(55, Redness.EXPECTED), (56, Redness.EXPECTED), (57, Redness.CHECK)])
def test_redness_either_side_of_eight_weeks(n, verdict):
    assert recovery.redness(TREATED, day(n), PROTOCOL) == RednessAnswer(verdict, TREATED, n)
    assert recovery.redness(None, day(n), PROTOCOL) == RednessAnswer(Redness.EXPECTED, None, None)


def test_milestones_in_date_order_and_a_shared_day_in_the_protocols_order():
    assert recovery.milestones(TREATED, PROTOCOL) == (
        Milestone("makeup", day(7), 7),
        Milestone("results_from", day(7), 7),
        Milestone("results_by", day(10), 10),
        Milestone("sun_minimum", day(42), 42),
        Milestone("sun_safe", day(56), 56),
    )


MILESTONE = {m.name: m for m in recovery.milestones(TREATED, PROTOCOL)}
FIRST_WEEK = ("makeup", "results_from")
BY_DAY_10 = (*FIRST_WEEK, "results_by")
BY_DAY_42 = (*BY_DAY_10, "sun_minimum")
EVERY = (*BY_DAY_42, "sun_safe")


@pytest.mark.parametrize(
    ("n", "passed", "upcoming"),
    [
        (0, (), FIRST_WEEK),
        (6, (), FIRST_WEEK),
        (7, FIRST_WEEK, ("results_by",)),
        (9, FIRST_WEEK, ("results_by",)),
        (10, BY_DAY_10, ("sun_minimum",)),
        (41, BY_DAY_10, ("sun_minimum",)),
        (42, BY_DAY_42, ("sun_safe",)),
        (55, BY_DAY_42, ("sun_safe",)),
        (56, EVERY, ()),
        (57, EVERY, ()),
    ],
)
def test_a_milestone_is_passed_on_its_own_day(n, passed, upcoming):
    assert recovery.progress(TREATED, day(n), PROTOCOL) == Progress(
        TREATED, n, tuple(MILESTONE[name] for name in passed), tuple(MILESTONE[name] for name in upcoming)
    )


# -- the protocol file: what it accepts and what it refuses ---------------------------------


def protocol_file(
    tmp_path: Path,
    sun: tuple[int, int] = (42, 56),
    makeup: int = 7,
    results: tuple[int, int] = (7, 10),
    redness: int = 56,
) -> Path:
    path = tmp_path / "protocol.toml"
    path.write_text(
        f"[sun]\nminimum_days = {sun[0]}\nsafe_days = {sun[1]}\n[makeup]\navoid_days = {makeup}\n"
        f"[results]\nvisible_from_days = {results[0]}\nvisible_by_days = {results[1]}\n"
        f"[redness]\ncheck_after_days = {redness}\n"
    )
    return path


@pytest.mark.parametrize(
    ("sun", "makeup", "results", "redness"),
    [
        ((56, 56), 7, (7, 7), 56),  # a clinic whose sun and results rules are one number each
        ((1, 1), 1, (1, 1), 1),  # the least the file allows: every number positive
    ],
)
def test_a_protocol_at_the_edge_of_what_makes_sense_is_accepted(tmp_path, sun, makeup, results, redness):
    loaded = Protocol.load(protocol_file(tmp_path, sun, makeup, results, redness))
    assert loaded == Protocol(sun[0], sun[1], makeup, results[0], results[1], redness)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sun": (0, 56)}, "sun minimum_days must be positive"),  # a "yes" to the sun on the treatment day
        ({"sun": (57, 56)}, "sun minimum_days must be positive and <= safe_days"),
        ({"results": (0, 10)}, "results visible_from_days must be <= visible_by_days"),
        ({"results": (11, 10)}, "results visible_from_days must be <= visible_by_days"),
        ({"makeup": 0}, "makeup avoid_days and redness check_after_days must be positive"),
        ({"makeup": -7}, "makeup avoid_days and redness check_after_days must be positive"),
        ({"redness": 0}, "makeup avoid_days and redness check_after_days must be positive"),
    ],
)
def test_a_protocol_that_could_clear_a_patient_too_early_is_refused(tmp_path, fields, message):
    with pytest.raises(ValueError, match=message):
        Protocol.load(protocol_file(tmp_path, **fields))


# -- the answers built from the rules ------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "verdict", "opening"),
    [
        (41, "not_yet", "Not yet. Don't sunbathe"),
        (42, "ask_specialist", "Not yet. The minimum of 6 weeks"),
        (55, "ask_specialist", "Not yet. The minimum of 6 weeks"),
        (56, "safe", "Yes. The full 8 weeks"),
        (57, "safe", "Yes. The full 8 weeks"),
    ],
)
def test_the_sun_answer_for_today_carries_the_rules_verdict(n, verdict, opening):
    reply = answer(on_day(n), "SunIntent", TREATED)
    assert (reply.topic, reply.verdict, reply.permits) == ("sun", verdict, verdict == "safe")
    assert (reply.rests_on, reply.on, reply.key, reply.general) == (TREATED, None, "sun", None)
    assert reply.text.startswith(opening) and spoken(TREATED) in reply.text
    assert (spoken(day(56)) in reply.text) is (verdict != "safe")  # the day the 8 weeks end, until they have


def test_the_sun_answer_for_today_asked_as_a_date_is_todays_answer():
    assert answer(on_day(55), "SunIntent", TREATED, day(55)) == answer(on_day(55), "SunIntent", TREATED)


@pytest.mark.parametrize(
    ("today", "asked", "verdict", "opening"),
    [
        (41, 42, "ask_specialist", "Not yet. By "),
        (55, 56, "safe", "Yes. By "),
        (41, 55, "ask_specialist", "Not yet. By "),
        (30, 41, "not_yet", "Not yet. On "),
    ],
)
def test_the_sun_answer_for_a_day_ahead_is_that_days(today, asked, verdict, opening):
    reply = answer(on_day(today), "SunIntent", TREATED, day(asked))
    assert (reply.topic, reply.verdict, reply.permits) == ("sun", verdict, verdict == "safe")
    assert (reply.rests_on, reply.on, reply.key) == (TREATED, day(asked), f"sun@{day(asked).isoformat()}")
    assert reply.text.startswith(f"{opening}{spoken(day(asked))}") and "already passed" not in reply.text


def test_the_sun_answer_for_a_day_gone_by_is_todays_and_says_so():
    reply = answer(on_day(56), "SunIntent", TREATED, day(50))
    today = answer(on_day(56), "SunIntent", TREATED)
    assert reply == Answer(
        f"{today.text} That's my answer for today, as {spoken(day(50))} has already passed.",
        "sun",
        "safe",
        True,
        TREATED,
    )


def test_with_the_zone_unknown_the_answers_count_from_the_earliest_date_on_earth():
    # Day 56 has begun in Kiribati and not yet in Samoa: no "yes" anywhere until it has begun everywhere.
    unsure = Context(SPEECH, PROTOCOL, LocalDay(day(55), day(56)))
    assert answer(unsure, "SunIntent", TREATED) == answer(on_day(55), "SunIntent", TREATED)
    assert not answer(unsure, "ProgressIntent", TREATED).permits
    week = Context(SPEECH, PROTOCOL, LocalDay(day(6), day(7)))
    assert answer(week, "MakeupIntent", TREATED).verdict == "not_yet"


@pytest.mark.parametrize(
    ("n", "verdict", "opening"),
    [
        (6, "not_yet", "Not yet. Avoid makeup for at least a week"),
        (7, "minimum_passed", "The minimum of a week since your treatment"),
        (8, "minimum_passed", "The minimum of a week since your treatment"),
    ],
)
def test_the_makeup_answer_either_side_of_a_week(n, verdict, opening):
    reply = answer(on_day(n), "MakeupIntent", TREATED)
    assert (reply.topic, reply.verdict, reply.permits) == ("makeup", verdict, verdict == "minimum_passed")
    assert (reply.rests_on, reply.on, reply.general) == (TREATED, None, None)
    assert reply.text.startswith(opening) and spoken(TREATED) in reply.text
    if verdict == "not_yet":
        assert f"so not before {spoken(day(7))}" in reply.text
    else:
        assert "check with your specialist before you start wearing it again" in reply.text
    assert not reply.text.startswith("Yes")  # a week is a minimum, never a clearance


@pytest.mark.parametrize(
    ("asked", "verdict", "opening"),
    [(6, "not_yet", "Not yet. On "), (7, "minimum_passed", "By "), (8, "minimum_passed", "By ")],
)
def test_the_makeup_answer_for_a_day_ahead_is_that_days(asked, verdict, opening):
    reply = answer(on_day(2), "MakeupIntent", TREATED, day(asked))
    assert (reply.topic, reply.verdict, reply.on) == ("makeup", verdict, day(asked))
    assert reply.text.startswith(f"{opening}{spoken(day(asked))}")


RESULTS_GENERAL = SPEECH.say("results.general")


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (6, f"worked tomorrow, between {spoken(day(7))} and {spoken(day(10))}."),
        (7, f"It's day 7 since your treatment on {spoken(TREATED)}: this is when you begin to see"),
        (10, f"It's day 10 since your treatment on {spoken(TREATED)}: this is when you begin to see"),
        (11, f"By now, you should have started to see how well your treatment on {spoken(TREATED)} worked"),
    ],
)
def test_the_results_answer_either_side_of_days_7_and_10(n, words):
    reply = answer(on_day(n), "ResultsIntent", TREATED)
    assert words in reply.text and "permanent" in reply.text and "None" not in reply.text
    assert reply == Answer(reply.text, rests_on=TREATED, general=RESULTS_GENERAL)


def test_without_a_date_the_results_answer_is_the_general_one():
    assert answer(on_day(7), "ResultsIntent", None) == Answer(RESULTS_GENERAL)


REDNESS_EXPECTED = SPEECH.say("redness.expected")


def test_redness_is_the_expected_kind_up_to_eight_weeks_then_worth_a_check():
    assert answer(on_day(56), "RednessIntent", TREATED) == Answer(REDNESS_EXPECTED)
    assert answer(on_day(57), "RednessIntent", None) == Answer(REDNESS_EXPECTED)
    late = answer(on_day(57), "RednessIntent", TREATED)
    assert late == Answer(
        "Some redness for days, or even weeks, is expected. It's now 8 weeks and 1 day since your treatment on "
        f"{spoken(TREATED)}, so if it's still there, it's worth checking with your specialist.",
        rests_on=TREATED,
        general=REDNESS_EXPECTED,
    )


PASSED_BY_DAY_42 = (
    "You're past the first day results can show, the day results should be showing and the minimum of 6 weeks "
    "out of prolonged sun, after which only your specialist can clear you early."  # the last three, no more
)


@pytest.mark.parametrize(
    ("n", "today", "passed", "upcoming"),
    [
        (
            0,
            f"Today is the day of your treatment, {spoken(TREATED)}.",
            "It's early days: be gentle with your skin.",
            f"Next: the minimum of a week without makeup and the first day results can show, on {spoken(day(7))}, "
            "in a week.",
        ),
        (
            1,
            f"Today is day 1 of your recovery, since your treatment on {spoken(TREATED)}.",
            "It's early days",
            f"on {spoken(day(7))}, in 6 days.",
        ),
        (6, "Today is day 6 of your recovery", "It's early days", f"on {spoken(day(7))}, tomorrow."),
        (
            7,
            "Today is day 7 of your recovery",
            "You're past the minimum of a week without makeup and the first day results can show.",
            f"Next: the day results should be showing, on {spoken(day(10))}, in 3 days.",
        ),
        (
            10,
            "Today is day 10 of your recovery",
            "You're past the minimum of a week without makeup, the first day results can show and the day results "
            "should be showing.",
            f"Next: the minimum of 6 weeks out of prolonged sun, after which only your specialist can clear you early, "
            f"on {spoken(day(42))}, in 4 weeks and 4 days.",
        ),
        (
            42,
            "Today is day 42 of your recovery",
            PASSED_BY_DAY_42,
            f"Next: the full 8 weeks away from sunbathing, on {spoken(day(56))}, in 2 weeks.",
        ),
        (
            55,
            "Today is day 55 of your recovery",
            PASSED_BY_DAY_42,
            f"Next: the full 8 weeks away from sunbathing, on {spoken(day(56))}, tomorrow.",
        ),
    ],
)
def test_progress_before_the_full_eight_weeks_is_ongoing(n, today, passed, upcoming):
    reply = answer(on_day(n), "ProgressIntent", TREATED)
    assert reply == Answer(reply.text, "progress", "ongoing", permits=False, rests_on=TREATED)
    assert reply.text.startswith(today) and passed in reply.text and reply.text.endswith(upcoming)
    assert "You're past every milestone" not in reply.text


@pytest.mark.parametrize("n", [56, 57])
def test_progress_from_the_full_eight_weeks_is_all_clear_and_names_the_treatment(n):
    assert answer(on_day(n), "ProgressIntent", TREATED) == Answer(
        f"Today is day {n} of your recovery, since your treatment on {spoken(TREATED)}. "
        "You're past every milestone in the aftercare guide. Your skin can stay vulnerable for weeks and even "
        "months, so keep using high-factor sunscreen every time you go out.",
        "progress",
        "all_clear",
        permits=True,
        rests_on=TREATED,
    )


OUTDOORS = SPEECH.say("outdoors.general")


def test_going_out_without_a_date_is_the_general_rule_alone():
    assert answer(on_day(55), "OutdoorsIntent", None) == Answer(OUTDOORS)
    assert answer(on_day(55), "OutdoorsIntent", None, day(60)) == Answer(OUTDOORS)


@pytest.mark.parametrize(
    ("n", "verdict", "mine"), [(55, "ask_specialist", "For you, it's not yet"), (56, "safe", "For you, they're over")]
)
def test_going_out_today_is_the_general_rule_then_where_the_patient_is_with_the_sun(n, verdict, mine):
    reply = answer(on_day(n), "OutdoorsIntent", TREATED)
    assert reply == Answer(reply.text, "sun", verdict, verdict == "safe", TREATED, general=OUTDOORS)
    assert reply.text.startswith(f"{OUTDOORS} {mine}")
    assert answer(on_day(n), "OutdoorsIntent", TREATED, day(n)) == reply  # today, said as a date


def test_going_out_on_a_day_ahead_is_that_days_sun_answer_after_the_general_rule():
    sun = answer(on_day(55), "SunIntent", TREATED, day(56))
    reply = answer(on_day(55), "OutdoorsIntent", TREATED, day(56))
    assert reply == Answer(f"{OUTDOORS} {sun.text}", "sun", "safe", True, TREATED, day(56), general=OUTDOORS)


@pytest.mark.parametrize(("n", "verdict"), [(55, "ask_specialist"), (56, "safe")])
def test_how_long_to_avoid_the_sun_is_the_general_rule_then_the_patients_own(n, verdict):
    general = SPEECH.say("sun_duration.general")
    reply = answer(on_day(n), "SunDurationIntent", TREATED)
    assert reply == Answer(reply.text, "sun", verdict, verdict == "safe", TREATED, general=general)
    assert reply.text.startswith(general) and spoken(day(56)) in reply.text
    assert answer(on_day(n), "SunDurationIntent", None) == Answer(general)


@pytest.mark.parametrize(
    ("intent", "key"),
    [
        ("TanningIntent", "tanning.speech"),
        ("PeelingIntent", "peeling.speech"),
        ("SymptomIntent", "symptom.speech"),
        ("SunscreenIntent", "sunscreen.speech"),
        ("OutcomeIntent", "outcome.speech"),
        ("SensitivityIntent", "sensitivity.speech"),
        ("SkincareIntent", "skincare.speech"),
    ],
)
def test_the_same_answer_for_everyone_rests_on_no_date_and_never_says_yes(intent, key):
    for n in (0, 56):
        assert answer(on_day(n), intent, TREATED) == Answer(SPEECH.say(key))
