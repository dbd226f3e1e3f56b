"""Content files read through their JSON copies (the Lambda package) or straight from TOML."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from laser_recovery import contentfile
from laser_recovery.speech import CONTENT_DIR


@pytest.fixture
def content(tmp_path: Path) -> Path:
    for path in CONTENT_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_the_copy_reads_exactly_as_the_toml_does(content: Path) -> None:
    copies = contentfile.write_copies(content)
    assert sorted(p.name for p in copies) == sorted(p.with_suffix(".json").name for p in CONTENT_DIR.glob("*.toml"))
    for toml in content.glob("*.toml"):
        assert contentfile.load(toml) == tomllib.loads(toml.read_text(encoding="utf-8"))


def test_a_copy_of_another_version_of_the_file_is_never_read(content: Path) -> None:
    contentfile.write_copies(content)
    protocol = content / "protocol.toml"
    edited = protocol.read_text(encoding="utf-8").replace("= 56", "= 63")
    assert edited != protocol.read_text(encoding="utf-8")
    protocol.write_text(edited, encoding="utf-8")
    assert contentfile.load(protocol) == tomllib.loads(edited)


def test_without_a_copy_or_with_a_broken_one_the_toml_is_read(content: Path) -> None:
    protocol = content / "protocol.toml"
    assert contentfile.load(protocol) == tomllib.loads(protocol.read_text(encoding="utf-8"))
    protocol.with_suffix(".json").write_text("{not json", encoding="utf-8")
    assert contentfile.load(protocol) == tomllib.loads(protocol.read_text(encoding="utf-8"))


def test_a_toml_value_json_cannot_hold_stops_the_build(tmp_path: Path) -> None:
    (tmp_path / "dated.toml").write_text("day = 2026-10-03\n", encoding="utf-8")
    with pytest.raises(TypeError):
        contentfile.write_copies(tmp_path)
