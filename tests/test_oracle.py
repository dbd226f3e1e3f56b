"""The conversation oracle: thousands of random conversations through lambda_handler, each
judged after every turn against a model of what the patients really said.

Hypothesis drives households (two accounts, three devices in their own time zones, a
recognised voice and a shared one) through sessions and one-shots: telling dates in every
form Alexa sends them (with a year, yearless, a weekday, "today", "three weeks ago"),
telling dates that are still to come, correcting, choosing, confirming or denying,
forgetting, asking every question about today or another day, while the clock runs across
midnights and DST changes and the Settings API is up, failing, hanging or trickling.

The model keeps, per person, the dates they said and did not take back. After every turn:
- no "yes" to the sun before the true local day 56 of that person's newest date, and none
  to makeup before day 7 (H1-H6);
- every "yes" names the skill's newest date for that person, which is never one still
  waiting for the patient's confirmation (H4, H8);
- a reply that first says a moved date back never also says "yes" (H4);
- no negative day, no treatment date of anyone else, never an apology for a crash;
- the words carry the verdict the skill recorded as heard (sun, makeup).

`make test` runs ORACLE_CONVERSATIONS (2,000) conversations; `make fuzz` runs 50,000.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from laser_recovery.alexa_api import DeadlineApiClient
from laser_recovery.config import Settings
from laser_recovery.skill import lambda_handler_for
from laser_recovery.store import patient_id
from laser_recovery.store.sqlite import SQLiteStore
from tests.alexa import LOOPBACK_API, SKILL_ID, Conversation, Reply, settings_api_server

CONVERSATIONS = int(os.environ.get("ORACLE_CONVERSATIONS", "2000"))
SUN_DAYS, MAKEUP_DAYS = 56, 7  # the article's numbers, kept apart from the skill's own file

ZONES = [
    "UTC",
    "America/Los_Angeles",
    "America/New_York",
    "America/St_Johns",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Africa/Cairo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Etc/GMT+12",
]
QUESTIONS = [
    "SunIntent",
    "MakeupIntent",
    "ProgressIntent",
    "ResultsIntent",
    "SunDurationIntent",
    "RednessIntent",
    "TanningIntent",
    "PeelingIntent",
    "SymptomIntent",
    "UnsureIntent",
    "OutdoorsIntent",
    "SunscreenIntent",
    "OutcomeIntent",
    "SensitivityIntent",
]
OTHER_INTENTS = [
    "AftercareIntent",
    "FactsIntent",
    "AreasIntent",
    "NotCoveredIntent",
    "UpcomingTreatmentIntent",
    "SkincareIntent",
    "AMAZON.HelpIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.NextIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
]

_DATE = r'<say-as interpret-as="date">(\d{8})</say-as>'
_WEEKDAY = r"\w+day, "
SUN_YES_TODAY = re.compile(rf"Yes\. The full 8 weeks since your treatment on {_WEEKDAY}{_DATE} are over")
SUN_YES_ON = re.compile(rf"Yes\. By {_WEEKDAY}{_DATE}, the full 8 weeks since your treatment on {_WEEKDAY}{_DATE}")
SUN_OVER = re.compile(rf"For you, they're over: the full 8 weeks since your treatment on {_WEEKDAY}{_DATE}")
MAKEUP_PASSED = re.compile(rf"The minimum of a week since your treatment on {_WEEKDAY}{_DATE} has passed")
MAKEUP_PASSED_ON = re.compile(
    rf"By {_WEEKDAY}{_DATE}, the minimum of a week since your treatment on {_WEEKDAY}{_DATE} will have passed"
)
SINCE = re.compile(rf"since your treatment on {_WEEKDAY}{_DATE}")
DAY_COUNT = re.compile(r"Today is day (\d+) of your recovery")
ALL_CLEAR = re.compile(r"You're past every milestone|the full 8 weeks away from sunbathing(?: and|\.)")
NEGATIVE_DAY = re.compile(r"day -\d|-\d+ days?\b")


def ymd(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


# -- how Alexa would send what the patient said (written apart from the skill's reading) ----


def next_occurrence(day: date, today: date) -> date | None:
    """A date said without a year: Alexa sends the next such day, today included."""
    if (day.month, day.day) == (2, 29):
        return None
    candidate = day.replace(year=today.year)
    return candidate if candidate >= today else candidate.replace(year=today.year + 1)


def alexa_value(day: date, form: str, today: date) -> tuple[str, str] | None:
    """(slot, value) for a date in the given spoken form, or None if that form can't say it."""
    ago = (today - day).days
    if form == "full":
        return "date", day.isoformat()
    if form == "yearless":
        value = next_occurrence(day, today)
        return None if value is None else ("date", value.isoformat())
    if form == "weekday" and 0 <= ago <= 6:
        ahead = (day.weekday() - today.weekday()) % 7 or 7  # "Monday": the coming one
        return "date", (today + timedelta(days=ahead)).isoformat()
    if form == "today" and ago == 0:
        return "date", "PRESENT_REF"
    if form == "duration" and ago > 0:
        return "duration", f"P{ago // 7}W" if ago % 7 == 0 else f"P{ago}D"
    return None


# -- the model ----------------------------------------------------------------------------


@dataclass
class Person:
    user_id: str
    person_id: str | None
    truth: set[date] = field(default_factory=set)  # the dates they said and did not take back
    meanings: dict[date, date] = field(default_factory=dict)  # a date the skill stored -> meant
    planned: set[date] = field(default_factory=set)  # treatments told of in advance, still to be had

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.user_id, self.person_id)


@dataclass
class Asked:
    """What the skill's last reply on a device asked, and of whom."""

    person: tuple[str, str | None]
    kind: str  # "confirm", "correct", "planned", "still", "reschedule", "choose", "delete"
    day: date | None = None  # confirm: the date asked about; correct: the one called wrong
    meant: date | None = None  # confirm: the date the patient meant; choose: the one to change
    replaces: date | None = None  # confirm: the date a yes takes away (a correction's)


@dataclass
class Device:
    talk: Conversation
    zone: ZoneInfo
    people: list[Person]
    asked: Asked | None = None


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    with settings_api_server(tmp_path_factory.mktemp("tls")) as (api, url, ca_bundle):
        store = SQLiteStore(tmp_path_factory.mktemp("oracle") / "store.sqlite3")
        # A short deadline keeps hanging and trickling lookups cheap; the mechanism is the real one.
        client = DeadlineApiClient(hosts=LOOPBACK_API, deadline=0.1)
        handler = lambda_handler_for(Settings(skill_id=SKILL_ID), store=store, api_client=client)
        api.stall, api.trickle_gap = 0.2, 0.04
        yield api, url, ca_bundle, store, handler


class Household(RuleBasedStateMachine):
    world: tuple = ()  # (Settings API stand-in, its URL, store, handler): set by the test

    def __init__(self) -> None:
        super().__init__()
        self.api, self.url, self.store, self.handler = self.world

    @initialize(
        zones=st.lists(st.sampled_from(ZONES), min_size=3, max_size=3),
        start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
        locale=st.sampled_from(["en-US", "en-GB", "en-AU", "en-IN", "en-CA"]),
    )
    def setup(self, zones: list[str], start: datetime, locale: str) -> None:
        self.now = start.replace(tzinfo=UTC)
        first, second = f"amzn1.ask.account.{uuid.uuid4().hex}", f"amzn1.ask.account.{uuid.uuid4().hex}"
        family = [Person(first, None), Person(first, f"amzn1.ask.person.{uuid.uuid4().hex}")]
        alone = [Person(second, None)]
        self.devices = []
        for zone, (user, people) in zip(zones, [(first, family), (first, family), (second, alone)], strict=True):
            talk = Conversation(self.handler, api_endpoint=self.url, user_id=user, locale=locale)
            self.api.zones[talk.device_id] = zone
            self.devices.append(Device(talk, ZoneInfo(zone), people))
        self.api.behaviour, self.api.outage_calls = "up", None
        self.api.reminders.reset()

    # -- who speaks, and when --------------------------------------------------------------

    def pick(self, device_ix: int, person_ix: int) -> tuple[Device, Person]:
        device = self.devices[device_ix % len(self.devices)]
        return device, device.people[person_ix % len(device.people)]

    def today(self, device: Device) -> date:
        return self.now.astimezone(device.zone).date()

    @rule(minutes=st.integers(1, 60 * 24 * 21))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        if minutes > 60:
            self.api.behaviour = "up"  # an outage does not last for hours
        for device in self.devices:
            if minutes > 8:  # a session does not outlive a few minutes of silence
                device.talk.hang_up()
                device.asked = None

    @rule(device_ix=st.integers(0, 2), minutes=st.integers(-90, 90))
    def near_local_midnight(self, device_ix: int, minutes: int) -> None:
        device = self.devices[device_ix]
        local = self.now.astimezone(device.zone)
        midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), device.zone)
        self.now = max(self.now, (midnight + timedelta(minutes=minutes)).astimezone(UTC))
        self.hang_up_all()

    @rule(device_ix=st.integers(0, 2), minutes=st.integers(-120, 120))
    def near_a_dst_change(self, device_ix: int, minutes: int) -> None:
        zone = self.devices[device_ix].zone
        probe = self.now
        for _ in range(400):
            after = probe + timedelta(days=1)
            if probe.astimezone(zone).utcoffset() != after.astimezone(zone).utcoffset():
                self.now = max(self.now, probe + timedelta(hours=12, minutes=minutes))
                break
            probe = after
        self.hang_up_all()

    @rule(behaviour=st.sampled_from(["up"] * 6 + ["failing"] * 3 + ["hang", "trickle"]), calls=st.integers(1, 3))
    def settings_api(self, behaviour: str, calls: int) -> None:
        self.api.behaviour = behaviour
        self.api.outage_calls = calls if behaviour in ("hang", "trickle") else None

    @rule(device_ix=st.integers(0, 2))
    def session_ends(self, device_ix: int) -> None:
        self.devices[device_ix].talk.hang_up()
        self.devices[device_ix].asked = None

    def hang_up_all(self) -> None:
        for device in self.devices:
            device.talk.hang_up()
            device.asked = None

    # -- what the patient says ---------------------------------------------------------------

    @rule(
        device_ix=st.integers(0, 2),
        person_ix=st.integers(0, 1),
        back=st.one_of(st.integers(0, 500), st.integers(0, 60)),  # often a recent one: reminders to come
        form=st.sampled_from(["full", "yearless", "weekday", "today", "duration"]),
        still_to_come=st.integers(0, 600),
        mistaken=st.booleans(),
        open_first=st.booleans(),
    )
    def tell_a_date(self, device_ix, person_ix, back, form, still_to_come, mistaken, open_first) -> None:
        device, person = self.pick(device_ix, person_ix)
        today = self.today(device)
        # Mostly a date the patient had; sometimes one still to come (a plan, a mishearing).
        had = not (mistaken and still_to_come)
        meant = today - timedelta(days=back) if had else today + timedelta(days=still_to_come)
        said = alexa_value(meant, form if had else "full", today)
        if said is None:
            return
        if open_first and device.talk.attributes is None:
            self.send(device, person, "LaunchRequest")
        if had and not self.unplaced(device, person):  # a voice that can't be placed: not kept
            person.truth.add(meant)
        before = self.stored(person)
        self.send(device, person, "RecordTreatmentIntent", meant=meant, **{said[0]: said[1]})
        added = self.stored(person) - before
        if not had and added - self.checking(device, person):
            person.truth |= added - self.checking(device, person)  # said back and let stand (H4)

    @rule(
        device_ix=st.integers(0, 2),
        person_ix=st.integers(0, 1),
        which=st.integers(0, 9),
        back=st.integers(0, 400),
        form=st.sampled_from(["full", "yearless", "weekday", "duration"]),
    )
    def correct_a_date(self, device_ix, person_ix, which, back, form) -> None:
        device, person = self.pick(device_ix, person_ix)
        today = self.today(device)
        new = today - timedelta(days=back)
        said = alexa_value(new, form, today)
        if said is None:
            return
        asked = self.asked_of(device, person)
        if self.unplaced(device, person):  # not kept, so nothing to take back either
            self.send(device, person, "CorrectTreatmentIntent", meant=new, **{said[0]: said[1]})
            return
        if asked is not None and asked.kind == "confirm" and asked.day is not None:
            target: date | None = asked.day  # "no, it was ...": the date being checked
            person.truth.discard(person.meanings.get(asked.day, asked.day))  # and what it stood for
        elif asked is not None and asked.kind == "correct":
            target = asked.day  # the answer to "what's the correct date?"
        else:
            truth = sorted(person.truth)
            target = truth[which % len(truth)] if truth else None
        if target is not None:
            person.truth.discard(target)
        person.truth.add(new)
        self.send(device, person, "CorrectTreatmentIntent", meant=new, **{said[0]: said[1]})
        if device.asked is not None and device.asked.kind == "choose":
            device.asked.meant = target

    @rule(device_ix=st.integers(0, 2), person_ix=st.integers(0, 1), ahead=st.integers(0, 120))
    def tell_of_a_coming_treatment(self, device_ix, person_ix, ahead) -> None:
        """ "My next session is on ..." (or "my treatment is today"): from its day, the patient
        has had it (unless they later say they haven't)."""
        device, person = self.pick(device_ix, person_ix)
        day = self.today(device) + timedelta(days=ahead)
        asked = self.asked_of(device, person)
        if not self.unplaced(device, person):
            if asked is not None and asked.kind == "reschedule" and asked.day is not None:
                person.planned.discard(asked.day)  # "it's now on ...": moved
            (person.truth if ahead == 0 else person.planned).add(day)
        self.send(device, person, "UpcomingTreatmentIntent", meant=day, date=day.isoformat())

    @rule(device_ix=st.integers(0, 2), person_ix=st.integers(0, 1), stray=st.integers(0, 900))
    def choose_a_treatment(self, device_ix, person_ix, stray) -> None:
        device, person = self.pick(device_ix, person_ix)
        asked = self.asked_of(device, person)
        if asked is not None and asked.kind == "choose" and asked.meant is not None:
            self.send(device, person, "ChooseTreatmentIntent", date=asked.meant.isoformat())
        else:
            day = self.today(device) - timedelta(days=stray)
            self.send(device, person, "ChooseTreatmentIntent", date=day.isoformat())

    @rule(device_ix=st.integers(0, 2), person_ix=st.integers(0, 1), truthful=st.booleans(), yes=st.booleans())
    def yes_or_no(self, device_ix, person_ix, truthful, yes) -> None:
        device, person = self.pick(device_ix, person_ix)
        asked = self.asked_of(device, person)
        if truthful and asked is not None and asked.kind == "confirm":
            yes = person.meanings.get(asked.day) == asked.day  # type: ignore[arg-type]
        if asked is not None and asked.kind == "confirm" and asked.day is not None:
            if yes:
                person.truth.add(asked.day)  # the patient says it was so
                if asked.replaces is not None:
                    person.truth.discard(asked.replaces)  # and not the date it corrects
            else:
                person.truth.discard(asked.day)
        if asked is not None and asked.kind == "planned" and asked.day is not None:
            if truthful:
                yes = asked.day in person.planned
            if yes:
                person.planned.discard(asked.day)
                person.truth.add(asked.day)  # had it
        if asked is not None and asked.kind == "still" and asked.day is not None and not yes:
            person.planned.discard(asked.day)  # called off
        if asked is not None and asked.kind == "delete" and yes:
            person.truth.clear()
            person.planned.clear()
        self.send(device, person, "AMAZON.YesIntent" if yes else "AMAZON.NoIntent")

    @rule(
        device_ix=st.integers(0, 2),
        person_ix=st.integers(0, 1),
        kind=st.sampled_from(["sun", "sun", "makeup", "results", "sunscreen"]),
        allowed=st.booleans(),
        consent=st.sampled_from(["ACCEPTED", "ACCEPTED", "DENIED", "NOT_ANSWERED"]),
        at=st.sampled_from(["07:00", "08:30", "12:00", "21:45"]),
    )
    def ask_for_a_reminder(self, device_ix, person_ix, kind, allowed, consent, at) -> None:
        """ "Remind me when I can sunbathe" (or the daily sunscreen one), with the permission
        given before, or asked for by voice and answered."""
        device, person = self.pick(device_ix, person_ix)
        device.talk.reminders_allowed = allowed
        slots = {"time": at} if kind == "sunscreen" else {}
        self.send(device, person, "RemindIntent", resolved={"reminder": kind}, reminder=kind, consent=consent, **slots)

    @rule(device_ix=st.integers(0, 2), person_ix=st.integers(0, 1))
    def cancel_reminders(self, device_ix, person_ix) -> None:
        device, person = self.pick(device_ix, person_ix)
        self.send(device, person, "CancelRemindersIntent")

    @invariant()
    def reminders_go_off_when_the_rules_turn(self) -> None:
        """Every reminder still to go off (as the Reminders API holds it) is listed in its
        patient's record, and its day is no earlier than the rule allows after the newest
        treatment the patient has had by then, told or booked (H18)."""
        if not getattr(self, "devices", None):
            return
        owners = {}
        for person in {p.key: p for d in self.devices for p in d.people}.values():
            record = self.store.get(patient_id(person.user_id, person.person_id))
            for reminder in record.reminders if record else ():
                owners[reminder.token] = (person, reminder)
        horizon = self.now.date() + timedelta(days=2)  # still to come in every zone
        for token, body in self.api.reminders.set.items():
            trigger = body["trigger"]
            daily = trigger.get("recurrence")
            day = datetime.fromisoformat(daily["endDateTime"] if daily else trigger["scheduledTime"]).date()
            if day < horizon:
                continue
            assert token in owners, f"a reminder no record lists, for {day}"
            person, reminder = owners[token]
            assert reminder.day == day, f"listed for {reminder.day}, set for {day}"
            newest = self.newest(person, day)
            rule_days = {"sun": SUN_DAYS, "sunscreen": SUN_DAYS, "makeup": MAKEUP_DAYS, "results": 10}[reminder.kind]
            assert newest is not None and (day - newest).days >= rule_days, (
                f"{reminder.kind} reminder on {day}, newest treatment {newest}"
            )

    @rule(device_ix=st.integers(0, 2), person_ix=st.integers(0, 1))
    def forget(self, device_ix, person_ix) -> None:
        device, person = self.pick(device_ix, person_ix)
        reply = self.send(device, person, "ForgetIntent")
        if "nothing to delete" in reply.text:
            person.truth.clear()

    @rule(
        device_ix=st.integers(0, 2),
        person_ix=st.integers(0, 1),
        question=st.sampled_from(QUESTIONS),
        day=st.one_of(st.none(), st.integers(-30, 400)),
        form=st.sampled_from(["full", "yearless", "vague", "today"]),
    )
    def ask(self, device_ix, person_ix, question, day, form) -> None:
        device, person = self.pick(device_ix, person_ix)
        slots: dict[str, str] = {}
        if question in ("SunIntent", "MakeupIntent", "OutdoorsIntent") and day is not None:
            today = self.today(device)
            on = today + timedelta(days=day)
            value = {
                "full": on.isoformat(),
                "yearless": (next_occurrence(on, today) or on).isoformat(),
                "vague": f"{on.year}-W{on.isocalendar()[1]:02d}",
                "today": "PRESENT_REF",
            }[form]
            slots["date"] = value
        self.send(device, person, question, **slots)

    @rule(device_ix=st.integers(0, 1), question=st.sampled_from(["SunIntent", "MakeupIntent", "ProgressIntent"]))
    def not_recognised(self, device_ix, question) -> None:
        """The recognised voice, not recognised this time: the skill can only use the
        household's shared record, which may hold someone else's dates."""
        device = self.devices[device_ix]
        person = device.people[1]
        own = self.store.get(patient_id(person.user_id, person.person_id))
        talk = device.talk
        talk.person_id, talk.now = None, self.now.strftime("%Y-%m-%dT%H:%M:%SZ")
        reply = talk.say(question)
        # To the skill this is the household's shared record speaking (people[0]): what it
        # asked, it asked of that record, and a "yes" from that voice answers it.
        shared = device.people[0]
        device.asked = self.what_was_asked(shared, reply) if reply.ends is False else None
        if own is not None and own.treatments:
            context = f"{question} unrecognised: {reply.text}"
            assert 'interpret-as="date"' not in reply.ssml, f"a household date: {context}"
            assert not SUN_YES_TODAY.search(reply.ssml) and not SUN_OVER.search(reply.ssml), context
            assert not MAKEUP_PASSED.search(reply.ssml) and "You're past every milestone" not in reply.text, context

    @rule(device_ix=st.integers(0, 2), person_ix=st.integers(0, 1))
    def open_the_skill(self, device_ix, person_ix) -> None:
        """ "Alexa, open laser recovery": a new session, and where the patient is, first."""
        device, person = self.pick(device_ix, person_ix)
        device.talk.hang_up()
        device.asked = None
        self.send(device, person, "LaunchRequest")

    @rule(device_ix=st.integers(0, 2), person_ix=st.integers(0, 1), intent=st.sampled_from(OTHER_INTENTS))
    def something_else(self, device_ix, person_ix, intent) -> None:
        device, person = self.pick(device_ix, person_ix)
        self.send(device, person, intent)

    # -- one turn, and the judgement on it ---------------------------------------------------

    def asked_of(self, device: Device, person: Person) -> Asked | None:
        asked = device.asked
        return asked if asked is not None and asked.person == person.key else None

    def unplaced(self, device: Device, person: Person) -> bool:
        """The shared voice, in a household where the other voice has dates of its own: the
        shared record may hold that person's dates (H6)."""
        other = device.people[-1]
        return person.person_id is None and other is not person and bool(self.stored(other))

    def stored(self, person: Person) -> set[date]:
        record = self.store.get(patient_id(person.user_id, person.person_id))
        return set(record.treatments) if record else set()

    def send(
        self,
        device: Device,
        person: Person,
        intent: str,
        meant: date | None = None,
        consent: str = "ACCEPTED",
        **slot_values: Any,
    ) -> Reply:
        talk = device.talk
        talk.person_id = person.person_id
        talk.now = self.now.strftime("%Y-%m-%dT%H:%M:%SZ")
        before = self.stored(person)
        unplaced = self.unplaced(device, person)
        reply = talk.launch() if intent == "LaunchRequest" else talk.say(intent, **slot_values)
        asking = [d for d in reply.directives if d.get("type") == "Connections.SendRequest"]
        if asking:  # Alexa asks for the reminders permission, and comes back with the answer
            assert "outputSpeech" not in reply.response and reply.ends is None, intent
            reply = talk.permission_answer(consent, asking[0]["token"])
        added = self.stored(person) - before
        if unplaced:  # no household date is said to such a voice, nor added by it (H6)
            context = f"{intent} unplaced: {reply.text}"
            assert 'interpret-as="date"' not in reply.ssml and not added, context
            assert not DAY_COUNT.search(reply.text), context
        for day in added:
            if meant is not None:
                person.meanings[day] = meant
        # A moved date said back with its year (no check asked of it) is the patient's to let
        # stand; a day count in the same reply may rest on it, a "yes" may not (checked apart).
        asked = self.what_was_asked(person, reply)
        checking = {asked.day} if asked is not None and asked.kind == "confirm" else set()
        said_back = added - checking if "so I took" in reply.text else set()
        self.judge(device, person, intent, reply, said_back)
        previous, device.asked = device.asked, self.what_was_asked(person, reply)
        if device.asked is not None and previous is not None and previous.kind == device.asked.kind == "choose":
            device.asked.meant = previous.meant  # asked again after a day it did not know
        if reply.ends is not False:
            device.asked = None
        return reply

    def newest(self, person: Person, by: date) -> date | None:
        """The newest treatment the patient has had by `by`: told, or told of in advance and come."""
        had = person.truth | {day for day in person.planned if day <= by}
        return max(had) if had else None

    def checking(self, device: Device, person: Person) -> set[date]:
        """The date the skill's last reply on the device asks this person to confirm."""
        asked = self.asked_of(device, person)
        return {asked.day} if asked is not None and asked.kind == "confirm" and asked.day else set()

    def what_was_asked(self, person: Person, reply: Reply) -> Asked | None:
        if "Just to check" in reply.text:
            found = re.search(rf"Just to check[^?]*?{_DATE}", reply.ssml)
            assert found is not None, reply.text
            # What a yes would take away is the skill's to say: a correction's replaced date.
            people = (reply.session.get("conversation") or {}).get("people") or {}
            expecting = list(people.values())[-1].get("expecting") if people else None
            replaces = (expecting or {}).get("replaces")
            taken = date.fromisoformat(replaces) if replaces else None
            return Asked(person.key, "confirm", ymd(found[1]), replaces=taken)
        people = (reply.session.get("conversation") or {}).get("people") or {}
        waiting = (list(people.values())[-1].get("expecting") if people else None) or {}
        if waiting.get("kind") in ("StillToComeWanted", "RescheduleWanted"):
            kind = "still" if waiting["kind"] == "StillToComeWanted" else "reschedule"
            return Asked(person.key, kind, date.fromisoformat(waiting["day"]))
        if "Did you have it?" in reply.text:  # the day of a treatment told of in advance has come
            found = re.search(rf"next treatment was on {_WEEKDAY}{_DATE}", reply.ssml)
            assert found is not None, reply.text
            return Asked(person.key, "planned", ymd(found[1]))
        if "wasn't on" in reply.text:  # the date the patient called wrong, asked for again
            found = re.search(rf"wasn't on {_WEEKDAY}{_DATE}", reply.ssml)
            assert found is not None, reply.text
            return Asked(person.key, "correct", ymd(found[1]))
        if "Which one should I change" in reply.text:
            return Asked(person.key, "choose")
        if "delete every treatment date" in reply.text:
            return Asked(person.key, "delete")
        return None

    def judge(self, device: Device, person: Person, intent: str, reply: Reply, said_back: set[date]) -> None:
        text, ssml = reply.text, reply.ssml
        context = f"{intent} at {self.now.isoformat()} in {device.zone.key}: {text}"
        assert ssml.startswith("<speak>") and ssml.endswith("</speak>") and "{" not in ssml, context
        assert "something went wrong" not in text, context
        assert reply.ends in (True, False) and (reply.ends or reply.reprompt), context
        assert not NEGATIVE_DAY.search(text), context

        record = self.store.get(patient_id(person.user_id, person.person_id))
        stored = set(record.treatments) if record else set()
        latest = record.latest if record else None
        unconfirmed = record.unconfirmed if record else ()
        today = self.today(device)
        newest_said = self.newest(person, today)

        planned = record.planned if record else ()

        def rests_on_for(on: date | None) -> date | None:
            """What a verdict about `on` must count from: the newest date, or the newest
            treatment told of in advance on or before `on`."""
            coming = [day for day in planned if on is not None and day <= on]
            return max([*coming, *([latest] if latest else [])], default=None)

        for match in SINCE.finditer(ssml):  # never another person's date
            assert ymd(match[1]) in stored or ymd(match[1]) in planned, context

        today_yes = [(None, ymd(m[1])) for m in SUN_YES_TODAY.finditer(ssml)]
        on_yes = [(ymd(m[1]), ymd(m[2])) for m in SUN_YES_ON.finditer(ssml)]
        over = [(None, ymd(m[1])) for m in SUN_OVER.finditer(ssml)]
        yeses = today_yes + on_yes + over
        # Every way the words can say yes is one of the three forms above.
        assert len(re.findall(r"(?:^|\. |: )Yes\.", text)) == len(today_yes) + len(on_yes), context
        assert text.count("sunbathing is fine") == len(today_yes) + len(over), context
        assert text.count("sunbathing will be fine") == len(on_yes), context
        assert "Yes" not in text.replace("Yes.", ""), context
        for on, rests_on in yeses:
            assert rests_on == rests_on_for(on) and rests_on not in unconfirmed, f"yes on the wrong date: {context}"
            newest = self.newest(person, on or today)
            assert newest is not None, f"yes on a date never said: {context}"
            assert ((on or today) - newest).days >= SUN_DAYS, f"early sun yes: {context}"
        counted_from = max(person.truth | said_back) if person.truth | said_back else None
        for match in DAY_COUNT.finditer(text):  # a day count never runs ahead of the truth
            assert counted_from is not None and int(match[1]) <= (today - counted_from).days, context
        if ALL_CLEAR.search(text) and "You're past" in text:
            assert newest_said is not None and (today - newest_said).days >= SUN_DAYS, f"early all-clear: {context}"
        for match in MAKEUP_PASSED.finditer(ssml):
            rests_on = ymd(match[1])
            assert rests_on == latest and rests_on not in unconfirmed, context
            assert newest_said is not None and (today - newest_said).days >= MAKEUP_DAYS, f"early makeup: {context}"
        for match in MAKEUP_PASSED_ON.finditer(ssml):
            on, rests_on = ymd(match[1]), ymd(match[2])
            assert rests_on == rests_on_for(on) and rests_on not in unconfirmed, context
            newest = self.newest(person, on)
            assert newest is not None and (on - newest).days >= MAKEUP_DAYS, f"early makeup: {context}"
        if "so I took" in text or "Just to check" in text:
            assert not yeses and not MAKEUP_PASSED.search(ssml), f"a yes with a moved date: {context}"
            assert not MAKEUP_PASSED_ON.search(ssml), f"a yes with a moved date: {context}"
        if intent == "TanningIntent":
            assert not yeses, context

        state = reply.session.get("conversation") or {}
        heard = {
            topic: h["verdict"] for topic, h in (state.get("heard") or {}).items() if h.get("turn") == state.get("turn")
        }
        if heard.get("sun") == "safe":
            assert any(on is None for on, _ in yeses), f"a safe verdict not said as yes: {context}"
        elif "sun" in heard:
            assert "not yet" in text.lower() and not any(on is None for on, _ in yeses), context
        if "makeup" in heard:
            assert (heard["makeup"] == "minimum_passed") == bool(MAKEUP_PASSED.search(ssml)), context


def test_no_conversation_gets_a_wrong_yes(world, monkeypatch: pytest.MonkeyPatch) -> None:
    api, url, ca_bundle, store, handler = world
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_bundle))
    Household.world = (api, url, store, handler)
    run_state_machine_as_test(
        Household,
        settings=settings(
            max_examples=CONVERSATIONS,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
