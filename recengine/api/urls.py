from django.urls import include, path

from recengine.api.intake import CatalogueUpsertView, EventBatchView
from recengine.api.recommendations import RecommendationView
from recengine.api.rights import (
    DataView,
    FeedbackView,
    MyRecommendationsView,
    PersonalizationView,
    TagsView,
    TagView,
)
from recengine.moderation.api.urls import aigc_patterns, moderation_patterns

app_name = "api"

urlpatterns = [
    path("catalogue/<str:kind>/", CatalogueUpsertView.as_view(), name="catalogue"),
    path("events/", EventBatchView.as_view(), name="events"),
    path("recommendations/", RecommendationView.as_view(), name="recommendations"),
    path("trust/", include("recengine.trust.api.urls")),
    path("moderation/", include(moderation_patterns)),
    path("aigc/", include(aigc_patterns)),
    path("me/tags/", TagsView.as_view(), name="me-tags"),
    path("me/tags/<int:pk>/", TagView.as_view(), name="me-tag"),
    path(
        "me/personalization/", PersonalizationView.as_view(), name="me-personalization"
    ),
    path("me/feedback/", FeedbackView.as_view(), name="me-feedback"),
    path("me/data/", DataView.as_view(), name="me-data"),
    path(
        "me/recommendations/",
        MyRecommendationsView.as_view(),
        name="me-recommendations",
    ),
]
