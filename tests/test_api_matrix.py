"""The object-level access matrix of the REST API (QUALITY.md AUTHZ-1, AUTHZ-2, AUTHZ-3).

Every route under /api/ must be classified here: a new endpoint without a row fails
``test_every_api_route_is_classified``. Each endpoint row gets the generic contract
(anonymous denied, role without write permission refused, permitted user reads and
creates, out-of-scope record 404 for every method with nothing changed, flat list query
count) from :func:`paretocrm.core.api.testing.endpoint_test_class`.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from paretocrm.core.api.testing import DENIED, EndpointSpec, endpoint_test_class
from paretocrm.customers.models import (
    AccountPlan,
    AccountTeamMember,
    Contact,
    Customer,
    Interaction,
)
from paretocrm.insights.models import CustomerScore, ScoreRun
from paretocrm.knowledge.models import Article
from paretocrm.marketing.models import Campaign
from paretocrm.sales.models import (
    Contract,
    Invoice,
    Opportunity,
    Order,
    Payment,
    PriceList,
    Product,
)
from paretocrm.service.models import CareRecord, Case, SurveyResponse
from paretocrm.users.models import Team, User
from paretocrm.work.models import CallList, Task
from tests.api_samples import MAKERS, PAYLOADS, new_user

SALES = "sales_rep"
ASSISTANT = "key_account_assistant"
ADMIN = "administrator"
READ_ONLY = ()  # no PUT/PATCH/DELETE route: only GET is checked for out-of-scope


def spec(
    basename: str,
    model: type,
    *,
    writer: str = SALES,
    reader: str | None = ASSISTANT,
    change: dict[str, Any] | None = None,
    company_wide: bool = False,
    methods: tuple[str, ...] = ("put", "patch", "delete"),
) -> EndpointSpec:
    """One row of the matrix."""
    return EndpointSpec(
        basename=basename,
        model=model,
        make=MAKERS[basename],
        make_user=new_user,
        writer_role=writer,
        reader_role=reader,
        payload=PAYLOADS.get(basename),
        change=change if change is not None else {"notes": "changed"},
        company_wide=company_wide,
        writable_methods=methods,
    )


#: basename -> spec; every router endpoint appears here.
MATRIX: dict[str, EndpointSpec] = {
    s.basename: s
    for s in (
        spec("customer", Customer, change={"name": "Renamed"}),
        spec("contact", Contact, change={"name": "Renamed"}),
        spec("interaction", Interaction),
        spec("accountplan", AccountPlan, change={"title": "Renamed"}),
        spec("account-team-member", AccountTeamMember, change={"role": "lead"}),
        spec("product", Product, writer=ADMIN, reader=SALES, company_wide=True),
        spec("pricelist", PriceList, writer=ADMIN, reader=SALES, company_wide=True),
        spec("opportunity", Opportunity, change={"name": "Renamed"}),
        spec("contract", Contract, change={"title": "Renamed"}),
        spec("order", Order),
        spec("invoice", Invoice, change={"status": "paid"}),
        # The payment ledger has no PUT/PATCH/DELETE routes (405 for everyone).
        spec("payment", Payment, methods=READ_ONLY),
        spec("case", Case, change={"subject": "Renamed"}),
        spec("carerecord", CareRecord),
        spec("surveyresponse", SurveyResponse, change={"comment": "changed"}),
        spec("campaign", Campaign, writer="marketing", reader=SALES, company_wide=True),
        spec("article", Article, writer="service_agent", reader=SALES, company_wide=True),
        spec("scorerun", ScoreRun, writer=ADMIN, reader=SALES, company_wide=True),
        spec("customerscore", CustomerScore, reader=SALES, methods=READ_ONLY),
        spec("user", User, writer=ADMIN, reader=SALES, company_wide=True),
        spec("team", Team, writer=ADMIN, reader=SALES, company_wide=True),
        spec("task", Task, change={"reason": "changed"}),
        # Call lists are made and worked, never edited (no PUT/PATCH/DELETE route).
        spec("call-list", CallList, methods=READ_ONLY),
    )
}

#: Extra actions, each tested in its app's tests/test_api.py.
EXTRA_ACTIONS = {
    "opportunity-stage",
    "payment-reverse",
    # customers/tests/test_privacy.py (PRIV-3/4/5)
    "contact-unmask",
    "contact-personal-data",
    "contact-erase",
    # customers/tests/test_merging.py (issue 17: merge two records of one company)
    "customer-merge",
    # work/tests/test_calllist_scope.py (issue 14 finding 2, issue 16 finding 3)
    "call-list-entries",
    "call-list-record-outcome",
    # service/tests/test_api.py (issue 16: knowledge articles linked from a case)
    "case-articles",
    # marketing/tests/test_campaign_api.py (issue 16 finding 5)
    "campaign-archive",
}
#: Read-only routes guarded by a function of the role table, each tested in its app's tests
#: (audit/tests/test_audit_read.py: readers see the log, others 403 and the refusal logged).
FUNCTION_GUARDED = {
    "auditevent-list",
    "auditevent-detail",
    "fieldchange-list",
    "fieldchange-detail",
}
#: Routes that are not object endpoints.
NON_OBJECT_ROUTES = {"api-token", "api-schema", "api-docs"}
#: Routes an anonymous client may call (the token endpoint checks the password itself).
ANONYMOUS_ALLOWED = {"api-token"}


#: Route names taking a record id.
DETAIL_SUFFIXES = (
    "-detail",
    "-stage",
    "-reverse",
    "-unmask",
    "-personal-data",
    "-erase",
    "-entries",
    "-record-outcome",
    "-articles",
    "-archive",
    "-merge",
)


def api_route_names() -> set[str]:
    """Names of every URL pattern under /api/ (walks the resolver, routers included)."""
    names: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/"):
                names.add(pattern.name or route)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_api_route_is_classified() -> None:
    classified = NON_OBJECT_ROUTES | EXTRA_ACTIONS | FUNCTION_GUARDED
    for basename in MATRIX:
        classified |= {f"{basename}-list", f"{basename}-detail"}
    unclassified = api_route_names() - classified
    assert not unclassified, f"API routes missing from the access matrix: {sorted(unclassified)}"
    # And the matrix names no route that does not exist (a stale row hides nothing).
    assert {f"{b}-list" for b in MATRIX} <= api_route_names()


@pytest.mark.django_db
def test_anonymous_is_denied_on_every_api_route_except_the_allow_list() -> None:
    cache.clear()
    from rest_framework.test import APIClient

    client = APIClient()
    for name in sorted(api_route_names() - ANONYMOUS_ALLOWED):
        kwargs = {"pk": 1} if name.endswith(DETAIL_SUFFIXES) else {}
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code in DENIED, (name, response.status_code)
        response = client.post(reverse(name, kwargs=kwargs), {}, format="json")
        assert response.status_code in DENIED, (name, response.status_code)


for _row in MATRIX.values():
    _cls = endpoint_test_class(_row)
    globals()[_cls.__name__] = _cls
del _row, _cls


@pytest.mark.django_db
@pytest.mark.parametrize("basename", sorted(MATRIX))
def test_portal_users_are_refused_on_every_api_route(basename: str) -> None:
    """Issue 8: a customer's portal login gets 403 on every staff API route and method,
    even for records of its own customer (the portal has its own pages); nothing changes."""
    from rest_framework.test import APIClient

    from paretocrm.customers.tests.factories import make_customer
    from paretocrm.portal.tests.factories import make_portal_user

    cache.clear()
    row = MATRIX[basename]
    owner = new_user(SALES)
    record = row.make(owner)
    customer = record if isinstance(record, Customer) else getattr(record, "customer", None)
    portal_user = make_portal_user(customer or make_customer(owner=owner))
    client = APIClient()
    client.force_login(portal_user)
    before = row.model._default_manager.filter(pk=record.pk).values().first()
    list_url = reverse(f"{basename}-list")
    detail_url = reverse(f"{basename}-detail", kwargs={"pk": record.pk})
    calls = [("get", list_url), ("post", list_url)]
    calls += [(method, detail_url) for method in ("get", "put", "patch", "delete")]
    for method, url in calls:
        response = getattr(client, method)(url, {}, format="json")
        assert response.status_code == 403, (basename, method, response.status_code)
    assert row.model._default_manager.filter(pk=record.pk).values().first() == before
