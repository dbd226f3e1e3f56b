"""Answers to the patient's questions: the rules' structured verdicts, then the words for them.

Each answer keeps its verdict beside its words, so the conversation can remember what the
patient heard (and say so when a new date changes it), and tests can check that the words
carry the same verdict as the rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

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


def _on_a_day(
    ctx: Context, topic: str, verdict: Callable[[date], Any], treatment: date, on: date | None, *dates: str
) -> Answer:
    """A verdict for today (counted from the earliest date the patient can be on), or for
    the day asked about; a day already gone is answered for today, and says so. `dates` name
    the verdict's own dates that the words quote (the day the 8 weeks end, say)."""
    speech = ctx.speech
    if on is None or on <= ctx.today.earliest:
        answer, key, about = verdict(ctx.today.earliest), f"{topic}.{{}}", None
    else:
        answer, key, about = verdict(on), f"{topic}.{{}}_on", on
    text = speech.say(
        key.format(answer.verdict.value),
        treatment=speech.weekday_date(treatment),
        on_date=speech.weekday_date(on) if on else "",
        **{name: speech.weekday_date(getattr(answer, name)) for name in dates},
    )
    if on is not None and on < ctx.today.earliest:
        text = f"{text} {speech.say(f'{topic}.past_day', on_date=speech.weekday_date(on))}"
    return Answer(text, topic, answer.verdict.value, answer.permits, treatment, about)


def _sun(ctx: Context, treatment: date | None, on: date | None) -> Answer:
    assert treatment is not None
    rule = ctx.protocol
    return _on_a_day(ctx, "sun", lambda day: recovery.sun(treatment, day, rule), treatment, on, "safe_date")


def _sun_in_general(general_key: str) -> Speak:
    """A general rule about the sun, then where this patient is with it (if their date is known)."""

    def speak(ctx: Context, treatment: date | None, on: date | None) -> Answer:
        speech = ctx.speech
        general = speech.say(general_key)
        if treatment is None:
            return Answer(general)
        answer = recovery.sun(treatment, ctx.today.earliest, ctx.protocol)
        mine = speech.say(
            f"sun_duration.{answer.verdict.value}",
            treatment=speech.weekday_date(treatment),
            safe_date=speech.weekday_date(answer.safe_date),
        )
        return Answer(f"{general} {mine}", "sun", answer.verdict.value, answer.permits, treatment, general=general)

    return speak


def _outdoors(ctx: Context, treatment: date | None, on: date | None) -> Answer:
    """Going out is not sunbathing: the general rule, then where the patient is with the sun,
    today or on the day they asked about."""
    if treatment is None or on is None or on <= ctx.today.earliest:
        return _sun_in_general("outdoors.general")(ctx, treatment, None)
    general = ctx.speech.say("outdoors.general")
    mine = _sun(ctx, treatment, on)
    return replace(mine, text=f"{general} {mine.text}", general=general)


def _makeup(ctx: Context, treatment: date | None, on: date | None) -> Answer:
    assert treatment is not None
    rule = ctx.protocol
    return _on_a_day(ctx, "makeup", lambda day: recovery.makeup(treatment, day, rule), treatment, on, "from_date")


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
    text = speech.say("redness.check", weeks=speech.duration(answer.day), treatment=speech.weekday_date(treatment))
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
    "SunDurationIntent": Kind(_sun_in_general("sun_duration.general"), needs_date=False),
    "MakeupIntent": Kind(_makeup, needs_date=True, takes_day=True),
    # Going out is not sunbathing: outdoors is fine with sunscreen; the sun rule still holds.
    "OutdoorsIntent": Kind(_outdoors, needs_date=False, takes_day=True),
    "ResultsIntent": Kind(_results, needs_date=False),
    "RednessIntent": Kind(_redness, needs_date=False),
    "ProgressIntent": Kind(_progress, needs_date=True),
    "TanningIntent": Kind(_fixed("tanning.speech"), needs_date=False, uses_date=False),
    "PeelingIntent": Kind(_fixed("peeling.speech"), needs_date=False, uses_date=False),
    "SymptomIntent": Kind(_fixed("symptom.speech"), needs_date=False, uses_date=False),
    "SunscreenIntent": Kind(_fixed("sunscreen.speech"), needs_date=False, uses_date=False),
    "OutcomeIntent": Kind(_fixed("outcome.speech"), needs_date=False, uses_date=False),
    "SensitivityIntent": Kind(_fixed("sensitivity.speech"), needs_date=False, uses_date=False),
    "SkincareIntent": Kind(_fixed("skincare.speech"), needs_date=False, uses_date=False),
}


def answer(ctx: Context, intent: str, latest: date | None, on: date | None = None) -> Answer:
    """The answer to a question from the patient's most recent treatment date (if known)."""
    kind = QUESTIONS[intent]
    return kind.speak(ctx, latest if kind.uses_date else None, on)
