"""The conversation loop: typed lines in, real request envelopes to the skill, answers out.

The console plays the device and the Alexa service: it opens and keeps sessions, hands the
skill's session attributes back, listens for an elicited slot, re-prompts on silence, and
may read the clock (the skill never does: it only sees the request timestamp).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..config import Settings
from ..skill import Skill, build_skill
from .alexa_dates import words
from .envelopes import (
    Session,
    envelope,
    intent_request,
    launch_request,
    permission_answer,
    session_ended_request,
)
from .nlu import Match, Slot, Understanding
from .plain_text import speech_text
from .settings_api import ConsoleSettingsApi
from .voice import Voice

log = logging.getLogger(__name__)

LAUNCH_VERBS = ("open", "launch", "start", "begin", "load", "run")
ONE_SHOT_VERBS = ("ask", "tell")
# Alexa drops these between the invocation name and the request ("ask X to ...").
CONNECTING_WORDS = ("to", "if", "whether", "about", "for", "that")

HELP = """\
Type what you would say to Alexa, for example: can I sunbathe yet
  open laser recovery                 start a session (any other line starts one too)
  ask laser recovery can I tan yet    a one-shot request: answered, then the session ends
  (an empty line)                     silence: Alexa re-prompts, then closes the session
Commands:
  :today YYYY-MM-DD | +N | -N         set the date (ends the session: a new day, a new session)
  :time HH:MM                         set the time of day
  :zone Area/City                     set the time zone (ends the session)
  :new                                end the session; the next line starts a new one
  :reminders                          the reminders the skill has set (Alexa would keep them)
  :help                               this text
  :quit                               leave (so do Ctrl-D and Ctrl-C)"""


@dataclass
class Clock:
    """The moment the console pretends it is, in the patient's zone."""

    today: date
    time_of_day: time
    zone: ZoneInfo

    def now(self) -> datetime:
        return datetime.combine(self.today, self.time_of_day, tzinfo=self.zone)


class Console:
    def __init__(
        self,
        *,
        clock: Clock,
        store: Path,
        locale: str,
        understanding: Understanding,
        out: TextIO,
        voice: Voice | None = None,
        debug: bool = False,
        styled: bool = False,
    ) -> None:
        self.clock = clock
        self.store = store
        self.locale = locale
        self.nlu = understanding
        self.out = out
        self.voice = voice
        self.debug = debug
        self.styled = styled
        self._skill = self._build()
        self._session: Session | None = None
        self._eliciting: tuple[str, str, dict[str, Any]] | None = None  # intent, slot, slots so far
        self._silences = 0
        self._last_reprompt = ""
        self._reminders_allowed = False

    def _build(self) -> Skill:
        settings = Settings(local_store=self.store)
        self._apis = ConsoleSettingsApi(lambda: self.clock.zone.key)
        return build_skill(settings, api_client=self._apis)

    # -- the loop ----------------------------------------------------------------------

    def run(self, lines: Iterable[str], *, echo: bool) -> None:
        """Handle lines until :quit or the end of input; a session still open is closed."""
        try:
            for line in lines:
                if echo:
                    self._print(f"> {line.rstrip()}")
                if not self.handle(line):
                    break
        finally:
            self.end_session("USER_INITIATED", quiet=True)

    def handle(self, line: str) -> bool:
        """One typed line; False when the console should stop."""
        text = line.strip()
        if text.startswith(":"):
            return self._command(text)
        if not text:
            self._silence()
            return True
        self._silences = 0
        self._utterance(text)
        return True

    # -- what was said -----------------------------------------------------------------

    def _utterance(self, text: str) -> None:
        said = words(text)
        if said[:1] == ["alexa"]:
            said = said[1:]
        if not said:  # only punctuation, or just the wake word: nothing Alexa could send
            self._silence()
            return
        invocation = self.nlu.invocation.split()
        n = len(invocation)
        if said == invocation or (said[:1] and said[0] in LAUNCH_VERBS and said[1:] == invocation):
            self.end_session("USER_INITIATED", quiet=True)
            self._launch()
            return
        if said[:1] and said[0] in ONE_SHOT_VERBS and said[1 : 1 + n] == invocation:
            request = said[1 + n :]
            if request[:1] and request[0] in CONNECTING_WORDS and len(request) > 1:
                request = request[1:]
            self.end_session("USER_INITIATED", quiet=True)
            if request:
                self._intent(" ".join(request))  # a one-shot: the request opens the session
            else:
                self._launch()
            return
        if self._session is None:
            self._launch()  # people open the skill before asking; the console does it for them
            if self._session is None:
                return
        self._intent(" ".join(said))

    def _launch(self) -> None:
        self._note_debug("LaunchRequest")
        self._show(self._send(launch_request()))

    def _intent(self, text: str) -> None:
        today = self.clock.today
        dialog_state = None
        match = None
        if self._eliciting is not None:
            # Alexa listens for the elicited slot first, with that slot's own samples.
            intent, slot, so_far = self._eliciting
            answer = self.nlu.understand_slot(intent, slot, text, today)
            if answer is not None:
                match = Match(intent, {**_known_slots(so_far), **answer.slots}, answer.sample)
                dialog_state = "IN_PROGRESS"
        if match is None:
            match = self.nlu.understand(text, today)
            if match.intent in self.nlu.dialog_intents:
                same = self._eliciting is not None and self._eliciting[0] == match.intent
                dialog_state = "IN_PROGRESS" if same else "STARTED"
        if match.fallback:
            self._note("(no sample utterance matches; Alexa would send AMAZON.FallbackIntent)")
        self._note_debug(_describe(match, dialog_state))
        slot_names = list(self.nlu.slot_types.get(match.intent, {}))
        self._show(self._send(intent_request(match, slot_names, dialog_state)))

    def _silence(self) -> None:
        """An empty line: Alexa speaks the reprompt once, then gives up on the session."""
        if self._session is None:
            return
        self._silences += 1
        if self._silences == 1 and self._last_reprompt:
            self._print(self._dim(f"(silence; Alexa re-prompts) {self._last_reprompt}"))
            return
        self.end_session("EXCEEDED_MAX_REPROMPTS", quiet=True)
        self._note("(session ended: no answer)")

    # -- talking to the skill ----------------------------------------------------------

    def _send(self, request: dict[str, Any]) -> dict[str, Any] | None:
        if self._session is None:
            self._session = Session()
        body = envelope(
            request, self._session, locale=self.locale, now=self.clock.now(), reminders=self._reminders_allowed
        )
        self._eliciting = None
        try:
            reply = self._skill.answer(body)
        except Exception as error:  # the console survives a skill bug and says so
            log.debug("the skill raised", exc_info=True)
            self._note(f"(the skill raised {type(error).__name__}; --debug shows the traceback)")
            self._session = None
            return None
        self._session.new = False
        self._session.attributes = reply.get("sessionAttributes") or {}
        return reply

    def _show(self, reply: dict[str, Any] | None) -> None:
        if reply is None:
            return
        response = reply.get("response") or {}
        speech = _spoken(response.get("outputSpeech"))
        reprompt = _spoken((response.get("reprompt") or {}).get("outputSpeech"))
        self._last_reprompt = reprompt
        if speech:
            self._print(self._wrap(speech))
            if self.voice is not None:
                self.voice.say(speech)
        if reprompt and not speech.endswith(reprompt):  # most reprompts repeat the last question
            self._print(self._dim(self._wrap(f"(reprompt) {reprompt}")))
        for directive in response.get("directives") or []:
            if directive.get("type") == "Dialog.ElicitSlot":
                updated = directive.get("updatedIntent") or {}
                slot = directive.get("slotToElicit", "")
                self._eliciting = (updated.get("name", ""), slot, updated.get("slots") or {})
                self._note_debug(f"Alexa now listens for the {slot} slot of {updated.get('name')}")
        asking = [d for d in response.get("directives") or [] if d.get("type") == "Connections.SendRequest"]
        if asking:
            # Alexa would ask, in its own voice, to allow reminders; the console allows them.
            self._note("(Alexa asks to allow reminders for Laser Recovery; the console says yes)")
            self._reminders_allowed = True
            self._show(self._send(permission_answer("ACCEPTED", str(asking[0].get("token") or ""))))
            return
        if response.get("shouldEndSession") is not False:
            self._session = None
            self._eliciting = None
            self._note("(session ended)")

    def end_session(self, reason: str, *, quiet: bool = False) -> None:
        """Tell the skill the session is over (as Alexa does), if one is open."""
        if self._session is None:
            return
        self._note_debug(f"SessionEndedRequest ({reason})")
        self._send(session_ended_request(reason))
        self._session = None
        self._eliciting = None
        if not quiet:
            self._note("(session ended)")

    # -- commands ----------------------------------------------------------------------

    def _command(self, text: str) -> bool:
        name, _, argument = text[1:].partition(" ")
        argument = argument.strip()
        if name in ("quit", "q", "exit"):
            return False
        if name == "help":
            self._print(HELP)
        elif name == "new":
            self.end_session("USER_INITIATED")
        elif name == "today":
            self._set_today(argument)
        elif name == "time":
            self._set_time(argument)
        elif name == "zone":
            self._set_zone(argument)
        elif name == "reminders":
            self._list_reminders()
        else:
            self._note(f"(unknown command :{name}; :help lists them)")
        return True

    def _set_today(self, argument: str) -> None:
        if argument:
            try:
                day = _day(argument, self.clock.today)
            except ValueError:
                self._note("(:today takes a date like 2026-12-20, or +N / -N days)")
                return
            self.end_session("USER_INITIATED", quiet=True)
            self.clock.today = day
        self._note(f"(today is {self.clock.today:%A}, {self.clock.today.isoformat()})")

    def _set_time(self, argument: str) -> None:
        try:
            self.clock.time_of_day = parse_time(argument)
        except ValueError:
            self._note("(:time takes a time like 18:30)")
            return
        self._note(f"(the time is {self.clock.time_of_day:%H:%M})")

    def _set_zone(self, argument: str) -> None:
        try:
            zone = ZoneInfo(argument)
        except (ZoneInfoNotFoundError, ValueError):
            self._note("(:zone takes an IANA time zone like Pacific/Auckland)")
            return
        # A session remembers its zone: the move shows from the next session on.
        self.end_session("USER_INITIATED", quiet=True)
        self.clock.zone = zone
        self._note(f"(time zone {zone.key})")

    # -- output ------------------------------------------------------------------------

    def _list_reminders(self) -> None:
        if not self._apis.reminders:
            self._note("(no reminders set)")
        for body in self._apis.reminders.values():
            trigger = body.get("trigger") or {}
            daily = trigger.get("recurrence")
            when = str(trigger.get("scheduledTime"))
            if daily:
                when = f"daily from {when} until {daily.get('endDateTime')}"
            spoken = ((body.get("alertInfo") or {}).get("spokenInfo") or {}).get("content") or [{}]
            self._print(self._wrap(f"{when}: {spoken[0].get('text', '')}"))

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def _note(self, text: str) -> None:
        self._print(self._dim(text))

    def _note_debug(self, text: str) -> None:
        if self.debug:
            self._note(f"  [{text}]")

    def _dim(self, text: str) -> str:
        return f"\x1b[2m{text}\x1b[0m" if self.styled else text

    def _wrap(self, text: str) -> str:
        if not self.styled:  # piped output stays one line per answer, easy to search
            return text
        width = min(shutil.get_terminal_size().columns, 100)
        return textwrap.fill(text, width=width, subsequent_indent="")


def parse_time(text: str) -> time:
    """ "18:00" or "7:30" -> a time of day; ValueError otherwise."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(text)
    return time(int(hours), int(minutes))


def parse_day(text: str) -> date:
    """YYYY-MM-DD exactly; ValueError otherwise."""
    text = text.strip()
    if len(text) != 10:
        raise ValueError(text)
    return date.fromisoformat(text)


def _day(argument: str, today: date) -> date:
    if argument[:1] in "+-" and argument[1:].isdigit():
        return today + timedelta(days=int(argument))
    return parse_day(argument)


def _spoken(speech: dict[str, Any] | None) -> str:
    if not speech:
        return ""
    return speech_text(speech.get("ssml")) if speech.get("ssml") else str(speech.get("text") or "")


def _known_slots(raw: dict[str, Any]) -> dict[str, Slot]:
    """The slots an ElicitSlot directive's updatedIntent already carried."""
    return {
        name: Slot(name, str(slot["value"]), str(slot["value"]))
        for name, slot in raw.items()
        if isinstance(slot, dict) and slot.get("value")
    }


def _describe(match: Match, dialog_state: str | None) -> str:
    parts = [f"IntentRequest {match.intent}"]
    if dialog_state:
        parts.append(f"dialogState={dialog_state}")
    parts += [f'{s.name}={s.resolved_id or s.value} ("{s.heard}")' for s in match.slots.values()]
    if match.sample:
        parts.append(f'<~ nearest "{match.sample}"' if match.near else f'<- "{match.sample}"')
    return " ".join(parts)


def styled_output(stream: TextIO) -> bool:
    """Colour and wrapping only for a person at a terminal (and never with NO_COLOR)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


def interactive_lines(prompt: str) -> Iterable[str]:
    """Lines typed at the terminal, with line editing and history when readline exists."""
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (imported for its side effect on input())
    while True:
        try:
            yield input(prompt)
        except EOFError:
            print(file=sys.stdout)
            return
        except KeyboardInterrupt:
            print(file=sys.stdout)
            return
