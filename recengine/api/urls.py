from django.urls import path

from recengine.api.intake import CatalogueUpsertView, EventBatchView

app_name = "api"

urlpatterns = [
    path("catalogue/<str:kind>/", CatalogueUpsertView.as_view(), name="catalogue"),
    path("events/", EventBatchView.as_view(), name="events"),
]
