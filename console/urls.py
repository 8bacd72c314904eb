from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from console.health import healthz
from console.views.auth import root

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path("api/v1/", include("recengine.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", root, name="root"),
    path("console/", include("console.staff_urls")),
    path("portal/", include("console.portal_urls")),
]

# Product images in the embedded run; production serves media from the web server.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
