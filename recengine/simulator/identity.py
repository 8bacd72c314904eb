"""Fake but well-formed Chinese identities for privacy tests (clause 7).

Names, mobile numbers and ID-card numbers are drawn at random and follow the real
formats (a valid ISO 7064 check digit included), so detectors are tested on data that
looks real without being anyone's.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from recengine.simulator import vocab
from recengine.simulator.text import pick

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    total = sum(
        int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True)
    )
    return _ID_CHECK[total % 11]


def fake_identity(rng: np.random.Generator) -> dict[str, str]:
    area_code, city, district = vocab.AREAS[int(rng.integers(len(vocab.AREAS)))]
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=int(rng.integers(0, 16_000)))
    first17 = f"{area_code}{birth:%Y%m%d}{int(rng.integers(0, 1000)):03d}"
    given = "".join(
        pick(rng, vocab.GIVEN_CHARS) for _ in range(int(rng.integers(1, 3)))
    )
    phone = pick(rng, vocab.PHONE_PREFIXES) + f"{int(rng.integers(0, 10**8)):08d}"
    street = pick(rng, vocab.STREETS)
    return {
        "real_name": pick(rng, vocab.SURNAMES) + given,
        "phone": phone,
        "id_card_number": first17 + id_check_digit(first17),
        "address": f"{city}{district}{street}{int(rng.integers(1, 300))}号",
    }
