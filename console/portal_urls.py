"""Routes of the viewer portal, under ``/portal/`` in the namespace ``portal``."""

from django.urls import path

from console.views import portal, portal_feed

app_name = "portal"

urlpatterns = [
    path("", portal.home, name="home"),
    path("tags/<int:pk>/delete/", portal.delete_tag, name="delete_tag"),
    path("tags/delete-all/", portal.delete_all_tags, name="delete_all_tags"),
    path("personalization/", portal.personalization, name="personalization"),
    path("data/", portal.my_data, name="data"),
    path("recommendations/", portal_feed.preview, name="preview"),
    path("not-interested/", portal_feed.not_interested, name="not_interested"),
    path(
        "how-recommendations-work/",
        portal_feed.how_it_works,
        name="how_it_works",
    ),
]
