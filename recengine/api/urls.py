from django.urls import path

from recengine.api.intake import CatalogueUpsertView, EventBatchView
from recengine.api.recommendations import RecommendationView

app_name = "api"

urlpatterns = [
    path("catalogue/<str:kind>/", CatalogueUpsertView.as_view(), name="catalogue"),
    path("events/", EventBatchView.as_view(), name="events"),
    path("recommendations/", RecommendationView.as_view(), name="recommendations"),
]
