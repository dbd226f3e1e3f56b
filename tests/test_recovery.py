"""The recovery rules alone: dates in, answers out; no Alexa anywhere."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from laser_recovery import recovery
from laser_recovery.recovery import Makeup, Protocol, Redness, Results, Sun

TREATED = date(2026, 10, 3)
PROTOCOL = Protocol.load()


def day(n: int) -> date:
    return TREATED + timedelta(days=n)


def test_protocol_file_holds_the_articles_numbers():
    assert (
        Protocol(
            sun_minimum_days=42,
            sun_safe_days=56,
            makeup_days=7,
            results_from_days=7,
            results_by_days=10,
            redness_check_days=56,
        )
        == PROTOCOL
    )


@pytest.mark.parametrize(
    ("n", "verdict"),
    [
        (0, Sun.NOT_YET),
        (41, Sun.NOT_YET),
        (42, Sun.ASK_SPECIALIST),
        (55, Sun.ASK_SPECIALIST),
        (56, Sun.SAFE),
        (57, Sun.SAFE),
        (400, Sun.SAFE),
    ],
)
def test_sun_only_says_yes_from_the_conservative_end(n, verdict):
    answer = recovery.sun(TREATED, day(n), PROTOCOL)
    assert answer.verdict is verdict and answer.permits is (verdict is Sun.SAFE)
    assert answer.day == n and answer.treatment == TREATED
    assert answer.minimum_date == date(2026, 11, 14)
    assert answer.safe_date == date(2026, 11, 28)


def test_sun_for_every_day_of_the_first_year_never_says_safe_early():
    for n in range(-5, 366):
        verdict = recovery.sun(TREATED, day(n), PROTOCOL).verdict
        assert (verdict is Sun.SAFE) == (n >= 56)


@pytest.mark.parametrize(("n", "verdict"), [(0, Makeup.NOT_YET), (6, Makeup.NOT_YET), (7, Makeup.MINIMUM_PASSED)])
def test_makeup_after_a_full_week(n, verdict):
    answer = recovery.makeup(TREATED, day(n), PROTOCOL)
    assert answer.verdict is verdict and answer.from_date == date(2026, 10, 10)


@pytest.mark.parametrize(
    ("n", "verdict", "until"),
    [
        (0, Results.NOT_YET, 7),
        (6, Results.NOT_YET, 1),
        (7, Results.APPEARING, 0),
        (10, Results.APPEARING, 0),
        (11, Results.VISIBLE, 0),
    ],
)
def test_results_window(n, verdict, until):
    answer = recovery.results(TREATED, day(n), PROTOCOL)
    assert (answer.verdict, answer.days_until) == (verdict, until)
    assert (answer.from_date, answer.by_date) == (date(2026, 10, 10), date(2026, 10, 13))


def test_progress_lists_what_passed_and_every_milestone_of_the_next_day():
    early = recovery.progress(TREATED, day(3), PROTOCOL)
    assert early.day == 3 and early.passed == ()
    assert {m.name for m in early.upcoming} == {"makeup", "results_from"}
    middle = recovery.progress(TREATED, day(48), PROTOCOL)
    assert [m.name for m in middle.passed][-1] == "sun_minimum"
    assert [m.name for m in middle.upcoming] == ["sun_safe"]
    assert middle.upcoming[0].date == date(2026, 11, 28)
    assert recovery.progress(TREATED, day(60), PROTOCOL).upcoming == ()


def test_local_midnight_is_the_day_boundary():
    assert recovery.day_number(TREATED, date(2026, 10, 3)) == 0
    assert recovery.day_number(TREATED, date(2026, 11, 28)) == 56


def test_no_day_count_is_ever_negative():
    # A treatment "today" in the furthest-ahead zone is still tomorrow in the furthest-behind.
    assert recovery.day_number(TREATED, day(-1)) == 0
    assert recovery.progress(TREATED, day(-1), PROTOCOL).day == 0
    assert recovery.sun(TREATED, day(-3), PROTOCOL).verdict is Sun.NOT_YET


@pytest.mark.parametrize(("n", "verdict"), [(3, Redness.EXPECTED), (56, Redness.EXPECTED), (57, Redness.CHECK)])
def test_redness_is_expected_for_weeks_then_worth_a_check(n, verdict):
    assert recovery.redness(TREATED, day(n), PROTOCOL).verdict is verdict
    assert recovery.redness(None, day(n), PROTOCOL).verdict is Redness.EXPECTED


def test_a_clinic_with_another_protocol_edits_a_file_not_code(tmp_path: Path):
    path = tmp_path / "protocol.toml"
    path.write_text(
        "[sun]\nminimum_days = 56\nsafe_days = 84\n[makeup]\navoid_days = 14\n"
        "[results]\nvisible_from_days = 7\nvisible_by_days = 14\n[redness]\ncheck_after_days = 90\n"
    )
    clinic = Protocol.load(path)
    assert clinic == replace(
        PROTOCOL, sun_minimum_days=56, sun_safe_days=84, makeup_days=14, results_by_days=14, redness_check_days=90
    )
    assert recovery.sun(TREATED, day(60), clinic).verdict is Sun.ASK_SPECIALIST


def test_an_inconsistent_protocol_is_refused(tmp_path: Path):
    path = tmp_path / "protocol.toml"
    path.write_text(
        "[sun]\nminimum_days = 60\nsafe_days = 56\n[makeup]\navoid_days = 7\n"
        "[results]\nvisible_from_days = 7\nvisible_by_days = 10\n[redness]\ncheck_after_days = 56\n"
    )
    with pytest.raises(ValueError, match="minimum_days"):
        Protocol.load(path)
