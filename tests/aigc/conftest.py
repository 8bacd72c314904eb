"""Pictures as the simulator renders them (with or without their AIGC chunk), a
product holding each, and clients for the API."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from django.core.files.base import ContentFile
from PIL.PngImagePlugin import PngInfo
from rest_framework.test import APIClient

from recengine.simulator import images


def png(*, ai: bool, metadata: dict | None = None, seed: int = 3) -> bytes:
    picture = images.render(4, np.random.default_rng(seed), ai=ai)
    info = PngInfo()
    if metadata is not None:
        info.add_text("AIGC", json.dumps(metadata, ensure_ascii=False))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def simulator_metadata(content_id: str) -> dict:
    return json.loads(images.aigc_metadata(content_id))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_serving():
    from recengine import serving

    serving.reset()
    serving.runtime().policy_provider.invalidate()
    yield
    serving.reset()
    serving.runtime().policy_provider.invalidate()


@pytest.fixture
def with_picture(platform):
    """Give product ``index`` of the platform the picture ``data``."""

    def attach(index: int, data: bytes):
        product = platform.products[index]
        product.image.save(f"{product.external_id}.png", ContentFile(data), save=True)
        return product

    return attach


@pytest.fixture
def api_for():
    def client(user) -> APIClient:
        # Refusals are asserted by their English wording.
        api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            api.force_authenticate(user)
        return api

    return client
