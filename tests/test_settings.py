"""Bad settings stop start-up with one line naming the variable, and exit status 2."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def start(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"HOST", "PORT", "LOCAL_STORE", "TABLE_NAME"}}
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
        ("PORT", "70000"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it_and_exit_2(tmp_path: Path, name: str, value: str) -> None:
    done = start(tmp_path, **{name: value.format(tmp=tmp_path)})
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0], done.stderr


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
