"""URL configuration: admin for back-office editing plus each app's pages."""

from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from paretocrm.core.views import healthz


def health(_request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("health/", health, name="health"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("paretocrm.api_urls")),
    path("", include("paretocrm.web_urls")),
]

#: JSON 404 under /api/, Django's page elsewhere (core.views.not_found).
handler404 = "paretocrm.core.views.not_found"
