"""A small reader of the standard's plain text, written for the coverage test.

It knows only the layout of the text file: paragraphs separated by blank lines,
numbered clauses at the start of a paragraph (optionally after "- "), titles that
carry no punctuation, bodies that the printed page sometimes wrapped across lines
or even across a blank line, and Table 1 as tab-separated rows.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# The standard is not redistributed with the project: its text is read from
# TCMBN_STANDARD_FILE, or from the shared folder that sits beside the checkout.
_DEFAULT = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "standard"
    / "T-CMBN-live-commerce-recommendation.zh.txt"
)


def standard_file() -> Path:
    path = Path(os.environ.get("TCMBN_STANDARD_FILE", _DEFAULT))
    if path.exists():
        return path
    message = f"the standard's text is not at {path}; set TCMBN_STANDARD_FILE"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


NUMBERED = re.compile(r"^(?:- )?(\d+(?:\.\d+)+)\s+(.*)$", re.DOTALL)
ITEM = re.compile(r"\n(?=- \d)")
SECTION = re.compile(r"^\d+\s+\S")
PUNCTUATION = re.compile(r"[，。：；、“”（）]")


def squeeze(text: str) -> str:
    """Whitespace-normalised text: the page's wraps and spacing removed."""
    return re.sub(r"\s+", "", text)


def paragraphs(text: str) -> list[str]:
    """Blank-line paragraphs, with each "- N.N" list item as a paragraph of its own."""
    found = []
    for block in re.split(r"\n\s*\n", text):
        found += [item.strip() for item in ITEM.split(block) if item.strip()]
    return found


def clauses(first: str = "4.1", last: str = "8.2.3") -> dict[str, str]:
    """Body text of every numbered clause from ``first`` to ``last``.

    A numbered paragraph whose remainder has no punctuation is a title; its body is
    the unnumbered paragraphs that follow. Otherwise the remainder is the body and
    any unnumbered paragraphs that follow continue it. Headings without a body
    (5.2, 6.1...) are left out.
    """
    found: dict[str, list[str]] = {}
    current: str | None = None
    for block in _body_paragraphs():
        match = NUMBERED.match(block)
        if match:
            number, rest = match.groups()
            current = number
            found[number] = [rest] if PUNCTUATION.search(rest) else []
        elif SECTION.match(block) or block.startswith("表 "):
            current = None
        elif current is not None:
            found[current].append(block)

    in_range = [number for number in found if _key(first) <= _key(number) <= _key(last)]
    return {number: "".join(found[number]) for number in in_range if found[number]}


def table_rows() -> list[list[str]]:
    """Rows of Table 1 under its header, each split into its tab-separated cells."""
    for block in _body_paragraphs():
        lines = block.splitlines()
        if lines[0].startswith("指标类别\t"):
            return [line.split("\t") for line in lines[1:]]
    raise AssertionError("Table 1 not found in the standard's text")


def _body_paragraphs() -> list[str]:
    text = standard_file().read_text(encoding="utf-8")
    # The table of contents repeats section titles; the body starts at clause 1.
    start = text.index("1 范围\n\n本文件规定")
    return paragraphs(text[start:])


def _key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))
