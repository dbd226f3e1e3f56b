"""Bad settings stop start-up with one line naming the variable, and exit status 2."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def start(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    names = {"HOST", "PORT", "LOCAL_STORE", "TABLE_NAME", "SKILL_ID", "LOG_LEVEL", "READ_TIMEOUT", "ALEXA_API_HOSTS"}
    env = {k: v for k, v in os.environ.items() if k not in names}
    env.update(PYTHONPATH=str(ROOT / "lambda"), **settings)
    return subprocess.run(
        [sys.executable, "-m", "laser_recovery.web"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOCAL_STORE", "{tmp}"),  # a directory
        ("LOCAL_STORE", "{tmp}/no/such/folder/store.sqlite3"),
        ("HOST", "not a host"),
        ("HOST", "-bad.example"),
        ("LOCAL_STORE", "/dev/null"),  # not a regular file
        ("PORT", "notaport"),
        ("PORT", "70000"),
        ("PORT", "\uff11\uff12\uff13"),  # full-width digits: not a port number as written
        ("LOG_LEVEL", "LOUD"),
        ("TABLE_NAME", "bad name!"),
        ("TABLE_NAME", "t" * 300),
        ("SKILL_ID", "amzn1.ask.skill."),
        ("ALEXA_API_HOSTS", "a..b"),
        ("HOST", "192.0.2.1"),  # a documentation address: no interface of this machine has it
        ("READ_TIMEOUT", "soon"),
        ("READ_TIMEOUT", "0"),
        ("READ_TIMEOUT", "nan"),
        ("READ_TIMEOUT", "1_0"),  # Python's digit grouping: not a number as written
        ("READ_TIMEOUT", "\uff11\uff10"),  # full-width digits
        ("LOG_LEVEL", "NOTSET"),  # Python's level names beyond the four this service names
        ("LOG_LEVEL", "WARN"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it_and_exit_2(tmp_path: Path, name: str, value: str) -> None:
    done = start(tmp_path, **{name: value.format(tmp=tmp_path)})
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0], done.stderr


def test_a_port_already_taken_stops_start_up_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = start(tmp_path, HOST="127.0.0.1", PORT=str(taken.getsockname()[1]))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot listen" in lines[0], done.stderr
    assert not any(tmp_path.iterdir())  # refused before a store file is made


def test_a_local_store_that_is_not_a_store_is_left_untouched(tmp_path: Path) -> None:
    # Found by review: the file was made 0600 (as root: /etc/passwd too), then a traceback.
    other = tmp_path / "notes.txt"
    other.write_text("not a database\n")
    other.chmod(0o644)
    done = start(tmp_path, LOCAL_STORE=str(other))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "LOCAL_STORE" in lines[0], done.stderr
    assert stat.S_IMODE(other.stat().st_mode) == 0o644 and other.read_text() == "not a database\n"


def test_make_refuses_an_old_python_in_one_line_before_installing(tmp_path: Path) -> None:
    old = tmp_path / "python3"
    old.write_text('#!/bin/sh\nif [ "$1" = "-V" ]; then echo "Python 3.9.18"; exit 0; fi\nexit 1\n')
    old.chmod(old.stat().st_mode | stat.S_IXUSR)
    venv = tmp_path / "venv"
    done = subprocess.run(
        ["make", "-s", "-C", str(ROOT), f"PYTHON={old}", f"VENV={venv}", f"{venv}/.installed"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert "Python 3.11 or newer" in lines[0] and "3.9.18" in lines[0], done.stderr
    assert not venv.exists()
