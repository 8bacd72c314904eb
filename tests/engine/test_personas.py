"""Anchor persona measures (clause 5.2.2) stored at training and shown to staff."""

import numpy as np
import pytest
from django.test import Client

from recengine.models import AnchorPersona, GroundTruth, TruthKind


@pytest.mark.django_db
def test_training_stores_personas_that_separate_experts_from_hype(trained):
    truth = {
        row.external_id: row.attributes
        for row in GroundTruth.objects.filter(kind=TruthKind.ANCHOR)
    }
    personas = AnchorPersona.objects.select_related("anchor")

    expert = [
        p.professionalism
        for p in personas
        if truth[p.anchor.external_id]["style"] == "expert"
    ]
    hype = [
        p.professionalism
        for p in personas
        if truth[p.anchor.external_id]["style"] != "expert"
    ]

    assert personas.count() > 10
    assert {p.model_version for p in personas} <= {trained.first, trained.second}
    assert np.mean(expert) > np.mean(hype) + 0.2


@pytest.mark.django_db
def test_the_anchor_list_shows_the_persona(trained, trust_safety_user):
    client = Client()
    client.force_login(trust_safety_user)
    persona = AnchorPersona.objects.select_related("anchor").first()

    page = client.get("/console/catalogue/anchors/", {"q": persona.anchor.external_id})

    assert page.status_code == 200
    assert f"{persona.professionalism:.2f}" in page.content.decode()
