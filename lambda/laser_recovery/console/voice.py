"""Speaking the answers aloud through espeak-ng, when it is installed."""

from __future__ import annotations

import shutil
import subprocess
from typing import TextIO


class Voice:
    """espeak-ng in a subprocess; says once, on stderr, when it cannot speak."""

    def __init__(self, locale: str, notes: TextIO) -> None:
        self._program = shutil.which("espeak-ng")
        self._voice = locale.lower()  # espeak-ng's voices are named like "en-us"
        if self._program is None:
            print(
                "note: espeak-ng is not installed, so answers are only printed (sudo apt-get install espeak-ng)",
                file=notes,
            )

    def say(self, text: str) -> None:
        if self._program is None or not text:
            return
        # The text goes in on stdin: never through a shell, and never read as an option.
        try:
            subprocess.run(
                [self._program, "-v", self._voice],
                input=text,
                text=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
        except OSError:
            self._program = None
