"""Verification verdicts on product pictures and submitted labels: each opens a case
and can withhold the content (clause 6.4.3)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recengine.moderation import signing
from recengine.moderation.labelling import (
    close_case,
    set_restriction,
    verify_product_image,
    verify_product_images,
)
from recengine.moderation.models import AigcCase, AigcLabel, LabelTier, Verdict
from recengine.moderation.policy_source import collect
from recengine.moderation.validation import ModerationError
from tests.aigc.conftest import png, simulator_metadata

pytestmark = pytest.mark.django_db
VERIFY = "/api/v1/aigc/verify/"


def test_a_labelled_generated_picture_gets_a_verified_signed_label(with_picture):
    product = with_picture(0, png(ai=True, metadata=simulator_metadata("p-1")))

    assert verify_product_image(actor=None, product=product) is None

    label = AigcLabel.objects.get(product=product)
    assert (label.tier, label.explicit) == (LabelTier.VERIFIED, "AI生成")
    assert collect().labels == {("product", product.pk): ("AI生成",)}


def test_a_plain_photo_needs_no_label(with_picture):
    product = with_picture(0, png(ai=False))

    assert verify_product_image(actor=None, product=product) is None
    assert not AigcLabel.objects.exists()


def test_a_generated_picture_without_metadata_is_stripped(with_picture):
    product = with_picture(0, png(ai=True))

    case = verify_product_image(actor=None, product=product)

    assert case.verdict == Verdict.STRIPPED
    assert not case.restricted
    label = AigcLabel.objects.get(product=product)
    assert (label.tier, label.explicit) == (LabelTier.DETECTED, "疑似AI生成")
    assert case.history.first().history_change_reason.endswith("(clause 6.4.3)")


def test_a_picture_swapped_under_its_label_is_tampered(with_picture):
    product = with_picture(0, png(ai=True, metadata=simulator_metadata("p-1")))
    verify_product_image(actor=None, product=product)

    with_picture(0, png(ai=True, metadata=simulator_metadata("p-1"), seed=9))
    case = verify_product_image(actor=None, product=product)

    assert case.verdict == Verdict.TAMPERED
    assert case.restricted
    assert product.pk in collect().unreviewed_products


def test_metadata_of_an_unknown_producer_is_forged(with_picture):
    forged = simulator_metadata("p-1") | {"ContentProducer": "anon-generator"}
    product = with_picture(0, png(ai=True, metadata=forged))

    case = verify_product_image(actor=None, product=product)

    assert case.verdict == Verdict.FORGED
    assert product.pk in collect().unreviewed_products


def test_the_same_finding_opens_one_case(with_picture, platform):
    with_picture(0, png(ai=True))
    with_picture(1, png(ai=True, seed=5))

    first = verify_product_images(actor=None, products=platform.products)
    again = verify_product_images(actor=None, products=platform.products)

    assert len(first) == 2
    assert {case.pk for case in again} <= {case.pk for case in first}
    assert AigcCase.objects.count() == 2


def test_restriction_can_be_set_lifted_and_the_case_closed(
    with_picture, trust_safety_user
):
    product = with_picture(0, png(ai=True))
    case = verify_product_image(actor=None, product=product)

    set_restriction(
        actor=trust_safety_user, case=case, restricted=True, reason="label removed"
    )
    assert product.pk in collect().unreviewed_products
    with pytest.raises(ModerationError):
        set_restriction(actor=trust_safety_user, case=case, restricted=True, reason="x")
    close_case(actor=trust_safety_user, case=case, reason="merchant relabelled")

    assert product.pk not in collect().unreviewed_products
    reasons = [row.history_change_reason for row in case.history.all()]
    assert "restricted: label removed (clause 6.4.3)" in reasons


def _submit(api, data: bytes, metadata, signature=""):
    import json

    return api.post(
        VERIFY,
        {
            "target_kind": "product",
            "target": "p-1",
            "metadata": json.dumps(metadata),
            "signature": signature,
            "file": SimpleUploadedFile("p.png", data, "image/png"),
        },
        format="multipart",
    )


def test_verify_endpoint_gives_each_verdict(platform, api_for, trust_safety_user):
    api = api_for(trust_safety_user)
    data = png(ai=True)
    digest = signing.content_hash(data)
    block = signing.metadata_block(LabelTier.VERIFIED, signing.PLATFORM, "p-1", "x")
    good = signing.sign(block, digest)
    foreign = block | {"ContentProducer": "anon-generator"}

    valid = _submit(api, data, block, good).json()
    tampered = _submit(api, png(ai=True, seed=8), block, good).json()
    forged = _submit(api, data, foreign, signing.sign(foreign, digest)).json()
    stripped = _submit(api, data, None).json()

    assert valid == {"verdict": "valid", "case": None}
    assert tampered["verdict"] == "tampered" and tampered["case"]
    assert forged["verdict"] == "forged"
    assert stripped["verdict"] == "stripped"
    assert AigcCase.objects.count() == 3


def test_verify_endpoint_refuses_bad_input(
    platform, api_for, trust_safety_user, outsider
):
    api = api_for(trust_safety_user)

    not_object = _submit(api, png(ai=True), ["Label"])
    no_file = api.post(VERIFY, {"target_kind": "product", "target": "p-1"})
    unknown = api.post(
        VERIFY,
        {
            "target_kind": "product",
            "target": "p-404",
            "file": SimpleUploadedFile("p.png", png(ai=True), "image/png"),
        },
        format="multipart",
    )

    assert not_object.status_code == 400
    assert no_file.status_code == 400
    assert unknown.status_code == 400
    assert _submit(api_for(outsider), png(ai=True), None).status_code == 403
    assert not AigcCase.objects.exists()


def test_case_api_restrict_and_close(
    with_picture, api_for, trust_safety_user, reviewer_user
):
    case = verify_product_image(actor=None, product=with_picture(0, png(ai=True)))
    api = api_for(trust_safety_user)

    listed = api_for(reviewer_user).get("/api/v1/aigc/cases/").json()
    by_reviewer = api_for(reviewer_user).post(
        f"/api/v1/aigc/cases/{case.pk}/restrict/",
        {"restricted": True, "reason": "x"},
        format="json",
    )
    no_reason = api.post(
        f"/api/v1/aigc/cases/{case.pk}/restrict/",
        {"restricted": True, "reason": ""},
        format="json",
    )
    done = api.post(
        f"/api/v1/aigc/cases/{case.pk}/restrict/",
        {"restricted": True, "reason": "stripped label"},
        format="json",
    )

    assert [row["id"] for row in listed["results"]] == [case.pk]
    assert by_reviewer.status_code == 403
    assert no_reason.status_code == 400
    assert done.status_code == 200 and done.json()["restricted"] is True
    closed = api.post(f"/api/v1/aigc/cases/{case.pk}/close/", {"reason": "fixed"})
    assert closed.json()["status"] == "closed"
    assert (
        api.post("/api/v1/aigc/cases/99999/close/", {"reason": "x"}).status_code == 404
    )
