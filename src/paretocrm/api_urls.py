"""REST API routes (/api/): every app's router registered in one place.

Everything here needs a signed-in user (token or session), including the schema and the
Swagger UI; the only open route is the token endpoint itself (it checks the password).
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from paretocrm.core.api.permissions import StaffPermission
from paretocrm.users.api.views import ObtainTokenView

#: drf-spectacular serves the schema to anyone by default; here it needs a staff login.
SIGNED_IN = [StaffPermission]

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=SIGNED_IN), name="api-schema"),
    path(
        "docs/",
        # The split view serves its start script as a file: no inline script (CSP).
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=SIGNED_IN),
        name="api-docs",
    ),
    path("", include("paretocrm.customers.api.urls")),
    path("", include("paretocrm.sales.api.urls")),
    path("", include("paretocrm.service.api.urls")),
    path("", include("paretocrm.marketing.api.urls")),
    path("", include("paretocrm.knowledge.api.urls")),
    path("insights/", include("paretocrm.insights.api.urls")),
    path("directory/", include("paretocrm.users.api.urls")),
    path("work/", include("paretocrm.work.api.urls")),
    path("audit/", include("paretocrm.audit.api.urls")),
]
