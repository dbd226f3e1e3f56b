"""Which day each reminder goes off, and how reminders follow the dates: the pure rules alone,
by example and as properties over any record (H18)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from laser_recovery.recovery import Protocol
from laser_recovery.reminders import KINDS, due, follow, when
from laser_recovery.store import PatientRecord, Reminder

PROTOCOL = Protocol.load()
TREATED = date(2026, 11, 20)
DAYS = {"sun": 56, "makeup": 7, "results": 10}


def test_each_reminder_goes_off_on_the_day_its_rule_turns():
    for kind, days in DAYS.items():
        assert due(kind, TREATED, PROTOCOL) == TREATED + timedelta(days=days)
        assert when(kind, PatientRecord(treatments=(TREATED,)), PROTOCOL) == (TREATED, TREATED + timedelta(days=days))


def test_counted_from_the_newest_treatment():
    record = PatientRecord(treatments=(date(2026, 9, 1), TREATED))
    assert when("sun", record, PROTOCOL) == (TREATED, date(2027, 1, 15))


def test_a_treatment_booked_before_the_day_leaves_no_day_but_the_daily_one_runs_past_it():
    booked = PatientRecord(treatments=(TREATED,), planned=(date(2026, 12, 4), date(2027, 3, 1)))
    assert when("sun", booked, PROTOCOL) is None  # whether and when it happens is not known
    assert when("makeup", booked, PROTOCOL) == (TREATED, date(2026, 11, 27))  # booked after its day
    assert when("sunscreen", booked, PROTOCOL) == (date(2026, 12, 4), date(2027, 1, 29))


def test_no_day_without_a_date():
    assert when("sun", PatientRecord(), PROTOCOL) is None


def test_follow_keeps_moves_drops_and_forgets_the_expired():
    sun = Reminder("sun", date(2027, 1, 15), "t-sun")
    makeup = Reminder("makeup", date(2026, 11, 27), "t-makeup")
    record = PatientRecord(treatments=(TREATED,), reminders=(sun, makeup))
    today = date(2026, 11, 24)
    assert follow(record, today, today, PROTOCOL).keep == (sun, makeup)
    assert not follow(record, today, today, PROTOCOL)
    moved = PatientRecord(treatments=(date(2026, 11, 22),), reminders=(sun,))
    assert follow(moved, today, today, PROTOCOL).move == ((sun, date(2027, 1, 17)),)
    later = date(2026, 11, 28)
    assert follow(record, later, later, PROTOCOL).expired == (makeup,)
    unconfirmed = PatientRecord(treatments=(TREATED,), unconfirmed=(TREATED,), reminders=(sun,))
    assert follow(unconfirmed, today, today, PROTOCOL).drop == (sun,)
    undated = PatientRecord(treatments=(TREATED,), undated=today, reminders=(sun,))
    assert follow(undated, today, today, PROTOCOL).drop == (sun,)
    daily = Reminder("sunscreen", date(2027, 1, 15), "t-daily")
    in_doubt = PatientRecord(treatments=(TREATED,), undated=today, reminders=(daily,))
    assert follow(in_doubt, today, today, PROTOCOL).keep == (daily,)  # protective: kept as it is
    booked = PatientRecord(treatments=(TREATED,), planned=(date(2026, 12, 4),), reminders=(sun,))
    assert follow(booked, today, today, PROTOCOL).drop == (sun,)
    forgotten = PatientRecord(reminders=(Reminder("forgotten", date(2027, 1, 15), "t"),))
    assert follow(forgotten, today, today, PROTOCOL).drop == forgotten.reminders
    arrived = PatientRecord(treatments=(TREATED,), planned=(today,), reminders=(sun,))
    assert follow(arrived, today, today, PROTOCOL).drop == (sun,)


def test_a_moved_day_that_has_come_somewhere_is_dropped_not_set():
    makeup = Reminder("makeup", date(2026, 12, 1), "t")
    record = PatientRecord(treatments=(date(2026, 11, 17),), reminders=(makeup,))  # due the 24th
    assert follow(record, date(2026, 11, 23), date(2026, 11, 24), PROTOCOL).drop == (makeup,)


days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


@st.composite
def records(draw: st.DrawFn) -> PatientRecord:
    treatments = tuple(sorted(draw(st.sets(days, max_size=3))))
    reminders = tuple(
        Reminder(kind, draw(days), f"t-{kind}") for kind in draw(st.lists(st.sampled_from(KINDS), unique=True))
    )
    unconfirmed = tuple(draw(st.sets(st.sampled_from(treatments)))) if treatments else ()
    return PatientRecord(
        treatments=treatments,
        unconfirmed=unconfirmed,
        undated=draw(st.one_of(st.none(), days)),
        planned=tuple(sorted(draw(st.sets(days, max_size=2)))),
        reminders=reminders,
    )


@given(records(), days, st.integers(min_value=0, max_value=1))
def test_no_reminder_stands_that_could_go_off_before_its_rule_turns(record: PatientRecord, today: date, spread: int):
    """Whatever the record: every one-time reminder kept or moved goes off after the day its
    rule turns after the newest date, with no treatment booked in between, and only while
    the newest date stands; the daily one never ends before the 8 weeks after the newest
    date; every reminder is accounted for exactly once."""
    latest = today + timedelta(days=spread)
    moves = follow(record, today, latest, PROTOCOL)
    accounted = [*moves.keep, *(r for r, _ in moves.move), *moves.drop, *moves.expired]
    assert sorted(map(id, accounted)) == sorted(map(id, record.reminders))
    standing = [(r, r.day) for r in moves.keep] + list(moves.move)
    for reminder, day in standing:
        assert record.latest is not None
        assert day >= due(reminder.kind, record.latest, PROTOCOL)
        assert reminder in moves.keep or day > latest
        if reminder.kind != "sunscreen":
            assert record.settled and record.arrived(latest) is None
            assert not any(record.latest < booked <= day for booked in record.planned)
    for reminder in moves.expired:
        assert reminder.day < today
