"""Web pages: every app's page routes included in one place.

Every page needs a signed-in user (each view says so with ``LoginRequiredMixin``); only the
sign-in page and ``/health/`` (in ``urls.py``) are open.
"""

from django.urls import include, path

from paretocrm.core.views import plotly_js

urlpatterns = [
    path("", include("paretocrm.users.urls")),
    path("", include("paretocrm.insights.urls")),
    path("customers/", include("paretocrm.customers.urls")),
    path("", include("paretocrm.sales.urls")),
    path("service/", include("paretocrm.service.urls")),
    path("campaigns/", include("paretocrm.marketing.urls")),
    path("knowledge/", include("paretocrm.knowledge.urls")),
    path("work/", include("paretocrm.work.urls")),
    path("imports/", include("paretocrm.imports.urls")),
    # The customer self-service portal and its staff side (issue 8).
    path("portal/", include("paretocrm.portal.urls")),
    path("portal-access/", include("paretocrm.portal.staff_urls")),
    path("audit/", include("paretocrm.audit.urls")),
    path("vendor/plotly.min.js", plotly_js, name="plotly_js"),
]
