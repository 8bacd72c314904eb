"""The implicit label's signature and the three verdicts of clause 6.4.3."""

from __future__ import annotations

import pytest

from recengine.moderation import signing
from recengine.moderation.models import LabelTier, Verdict

DIGEST = signing.content_hash(b"generated picture")


def _block(producer: str = signing.PLATFORM) -> dict:
    return signing.metadata_block(LabelTier.VERIFIED, producer, "p-1", "aigc-7")


def test_block_has_the_gb_45438_fields():
    assert list(_block()) == list(signing.FIELDS)
    assert _block()["Label"] == "1"
    assert signing.metadata_block(LabelTier.DETECTED, "x", "p", "a")["Label"] == "3"


def test_a_signed_label_verifies():
    block = _block()

    assert (
        signing.verdict_of(block, DIGEST, signing.sign(block, DIGEST), known_ai=True)
        is None
    )


def test_other_content_under_the_same_label_is_tampered():
    block = _block()
    signature = signing.sign(block, DIGEST)
    other = signing.content_hash(b"another picture")

    assert (
        signing.verdict_of(block, other, signature, known_ai=True) == Verdict.TAMPERED
    )


def test_an_edited_block_is_tampered():
    block = _block()
    signature = signing.sign(block, DIGEST)

    edited = block | {"ProduceID": "p-2"}

    assert (
        signing.verdict_of(edited, DIGEST, signature, known_ai=True) == Verdict.TAMPERED
    )


def test_a_signature_under_another_key_is_tampered(settings):
    block = _block()
    signature = signing.sign(block, DIGEST)

    settings.AIGC_SIGNING_KEY = "rotated-key"

    assert (
        signing.verdict_of(block, DIGEST, signature, known_ai=True) == Verdict.TAMPERED
    )


def test_an_unknown_producer_is_forged_even_with_a_valid_signature():
    block = _block(producer="deepfake-studio")
    signature = signing.sign(block, DIGEST)

    assert signing.verdict_of(block, DIGEST, signature, known_ai=True) == Verdict.FORGED


@pytest.mark.parametrize("metadata", [None, {}])
def test_known_ai_content_without_label_is_stripped(metadata):
    assert signing.verdict_of(metadata, DIGEST, None, known_ai=True) == Verdict.STRIPPED
    assert signing.verdict_of(metadata, DIGEST, None, known_ai=False) is None
