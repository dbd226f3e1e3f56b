"""The skill's SSML as the plain text a listener would hear.

Tags are dropped and entities unescaped; a <say-as interpret-as="date"> is written the way
Alexa reads it ("October 3, 2026"), not as its yyyymmdd digits.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from html import unescape


def speech_text(ssml: str | None) -> str:
    if not ssml:
        return ""
    try:
        root = ET.fromstring(ssml)
    except ET.ParseError:  # not well-formed XML: still show the words
        return _tidy(unescape(re.sub(r"<[^>]+>", " ", ssml)))
    return _tidy("".join(_pieces(root)))


def _pieces(element: ET.Element) -> list[str]:
    if element.tag == "say-as" and element.get("interpret-as") == "date":
        pieces = [_spoken_date(element.text or "")]
    else:
        pieces = [" " if element.tag in ("break", "p", "s") else "", element.text or ""]
        for child in element:
            pieces += _pieces(child)
    return [*pieces, element.tail or ""]


def _spoken_date(digits: str) -> str:
    """ "20261003" -> "October 3, 2026"; "????1003" -> "October 3"; anything else as is."""
    match = re.fullmatch(r"(\d{4}|\?{4})(\d{2})(\d{2})", digits.strip())
    if not match:
        return digits
    year = int(match[1]) if match[1].isdigit() else 2000  # any leap year, only to name the month
    try:
        day = date(year, int(match[2]), int(match[3]))
    except ValueError:
        return digits
    return f"{day:%B} {day.day}" + (f", {day.year}" if match[1].isdigit() else "")


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"\s+([,.;:!?])", r"\1", text)
