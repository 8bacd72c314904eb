"""The read-only catalogue lists: content, search, filters, paging, escaping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from console.views.catalogue import PAGE_SIZE
from recengine.models import Anchor, Merchant, Product

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def signed_in(client, reviewer_user):
    client.force_login(reviewer_user)
    return client


def _page(client, name, **params):
    response = client.get(reverse(name), params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_anchor_list_shows_anchors_and_digital_humans(signed_in, platform):
    page = _page(signed_in, "console:anchors")

    assert "小美" in page
    assert "数字人小智" in page
    assert "AI-generated" in page


def test_search_narrows_the_list(signed_in, platform):
    page = _page(signed_in, "console:merchants", q="田园")

    assert "田园食品" in page
    assert "好物小店" not in page


def test_search_by_external_id(signed_in, platform):
    page = _page(signed_in, "console:products", q="p-2")

    assert "坚果礼盒" in page
    assert "保湿面霜" not in page


def test_search_without_result_says_so(signed_in, platform):
    page = _page(signed_in, "console:anchors", q="nobody-at-all")

    assert "Nothing matches" in page
    assert "nobody-at-all" in page


@pytest.mark.parametrize(
    "name",
    ["console:anchors", "console:merchants", "console:products", "console:rooms"],
)
def test_empty_catalogue_says_how_to_get_data(signed_in, name):
    page = _page(signed_in, name)

    assert "No platform data yet" in page
    assert "python manage.py simulate" in page


def test_room_list_marks_live_rooms(signed_in, platform):
    live = _page(signed_in, "console:rooms", state="live")
    offline = _page(signed_in, "console:rooms", state="offline")

    assert "护肤直播间" in live and "彩妆教学" in live
    assert "零食夜市" not in live
    assert "零食夜市" in offline
    assert "护肤直播间" not in offline


def test_lists_are_paginated(signed_in, platform):
    Merchant.objects.bulk_create(
        Merchant(external_id=f"bulk-{i}", name=f"Shop {i:03d}", created_at=platform.now)
        for i in range(PAGE_SIZE + 5)
    )

    first = signed_in.get(reverse("console:merchants"), {"q": "Shop"})
    second = signed_in.get(reverse("console:merchants"), {"q": "Shop", "page": 2})

    assert len(first.context["page"].object_list) == PAGE_SIZE
    assert len(second.context["page"].object_list) == 5
    assert "q=Shop" in first.content.decode()  # the next-page link keeps the search


def test_product_thumbnail_comes_from_media_url(
    signed_in, platform, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    product = platform.products[0]
    product.image = SimpleUploadedFile("cream.png", b"\x89PNG fake", "image/png")
    product.save()

    page = _page(signed_in, "console:products")

    assert f'src="/media/{product.image.name}"' in page


def test_html_in_names_is_escaped(signed_in, platform):
    merchant = Merchant.objects.create(
        external_id="m-evil", name=HOSTILE, created_at=platform.now
    )
    Anchor.objects.create(external_id="a-evil", name=HOSTILE, created_at=platform.now)
    Product.objects.create(
        external_id="p-evil",
        merchant=merchant,
        category=platform.categories[0],
        title=HOSTILE,
        price=Decimal("1.00"),
        created_at=platform.now - dt.timedelta(days=1),
    )

    for name in ["console:anchors", "console:merchants", "console:products"]:
        page = _page(signed_in, name)
        assert HOSTILE not in page
        assert "&lt;script&gt;" in page


def test_hostile_search_query_is_escaped(signed_in, platform):
    page = _page(signed_in, "console:anchors", q=HOSTILE)

    assert HOSTILE not in page
