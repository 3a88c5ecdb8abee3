"""The project's routes plus one page that fails, to see the 500 page (tests/test_error_pages).

The error handlers are the project's own (Django's defaults where the project names none).
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from paretocrm import urls as project

handler403 = getattr(project, "handler403", "django.views.defaults.permission_denied")
handler404 = getattr(project, "handler404", "django.views.defaults.page_not_found")
handler500 = getattr(project, "handler500", "django.views.defaults.server_error")


def boom(_request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret detail of the failure")


urlpatterns = [path("boom/", boom), *project.urlpatterns]
