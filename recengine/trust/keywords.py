"""Keyword / pattern entries matched in titles, descriptions and transcripts.

Matching runs in the database when an entry is added and when the policy is
refreshed, never per request: serving only reads the sets of matched rooms and
products (``keyword_blocked_*`` of the snapshot).
"""

from __future__ import annotations

import re

from django.db.models import Q

from recengine.models import BroadcastSession, LiveRoom, Product

MAX_PATTERN = 200
# Nested quantifiers can make a regular expression run for minutes on one title.
_NESTED = re.compile(r"\([^)]*[+*][^)]*\)[+*{]")


class PatternInvalid(ValueError):
    pass


def check_pattern(pattern: str, *, is_regex: bool) -> str:
    pattern = pattern.strip()
    if not pattern:
        raise PatternInvalid("the pattern is empty")
    if len(pattern) > MAX_PATTERN:
        raise PatternInvalid(f"the pattern is longer than {MAX_PATTERN} characters")
    if not is_regex:
        return pattern
    try:
        re.compile(pattern)
    except re.error as problem:
        raise PatternInvalid(f"not a valid regular expression: {problem}") from None
    if _NESTED.search(pattern):
        raise PatternInvalid("nested repetition is not allowed in a pattern")
    return pattern


def match(pattern: str, *, is_regex: bool) -> tuple[list[int], list[int]]:
    """Rooms (by title or a transcript) and products (title, description) matched."""
    lookup = "iregex" if is_regex else "icontains"
    rooms = set(
        LiveRoom.objects.filter(**{f"title__{lookup}": pattern}).values_list(
            "pk", flat=True
        )
    )
    rooms |= set(
        BroadcastSession.objects.filter(**{f"transcript__{lookup}": pattern})
        .values_list("room_id", flat=True)
        .distinct()
    )
    products = Product.objects.filter(
        Q(**{f"title__{lookup}": pattern}) | Q(**{f"description__{lookup}": pattern})
    ).values_list("pk", flat=True)
    return sorted(rooms), sorted(products)
