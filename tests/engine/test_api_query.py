"""The endpoint's quick reading of a query agrees with its serializer."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from recengine.api.recommendations import RecommendationQuery, plain_query

QUERIES = [
    "viewer=u1&scene=live_feed",
    "viewer=u1&scene=product_feed&size=100",
    "viewer=u1&scene=live_feed&size=1",
    "viewer=u1&scene=live_feed&size=0",
    "viewer=u1&scene=live_feed&size=101",
    "viewer=u1&scene=live_feed&size=007",
    "viewer=u1&scene=live_feed&size=5.0",
    "viewer=u1&scene=live_feed&size=%205",
    "viewer=u1&scene=live_feed&size=ten",
    "viewer=u1&scene=live_feed&size=%C2%B2",
    "viewer=u1&scene=live_feed&size=",
    "viewer=u1&scene=moon_feed",
    "viewer=u1",
    "scene=live_feed",
    "viewer=&scene=live_feed",
    "viewer=%20u1&scene=live_feed",
    "viewer=u%001&scene=live_feed",
    "viewer=" + "x" * 64 + "&scene=live_feed",
    "viewer=" + "x" * 65 + "&scene=live_feed",
    "viewer=%E7%94%A8%E6%88%B7&scene=live_feed",
    "viewer=a&viewer=b&scene=live_feed&size=3&size=4",
]


@pytest.mark.parametrize("raw", QUERIES)
def test_the_quick_reading_accepts_only_what_the_serializer_accepts(raw):
    params = QueryDict(raw)
    quick = plain_query(params)
    serializer = RecommendationQuery(data=params)

    if not serializer.is_valid():
        assert quick is None
    elif quick is not None:
        assert quick == dict(serializer.validated_data)


def test_plain_queries_take_the_quick_reading():
    assert plain_query(QueryDict("viewer=u1&scene=live_feed")) == {
        "viewer": "u1",
        "scene": "live_feed",
        "size": 20,
    }
    assert plain_query(QueryDict("viewer=a&viewer=b&scene=live_feed&size=4")) == {
        "viewer": "b",
        "scene": "live_feed",
        "size": 4,
    }
