"""Every state change of AIGC labelling (clause 6.4): declarations, verification
verdicts and their cases, the public-figure registry, consent and the
anti-impersonation check.

Each function is atomic with a keyword-only ``actor``, records history with the
clause and publishes a policy version, so labels and restrictions reach serving at
once.
"""

from __future__ import annotations

import io
import json
import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from recengine.governance.publishing import publish_policy
from recengine.history import person, stamp
from recengine.models import LiveRoom, Product
from recengine.moderation import detect, signing
from recengine.moderation.models import (
    AigcCase,
    AigcCaseStatus,
    AigcContent,
    AigcLabel,
    LabelTier,
    Verdict,
)
from recengine.moderation.validation import ModerationError, clean_text, with_clause

logger = logging.getLogger(__name__)

CLAUSE_LABEL = "6.4.1"
CLAUSE_ENFORCE = "6.4.3"
TIER_WORDING = {LabelTier.DECLARED: "可能为AI生成", LabelTier.DETECTED: "疑似AI生成"}
ROOM_CONTENT = (AigcContent.DIGITAL_HUMAN, AigcContent.VIRTUAL_BACKGROUND)
PRODUCT_CONTENT = (AigcContent.GENERATED_IMAGE,)
# Malicious label changes are restricted at once (6.4.3); stripped content gets
# the "detected" label and waits for a person.
RESTRICT_AT_ONCE = (Verdict.TAMPERED, Verdict.FORGED, Verdict.IMPERSONATION)


def explicit_label(content: str, tier: str) -> str:
    """The label users see: an immersive scene is "拟真场景" whatever the tier;
    generated people and pictures carry the wording of their tier."""
    if content == AigcContent.VIRTUAL_BACKGROUND:
        return "拟真场景"
    return TIER_WORDING.get(tier, "AI生成")


def save_governed(obj, actor, reason: str, clause: str) -> None:
    """Save with its history record: a person as its user, a service's API key at
    the end of its reason."""
    stamp(obj, actor=actor, reason=with_clause(reason, clause))
    obj.save()


def _target(kind: str, target_id: object) -> LiveRoom | Product:
    model = {"live_room": LiveRoom, "product": Product}.get(kind)
    if model is None:
        raise ModerationError(_("The target must be a live_room or a product."))
    found = model.objects.filter(external_id=str(target_id)).first()
    if found is None:
        raise ModerationError(
            _("There is no %(kind)s %(id)s.") % {"kind": kind, "id": target_id}
        )
    return found


def checked_upload(data: bytes | None, max_bytes: int) -> Image.Image | None:
    """The uploaded picture, refused whole when too large or not a picture."""
    if data is None:
        return None
    if len(data) > max_bytes:
        raise ModerationError(
            _("The file is larger than %(max)d bytes.") % {"max": max_bytes}
        )
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError) as error:
        raise ModerationError(_("The file is not a picture.")) from error
    return image


def _product_bytes(product: Product) -> bytes | None:
    if not product.image or not default_storage.exists(product.image.name):
        return None
    with default_storage.open(product.image.name, "rb") as handle:
        return handle.read()


def _subject_hash(target: LiveRoom | Product, content: str, data: bytes | None) -> str:
    if data is not None:
        return signing.content_hash(data)
    # A stream has no file: the label binds to the room and the declared element.
    return signing.content_hash(f"{target.external_id}\n{content}".encode())


def _new_label(target, content, tier, digest, producer, actor, content_id=""):
    kind = "room" if isinstance(target, LiveRoom) else "product"
    label = AigcLabel(
        content=content,
        tier=tier,
        explicit=explicit_label(content, tier),
        content_hash=digest,
        created_at=timezone.now(),
        declared_by=person(actor),
        metadata={},
        signature="",
        **{kind: target},
    )
    # Saved once for its id, the propagation id inside the signed block.
    stamp(label, actor=actor, reason=with_clause("label created", CLAUSE_LABEL))
    label.save()
    label.metadata = signing.metadata_block(
        tier, producer, content_id or target.external_id, f"aigc-{label.pk}"
    )
    label.signature = signing.sign(label.metadata, digest)
    return label


def _retire(target, content: str, actor) -> None:
    kind = "room" if isinstance(target, LiveRoom) else "product"
    for old in AigcLabel.objects.filter(active=True, content=content, **{kind: target}):
        old.active = False
        save_governed(old, actor, "replaced by a newer label", CLAUSE_LABEL)


@transaction.atomic
def declare_label(
    *, actor, target_kind: str, target_id: object, content: str, data=None
) -> AigcLabel:
    """An uploader declares AI-generated content of a room or product (6.4.3).

    A picture carrying metadata of a known producer is verified; otherwise the
    declaration stands as "可能为AI生成".
    """
    target = _target(target_kind, target_id)
    allowed = ROOM_CONTENT if isinstance(target, LiveRoom) else PRODUCT_CONTENT
    if content not in allowed:
        raise ModerationError(
            _("%(content)s cannot be declared on a %(kind)s.")
            % {"content": content, "kind": target_kind}
        )
    image = checked_upload(data, settings.AIGC_MAX_UPLOAD_BYTES)
    if data is None and isinstance(target, Product):
        data = _product_bytes(target)
        image = checked_upload(data, len(data)) if data is not None else None

    embedded = embedded_metadata(image)
    verdict = signing.verdict_of(embedded, "", None, known_ai=False)
    tier, producer = LabelTier.DECLARED, signing.PLATFORM
    if embedded and verdict is None:
        tier, producer = LabelTier.VERIFIED, str(embedded["ContentProducer"])
    _retire(target, content, actor)
    label = _new_label(
        target,
        content,
        tier,
        _subject_hash(target, content, data),
        producer,
        actor,
        str((embedded or {}).get("ProduceID", "")),
    )
    save_governed(label, actor, f"declared {content}", CLAUSE_LABEL)
    if verdict == Verdict.FORGED:
        kind = "room" if isinstance(target, LiveRoom) else "product"
        detail = f"Declared with metadata of an unknown producer: {embedded}"[:400]
        open_case(actor=actor, verdict=verdict, detail=detail, **{kind: target})
    publish_policy(actor=actor, reason=f"AIGC label {label.pk}", clause=CLAUSE_LABEL)
    return label


def embedded_metadata(image: Image.Image | None) -> dict | None:
    """The implicit label a PNG carries in its ``AIGC`` text chunk, if any."""
    if image is None:
        return None
    raw = getattr(image, "text", {}).get("AIGC") or image.info.get("AIGC")
    if not raw:
        return None
    try:
        block = json.loads(raw)
    except (TypeError, ValueError):
        return {"ContentProducer": "", "raw": str(raw)[:200]}
    return block if isinstance(block, dict) else {"ContentProducer": ""}


def open_case(*, actor, verdict, detail, label=None, **target) -> AigcCase:
    existing = AigcCase.objects.filter(
        verdict=verdict, status=AigcCaseStatus.OPEN, **target
    ).first()
    if existing is not None:
        return existing  # the same finding again: one case is enough
    case = AigcCase(
        verdict=verdict,
        label=label,
        detail=detail,
        restricted=verdict in RESTRICT_AT_ONCE,
        escalated=verdict == Verdict.IMPERSONATION,
        opened_at=timezone.now(),
        **target,
    )
    save_governed(case, actor, f"verdict {verdict}", CLAUSE_ENFORCE)
    logger.warning("AIGC case opened", extra={"case": case.pk, "verdict": verdict})
    return case


def _active_label(product: Product) -> AigcLabel | None:
    return (
        AigcLabel.objects.filter(product=product, active=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def _detected_label(product: Product, digest: str, actor) -> AigcLabel:
    _retire(product, AigcContent.GENERATED_IMAGE, actor)
    label = _new_label(
        product, AigcContent.GENERATED_IMAGE, LabelTier.DETECTED, digest, "", actor
    )
    save_governed(label, actor, "detected generated picture", CLAUSE_LABEL)
    return label


@transaction.atomic
def verify_product_images(*, actor, products) -> list[AigcCase]:
    """Check product pictures against their implicit labels and their look (6.4.3).

    Known producer's metadata gets a verified, signed label; a stored label whose
    signature no longer matches the picture is "tampered"; a generated-looking or
    previously labelled picture without metadata is "stripped" and gets the
    "疑似AI生成" label; metadata from an unknown producer is "forged". One policy
    version covers the whole batch.
    """
    cases, changed = [], False
    for product in products:
        case, touched = _verify_one(product, actor)
        changed |= touched
        if case is not None:
            cases.append(case)
    if changed:
        publish_policy(
            actor=actor, reason="product pictures verified", clause=CLAUSE_ENFORCE
        )
    return cases


def verify_product_image(*, actor, product: Product) -> AigcCase | None:
    cases = verify_product_images(actor=actor, products=[product])
    return cases[0] if cases else None


def _verify_one(product: Product, actor) -> tuple[AigcCase | None, bool]:
    data = _product_bytes(product)
    if data is None:
        return None, False
    image = checked_upload(data, len(data))
    digest = signing.content_hash(data)
    embedded, stored = embedded_metadata(image), _active_label(product)

    if stored is not None and stored.signature:
        verdict = signing.verdict_of(
            stored.metadata, digest, stored.signature, known_ai=True
        )
        if verdict == Verdict.TAMPERED:
            detail = "The picture no longer matches its signed label."
            case = open_case(
                actor=actor,
                verdict=verdict,
                detail=detail,
                label=stored,
                product=product,
            )
            return case, True
    if embedded is not None:
        return _check_embedded(product, embedded, stored, digest, actor)
    if stored is not None or detect.generated_picture(image):
        return _stripped(product, stored, digest, actor)
    return None, False


def _check_embedded(product, embedded, stored, digest, actor):
    verdict = signing.verdict_of(
        embedded, digest, embedded.get("Signature"), known_ai=True
    )
    if verdict is not None:
        case = open_case(
            actor=actor,
            verdict=verdict,
            detail=f"Embedded label: {json.dumps(embedded, ensure_ascii=False)[:400]}",
            product=product,
        )
        return case, True
    if stored is not None and stored.tier == LabelTier.VERIFIED:
        return None, False

    _retire(product, AigcContent.GENERATED_IMAGE, actor)
    label = _new_label(
        product,
        AigcContent.GENERATED_IMAGE,
        LabelTier.VERIFIED,
        digest,
        str(embedded["ContentProducer"]),
        actor,
        str(embedded.get("ProduceID", "")),
    )
    save_governed(label, actor, "verified embedded label", CLAUSE_LABEL)
    return None, True


def _stripped(product, stored, digest, actor) -> tuple[AigcCase, bool]:
    known = AigcCase.objects.filter(
        verdict=Verdict.STRIPPED, status=AigcCaseStatus.OPEN, product=product
    ).exists()
    label = stored
    if stored is None or stored.content_hash != digest:
        label = _detected_label(product, digest, actor)
    case = open_case(
        actor=actor,
        verdict=Verdict.STRIPPED,
        detail="Generated picture without its implicit label.",
        label=label,
        product=product,
    )
    return case, label is not stored or not known


@transaction.atomic
def verify_submitted(
    *, actor, target_kind: str, target_id: object, metadata, signature, data: bytes
) -> tuple[str | None, AigcCase | None]:
    """Verify an implicit label a platform hands in with its content; a verdict
    other than "valid" opens a case on the target."""
    target = _target(target_kind, target_id)
    checked_upload(data, settings.AIGC_MAX_UPLOAD_BYTES)
    if metadata is not None and not isinstance(metadata, dict):
        raise ModerationError(_("metadata must be an object."))
    digest = signing.content_hash(data)
    verdict = signing.verdict_of(metadata, digest, signature or "", known_ai=True)
    if verdict is None:
        return None, None

    kind = "room" if isinstance(target, LiveRoom) else "product"
    case = open_case(
        actor=actor,
        verdict=verdict,
        detail=f"Submitted label: {json.dumps(metadata, ensure_ascii=False)[:400]}",
        **{kind: target},
    )
    publish_policy(actor=actor, reason=f"AIGC verdict {verdict}", clause=CLAUSE_ENFORCE)
    return verdict, case


@transaction.atomic
def set_restriction(*, actor, case: AigcCase, restricted: bool, reason) -> AigcCase:
    """Restrict the content of a case (it is no longer recommended) or lift that."""
    text = clean_text(reason, _("Reason"), 300)
    locked = AigcCase.objects.select_for_update().get(pk=case.pk)
    if locked.restricted == restricted:
        raise ModerationError(_("The case already is in that state."))

    locked.restricted = restricted
    action = "restricted" if restricted else "restriction lifted"
    save_governed(locked, actor, f"{action}: {text}", CLAUSE_ENFORCE)
    publish_policy(
        actor=actor, reason=f"AIGC case {locked.pk} {action}", clause=CLAUSE_ENFORCE
    )
    return locked


@transaction.atomic
def close_case(*, actor, case: AigcCase, reason) -> AigcCase:
    text = clean_text(reason, _("Reason"), 300)
    locked = AigcCase.objects.select_for_update().get(pk=case.pk)
    if locked.status == AigcCaseStatus.CLOSED:
        raise ModerationError(_("The case is already closed."))

    locked.status = AigcCaseStatus.CLOSED
    save_governed(locked, actor, f"closed: {text}", CLAUSE_ENFORCE)
    publish_policy(
        actor=actor, reason=f"AIGC case {locked.pk} closed", clause=CLAUSE_ENFORCE
    )
    return locked


@transaction.atomic
def label_catalogue_declarations(*, actor) -> list[AigcLabel]:
    """Give every room the platform declared as AI-made (digital-human anchor,
    virtual background) its explicit and signed implicit label, once."""
    have = set(
        AigcLabel.objects.filter(active=True)
        .exclude(room=None)
        .values_list("room_id", "content")
    )
    created = []
    rooms = LiveRoom.objects.select_related("anchor").order_by("pk")
    for room in rooms.filter(
        Q(anchor__is_digital_human=True) | Q(virtual_background=True)
    ):
        wanted = []
        if room.anchor.is_digital_human:
            wanted.append(AigcContent.DIGITAL_HUMAN)
        if room.virtual_background:
            wanted.append(AigcContent.VIRTUAL_BACKGROUND)
        for content in wanted:
            if (room.pk, content) in have:
                continue
            digest = _subject_hash(room, content, None)
            label = _new_label(
                room, content, LabelTier.DECLARED, digest, signing.PLATFORM, actor
            )
            save_governed(
                label, actor, f"declared in the catalogue: {content}", CLAUSE_LABEL
            )
            created.append(label)
    if created:
        publish_policy(
            actor=actor, reason="catalogue declarations labelled", clause=CLAUSE_LABEL
        )
    return created
