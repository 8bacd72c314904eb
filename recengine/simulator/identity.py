"""Fake but well-formed Chinese identities for privacy tests (clause 7).

Names, mobile numbers and ID-card numbers are drawn at random and follow the real
formats (a valid ISO 7064 check digit included), so detectors are tested on data that
looks real without being anyone's.
"""

from __future__ import annotations

import datetime as dt
import hashlib

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


# One account in forty (at least one) is a re-registration: a person who comes back
# under a new account. Drawn without the random generator, so adding it changed no
# other part of a world built from the same seed.
RETURNING_SHARE = 40


def returning_accounts(n: int) -> dict[int, int]:
    """New account index -> index of the earlier account it re-registers."""
    if n < 4:
        return {}
    count = max(1, n // RETURNING_SHARE)
    return {n - 1 - k: k for k in range(count)}


def account_hashes(kind: str, n: int) -> list[dict[str, str]]:
    """Hashed identity traits of ``n`` anchors or merchants, as platforms send them.

    An anchor carries a legal identity and a device fingerprint, a merchant a legal
    identity and a payment account. A re-registration shares one trait with the
    account it replaces: alternately the legal identity and the other trait.
    """
    other = "device_fingerprint_hash" if kind == "anchor" else "payment_account_hash"
    traits = [
        {
            "legal_identity_hash": _trait_hash(kind, "legal", index),
            other: _trait_hash(kind, other, index),
        }
        for index in range(n)
    ]
    for new, old in returning_accounts(n).items():
        shared = "legal_identity_hash" if (n - 1 - new) % 2 == 0 else other
        traits[new][shared] = traits[old][shared]
    return traits


def _trait_hash(kind: str, trait: str, index: int) -> str:
    return hashlib.sha256(f"sim-{kind}-{trait}-{index}".encode()).hexdigest()
