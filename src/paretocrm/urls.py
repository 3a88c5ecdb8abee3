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

#: JSON under /api/, the translated page in the layout elsewhere (core.views, core.errors).
handler403 = "paretocrm.core.errors.permission_denied"
handler404 = "paretocrm.core.views.not_found"
handler500 = "paretocrm.core.errors.server_error"
