"""The content files (TOML), read through a JSON copy when the Lambda package carries one.

tomllib is a parser written in Python: importing it and reading en-US.toml cost about 7 ms
of a Lambda cold start, a tenth of a hello-world skill's whole one, where the standard JSON
parser takes a fraction of a millisecond. `make package` writes beside each TOML file a JSON
copy (`python -m laser_recovery.contentfile DIR`) that holds the SHA-256 of the TOML it was
made from; the copy is used only when that digest matches the TOML file next to it, so an
edited TOML file is never shadowed by a stale copy. The TOML files stay the one source.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any


def load(path: Path) -> dict[str, Any]:
    """The TOML file at `path`, as tomllib would read it."""
    source = path.read_bytes()
    try:
        copy = json.loads(path.with_suffix(".json").read_bytes())
    except (OSError, ValueError):  # no copy (a laptop, the tests) or an unreadable one
        copy = None
    if isinstance(copy, dict) and copy.get("sha256") == _digest(source):
        content: dict[str, Any] = copy["content"]
        return content
    import tomllib

    return tomllib.loads(source.decode("utf-8"))


def write_copies(directory: Path) -> list[Path]:
    """A JSON copy beside every TOML file in `directory`; raises if one holds what JSON cannot."""
    import tomllib

    written = []
    for path in sorted(directory.glob("*.toml")):
        source = path.read_bytes()
        content = tomllib.loads(source.decode("utf-8"))
        # TOML dates and times have no JSON form: refuse rather than change what is read.
        copy = json.dumps({"sha256": _digest(source), "content": content}, ensure_ascii=False)
        path.with_suffix(".json").write_text(copy, encoding="utf-8")
        written.append(path.with_suffix(".json"))
    return written


def _digest(source: bytes) -> str:
    return hashlib.sha256(source).hexdigest()


if __name__ == "__main__":
    for copy in write_copies(Path(sys.argv[1])):
        print(f"wrote {copy}")
