"""Implicit AIGC labels: the metadata block of GB 45438-2025 and its signature.

The block names the label class, the producer and its content id, the propagator
and its propagation id. The platform signs it together with the SHA-256 of the
content with an HMAC-SHA256 under ``settings.AIGC_SIGNING_KEY``, so that a label
moved to other content, or edited, no longer verifies (clause 6.4.3).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping

from django.conf import settings

from recengine.moderation.models import LabelTier, Verdict

PLATFORM = "livecommerce-platform"
# Producers whose metadata the platform accepts as verified; the simulator stands in
# for the generation tools merchants use.
KNOWN_PRODUCERS = (PLATFORM, "livecommerce-simulator")
FIELDS = ("Label", "ContentProducer", "ProduceID", "ContentPropagator", "PropagateID")
# GB 45438 label classes: generated, possibly generated, suspected generated.
LABEL_CLASS = {
    LabelTier.VERIFIED: "1",
    LabelTier.DECLARED: "2",
    LabelTier.DETECTED: "3",
}


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def known_producers() -> tuple[str, ...]:
    return tuple(getattr(settings, "AIGC_KNOWN_PRODUCERS", KNOWN_PRODUCERS))


def metadata_block(
    tier: str, producer: str, content_id: str, propagation_id: str
) -> dict[str, str]:
    return {
        "Label": LABEL_CLASS[tier],
        "ContentProducer": producer,
        "ProduceID": content_id,
        "ContentPropagator": PLATFORM,
        "PropagateID": propagation_id,
    }


def _message(metadata: Mapping[str, object], digest: str) -> bytes:
    block = {name: str(metadata.get(name, "")) for name in FIELDS}
    canonical = json.dumps(block, ensure_ascii=False, sort_keys=True)
    return f"{canonical}\n{digest}".encode()


def sign(metadata: Mapping[str, object], digest: str) -> str:
    key = settings.AIGC_SIGNING_KEY.encode()
    return hmac.new(key, _message(metadata, digest), hashlib.sha256).hexdigest()


def verdict_of(
    metadata: Mapping[str, object] | None,
    digest: str,
    signature: str | None,
    *,
    known_ai: bool,
) -> str | None:
    """``None`` when the label holds, else the verdict of clause 6.4.3.

    Without any metadata the content is "stripped" if it is known to be generated
    and unlabelled content otherwise. A producer nobody registered is "forged"; a
    signature that does not match the block and the content is "tampered".
    """
    if not metadata:
        return Verdict.STRIPPED if known_ai else None
    if str(metadata.get("ContentProducer", "")) not in known_producers():
        return Verdict.FORGED
    if signature is None:
        return None  # a known producer's own block, not yet signed by the platform
    if not hmac.compare_digest(sign(metadata, digest), str(signature)):
        return Verdict.TAMPERED
    return None
