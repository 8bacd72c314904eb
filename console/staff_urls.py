"""Routes of the staff console, under ``/console/`` in the namespace ``console``."""

from django.urls import path

from console.views import apikeys, auth, catalogue, home

app_name = "console"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("catalogue/anchors/", catalogue.anchors, name="anchors"),
    path("catalogue/merchants/", catalogue.merchants, name="merchants"),
    path("catalogue/products/", catalogue.products, name="products"),
    path("catalogue/rooms/", catalogue.rooms, name="rooms"),
    path("api-keys/", apikeys.key_list, name="apikeys"),
    path("api-keys/issue/", apikeys.key_issue, name="apikey_issue"),
    path("api-keys/<int:pk>/revoke/", apikeys.key_revoke, name="apikey_revoke"),
]
