"""`python -m laser_recovery.console`: talk to the skill as Alexa would relay it.

python -m laser_recovery.console --today 2026-11-24 --time-zone Europe/London
printf 'can I sunbathe yet\\nstop\\n' | python -m laser_recovery.console --today 2026-11-24
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..config import DEFAULT_LOCAL_STORE
from ..store import StoreError
from .nlu import ModelError, Understanding
from .repl import (
    HELP,
    Clock,
    Console,
    interactive_lines,
    parse_day,
    parse_time,
    styled_output,
)
from .voice import Voice

PROG = "laser_recovery.console"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage block: the options are in --help.
        self.exit(2, f"{PROG}: {message}\n")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"not a known IANA time zone: {name!r}") from None


def _today(text: str) -> date:
    try:
        return parse_day(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-11-24: {text!r}") from None


def _time(text: str) -> time:
    try:
        return parse_time(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time like 18:00: {text!r}") from None


def _local_zone_name() -> str:
    """The zone to play in when none is given: TZ, else the machine's own."""
    name = os.environ.get("TZ", "").lstrip(":").strip()
    if name:
        return name
    target = os.path.realpath("/etc/localtime")
    return target.split("/zoneinfo/", 1)[1] if "/zoneinfo/" in target else "UTC"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = _Parser(
        prog=PROG,
        description="Talk to Laser Recovery as Alexa would relay it.",
        epilog=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--today",
        type=_today,
        metavar="YYYY-MM-DD",
        help="the date to play on (default: the real date in the time zone)",
    )
    parser.add_argument(
        "--time", type=_time, metavar="HH:MM", help="the time of day (default: now, or 12:00 with --today)"
    )
    parser.add_argument(
        "--time-zone",
        type=_zone,
        metavar="AREA/CITY",
        dest="zone",
        help="the device's time zone (default: TZ, else this machine's)",
    )
    parser.add_argument(
        "--store",
        type=Path,
        metavar="PATH",
        default=Path(os.environ.get("LOCAL_STORE", "").strip() or DEFAULT_LOCAL_STORE),
        help=f"the embedded store file (default: LOCAL_STORE, else {DEFAULT_LOCAL_STORE})",
    )
    parser.add_argument("--locale", default="en-US", help="the interaction model to use (default: en-US)")
    parser.add_argument("--speak", action="store_true", help="also speak the answers with espeak-ng")
    parser.add_argument("--debug", action="store_true", help="show the requests: intent, slots, dialog")
    args = parser.parse_args(argv)
    if args.zone is None:
        try:
            args.zone = _zone(_local_zone_name())
        except argparse.ArgumentTypeError as bad:
            parser.error(f"TZ: {bad}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.ERROR,
        format="%(levelname)s %(name)s: %(message)s",
    )
    now = datetime.now(args.zone)
    clock = Clock(
        today=args.today or now.date(),
        time_of_day=args.time
        or (now.time().replace(second=0, microsecond=0) if args.today is None else parse_time("12:00")),
        zone=args.zone,
    )
    interactive = sys.stdin.isatty()
    try:
        console = Console(
            clock=clock,
            store=args.store,
            locale=args.locale,
            understanding=Understanding.for_locale(args.locale),
            out=sys.stdout,
            voice=Voice(args.locale, sys.stderr) if args.speak else None,
            debug=args.debug,
            styled=styled_output(sys.stdout),
        )
    except (ModelError, StoreError) as bad:
        print(f"{PROG}: {bad}", file=sys.stderr)
        return 2
    if interactive:
        print(
            f"Laser Recovery console: {clock.today:%A} {clock.today.isoformat()}, "
            f"{clock.time_of_day:%H:%M} {clock.zone.key}. Type :help for commands."
        )
        console.run(interactive_lines("> "), echo=False)
    else:
        console.run(sys.stdin, echo=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
