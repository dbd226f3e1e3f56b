"""Answers to the patient's questions: the rules' structured verdicts, then the words for them.

Each answer keeps its verdict beside its words, so the conversation can remember what the
patient heard (and say so when a new date changes it), and tests can check that the words
carry the same verdict as the rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from . import recovery
from .dates import LocalDay
from .recovery import Protocol
from .speech import Speech


@dataclass(frozen=True)
class Answer:
    text: str
    topic: str | None = None  # a verdict the session remembers: "sun", "makeup"
    verdict: str | None = None
    permits: bool = False  # a "yes": sunbathing is fine, or makeup's minimum has passed
    rests_on: date | None = None  # the treatment date the answer was built from
    on: date | None = None  # the day the verdict is about, when not today
    general: str | None = None  # the part true for everyone, before the patient's own

    @property
    def key(self) -> str | None:
        """What the verdict is about: "sun" for today, "sun@2026-12-20" for that day."""
        if self.topic is None:
            return None
        return self.topic if self.on is None else f"{self.topic}@{self.on.isoformat()}"


@dataclass(frozen=True)
class Context:
    speech: Speech
    protocol: Protocol
    today: LocalDay


Speak = Callable[[Context, date | None, date | None], Answer]


def _sun(ctx: Context, treatment: date | None, on: date | None) -> Answer:
    assert treatment is not None
    speech = ctx.speech
    past = on is not None and on < ctx.today.earliest
    if on is None or on <= ctx.today.earliest:
        # Today (or a day gone): counted from the earliest date the patient can be on.
        answer = recovery.sun(treatment, ctx.today.earliest, ctx.protocol)
        key, about = f"sun.{answer.verdict.value}", None
    else:
        answer = recovery.sun(treatment, on, ctx.protocol)
        key, about = f"sun.{answer.verdict.value}_on", on
    text = speech.say(
        key,
        treatment=speech.weekday_date(treatment),
        safe_date=speech.weekday_date(answer.safe_date),
        on_date=speech.weekday_date(on) if on else "",
    )
    if past and on is not None:
        text = f"{text} {speech.say('sun.past_day', on_date=speech.weekday_date(on))}"
    return Answer(text, "sun", answer.verdict.value, answer.permits, treatment, about)


def _sun_duration(ctx: Context, treatment: date | None, on: date | None) -> Answer:
    speech = ctx.speech
    general = speech.say("sun_duration.general")
    if treatment is None:
        return Answer(general)
    answer = recovery.sun(treatment, ctx.today.earliest, ctx.protocol)
    mine = speech.say(
        f"sun_duration.{answer.verdict.value}",
        treatment=speech.weekday_date(treatment),
        safe_date=speech.weekday_date(answer.safe_date),
    )
    return Answer(f"{general} {mine}", "sun", answer.verdict.value, answer.permits, treatment, general=general)


def _makeup(ctx: Context, treatment: date | None, on: date | None) -> Answer:
    assert treatment is not None
    speech = ctx.speech
    answer = recovery.makeup(treatment, ctx.today.earliest, ctx.protocol)
    text = speech.say(
        f"makeup.{answer.verdict.value}",
        treatment=speech.weekday_date(treatment),
        from_date=speech.weekday_date(answer.from_date),
    )
    return Answer(text, "makeup", answer.verdict.value, answer.permits, treatment)


def _results(ctx: Context, treatment: date | None, on: date | None) -> Answer:
    speech = ctx.speech
    general = speech.say("results.general")
    if treatment is None:
        return Answer(general)
    answer = recovery.results(treatment, ctx.today.earliest, ctx.protocol)
    text = speech.say(
        f"results.{answer.verdict.value}",
        day=answer.day,
        treatment=speech.weekday_date(treatment),
        in_days=speech.until(answer.days_until),
        from_date=speech.weekday_date(answer.from_date),
        by_date=speech.weekday_date(answer.by_date),
    )
    return Answer(text, rests_on=treatment, general=general)


def _redness(ctx: Context, treatment: date | None, on: date | None) -> Answer:
    speech = ctx.speech
    answer = recovery.redness(treatment, ctx.today.earliest, ctx.protocol)
    general = speech.say("redness.expected")
    if answer.verdict is recovery.Redness.EXPECTED or treatment is None or answer.day is None:
        return Answer(general)
    text = speech.say(
        "redness.check", weeks=speech.duration(answer.day), treatment=speech.weekday_date(treatment)
    )
    return Answer(text, rests_on=treatment, general=general)


def _progress(ctx: Context, treatment: date | None, on: date | None) -> Answer:
    assert treatment is not None
    speech = ctx.speech
    where = recovery.progress(treatment, ctx.today.earliest, ctx.protocol)
    if where.day == 0:
        today = speech.say("progress.treatment_day", date=speech.weekday_date(treatment))
    else:
        today = speech.say("progress.today", day=where.day, date=speech.weekday_date(treatment))
    if not where.upcoming:
        # Past every milestone, the full weeks away from sunbathing among them: a "yes".
        text = f"{today} {speech.say('progress.all_done')}"
        return Answer(text, "progress", "all_clear", permits=True, rests_on=treatment)
    names = [speech.say(f"progress.milestones.{m.name}") for m in where.passed[-3:]]
    passed = speech.say("progress.passed", items=speech.join(names)) if names else speech.say("progress.early")
    first = where.upcoming[0]
    upcoming = speech.say(
        "progress.next",
        items=speech.join([speech.say(f"progress.milestones.{m.name}") for m in where.upcoming]),
        date=speech.weekday_date(first.date),
        in_days=speech.until((first.date - ctx.today.earliest).days),
    )
    return Answer(f"{today} {passed} {upcoming}", "progress", "ongoing", rests_on=treatment)


def _fixed(key: str) -> Speak:
    def speak(ctx: Context, treatment: date | None, on: date | None) -> Answer:
        return Answer(ctx.speech.say(key))

    return speak


@dataclass(frozen=True)
class Kind:
    speak: Speak
    needs_date: bool  # without a treatment date there is no honest answer: ask for it
    takes_day: bool = False  # "can I sunbathe on December 20th?"
    uses_date: bool = True  # False: the same answer for everyone, so the store is not read


QUESTIONS: dict[str, Kind] = {
    "SunIntent": Kind(_sun, needs_date=True, takes_day=True),
    "SunDurationIntent": Kind(_sun_duration, needs_date=False),
    "MakeupIntent": Kind(_makeup, needs_date=True),
    "ResultsIntent": Kind(_results, needs_date=False),
    "RednessIntent": Kind(_redness, needs_date=False),
    "ProgressIntent": Kind(_progress, needs_date=True),
    "TanningIntent": Kind(_fixed("tanning.speech"), needs_date=False, uses_date=False),
    "PeelingIntent": Kind(_fixed("peeling.speech"), needs_date=False, uses_date=False),
    "SymptomIntent": Kind(_fixed("symptom.speech"), needs_date=False, uses_date=False),
}


def answer(ctx: Context, intent: str, latest: date | None, on: date | None = None) -> Answer:
    """The answer to a question from the patient's most recent treatment date (if known)."""
    kind = QUESTIONS[intent]
    return kind.speak(ctx, latest if kind.uses_date else None, on)
