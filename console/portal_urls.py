"""Routes of the viewer portal, under ``/portal/`` in the namespace ``portal``."""

from django.urls import path

from console.views import portal

app_name = "portal"

urlpatterns = [
    path("", portal.home, name="home"),
]
