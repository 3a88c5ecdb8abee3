"""The attack matrix of the web pages (QUALITY.md AUTHZ-1, AUTHZ-2, AUTHZ-6; issue 14, item 7).

Every non-API, non-admin URL pattern is declared in ``PAGES`` with what a POST to it needs:
a function of the role policy (``core.policy``), any member of staff, a portal login, nobody
(the anonymous allow-list) or nothing because the route is read-only (GET only). A new route
without a row fails ``test_every_page_route_is_declared``.

For every state-changing route and every staff role, the matrix POSTs on a record inside the
user's scope (allowed exactly when ``has_function`` says so; a form error or a redirect counts
as allowed) and on another team's record (404, or 403 for a role without the function, with
nothing in the database changed). Portal logins are refused on every staff POST and get 404 on
another customer's record; anonymous clients are sent to the login page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from paretocrm.core.policy import ROLE_SCOPES, STAFF_ROLES, Function, ScopeLevel, has_function
from paretocrm.customers.models import AccountTeamMember, SavedView
from paretocrm.customers.tests.factories import make_contact, make_customer
from paretocrm.imports.models import ImportBatch
from paretocrm.knowledge.models import Article
from paretocrm.marketing.models import ConceptSurvey
from paretocrm.portal.models import InboundMessage, PortalAccount
from paretocrm.portal.tests.factories import make_portal_user
from paretocrm.service.models import Case, SlaPolicy
from paretocrm.users.models import Team, User
from paretocrm.work.models import CallList, CallListEntry
from tests.api_samples import make_campaign, make_case, make_plan, make_task, new_user

F = Function
ANY_STAFF = "any staff"
PORTAL = "portal"
PUBLIC = "anonymous allow-list"
GET_ONLY = "read-only"

#: How far a record reaches: a customer's scope, the user's own (saved views), or the company.
CUSTOMER, PERSONAL, COMPANY = "customer", "personal", "company"


# --- records: how to build one inside a user's scope --------------------------------------


@dataclass(frozen=True)
class Record:
    """How to build a record for ``user`` and the URL kwargs and POST body that reach it."""

    make: Callable[[User], Any]
    kwargs: Callable[[Any], dict[str, Any]] = lambda r: {"pk": r.pk}
    body: Callable[[Any], dict[str, Any]] = lambda r: {}
    reach: str = CUSTOMER


def _contact(user: User) -> Any:
    return make_contact(make_customer(owner=user), phone="13812345678", email="z@x.cn")


def _saved_view(user: User) -> SavedView:
    return SavedView.objects.create(user=user, name="Mine", query="tier=core")


def _batch(user: User) -> ImportBatch:
    return ImportBatch.objects.create(
        kind="customers", file_name="c.csv", user=user, dry_run=True, status="succeeded"
    )


def _portal_account(user: User) -> PortalAccount:
    return make_portal_user(make_customer(owner=user)).portal_account


def _inbound(user: User) -> InboundMessage:
    return InboundMessage.objects.create(
        message_id=f"<m{user.pk}@x>",
        sender="buyer@example.com",
        subject="Hello",
        status="triage",
        customer=make_customer(owner=user),
    )


def _call_list(user: User) -> CallListEntry:
    customer = make_customer(owner=user)
    call_list = CallList.objects.create(name="Calls", created_by=user, assigned_to=user)
    return CallListEntry.objects.create(call_list=call_list, customer=customer)


def _plan_action(user: User) -> Any:
    plan = make_plan(user)
    return plan.actions.create(description="Visit", owner=user)


def _concept(user: User) -> ConceptSurvey:
    return ConceptSurvey.objects.create(title="Dried mango", concept="Thin", question="Buy?")


def _article(_user: User) -> Article:
    return Article.objects.create(title="退货须知", body="七天内", status="published")


def _customer_for_team(user: User) -> Any:
    """A customer of ``user`` and a colleague of the same team who may join its account team."""
    customer = make_customer(owner=user, team=user.team)
    customer.colleague = new_user("key_account_specialist", user.team)
    return customer


def _team_member(user: User) -> AccountTeamMember:
    customer = make_customer(owner=user, team=user.team)
    return AccountTeamMember.objects.create(customer=customer, user=new_user("sales_rep"))


def _customer_pair(user: User) -> Any:
    """Two records of one company in ``user``'s scope (the second is merged into the first)."""
    customer = make_customer(owner=user, team=user.team, name="北京华油天然气有限公司")
    customer.twin = make_customer(owner=user, team=user.team, name="北京华油天然气")
    return customer


def _colleague(_user: User) -> User:
    leaver = new_user("sales_rep")
    make_customer(owner=leaver)
    return leaver


RECORDS: dict[str, Record] = {
    "customer": Record(
        lambda u: make_customer(owner=u),
        body=lambda c: {"name": "改名", "version": c.version},
    ),
    "customer for plan": Record(
        lambda u: make_customer(owner=u),
        kwargs=lambda c: {"customer_pk": c.pk},
        body=lambda c: {"title": "Plan", "status": "draft", "period_start": "2025-01-01"},
    ),
    "interaction on customer": Record(
        lambda u: make_customer(owner=u),
        body=lambda c: {"kind": "call", "subject": "Called", "occurred_at": "2025-06-01T10:00"},
    ),
    "customer for team": Record(
        _customer_for_team, body=lambda c: {"user": c.colleague.pk, "role": "specialist"}
    ),
    "account team member": Record(
        _team_member, kwargs=lambda m: {"pk": m.customer_id, "member_pk": m.pk}
    ),
    "customer pair": Record(
        _customer_pair,
        kwargs=lambda c: {"pk": c.pk, "other": c.twin.pk},
        body=lambda c: {
            "keep": c.pk,
            "version_first": c.version,
            "version_second": c.twin.version,
        },
    ),
    "contact": Record(_contact, body=lambda c: {"show": "phone", "version": c.version}),
    "saved view": Record(_saved_view, reach=PERSONAL),
    # A batch is its importer's own (an administrator too gets 404 on another's).
    "import batch": Record(_batch, reach=PERSONAL),
    "portal account": Record(_portal_account),
    "inbound e-mail": Record(_inbound, kwargs=lambda m: {}, body=lambda m: {"pk": m.pk}),
    "case": Record(make_case, body=lambda c: {"to": "in_progress", "version": c.version}),
    "task": Record(make_task, body=lambda t: {"outcome": "Reached", "version": t.version}),
    "call list": Record(
        _call_list,
        kwargs=lambda e: {"pk": e.call_list_id},
        body=lambda e: {"entry": e.pk, "outcome": "reached", "notes": "ok"},
    ),
    "plan": Record(make_plan, body=lambda p: {"title": "Renamed", "version": p.version}),
    "plan action": Record(
        _plan_action,
        kwargs=lambda a: {"pk": a.plan_id, "action_pk": a.pk},
        body=lambda a: {"status": "done", "version": a.plan.version},
    ),
    # Company-wide records: no other team's copy exists.
    "campaign": Record(make_campaign, body=lambda c: {"version": c.version}, reach=COMPANY),
    "concept": Record(_concept, body=lambda c: {"version": c.version}, reach=COMPANY),
    "colleague": Record(_colleague, reach=COMPANY),
    "article": Record(
        _article, body=lambda a: {"title": "退货须知（修订）", "version": a.version}, reach=COMPANY
    ),
    "team": Record(lambda u: Team.objects.create(name="Other team"), reach=COMPANY),
    "sla policy": Record(lambda u: SlaPolicy.objects.filter(active=True).first(), reach=COMPANY),
}


# --- the table: every page route ----------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """What a POST to one page route needs, and the record its URL (or body) names."""

    post: Function | str
    record: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)


#: route name -> declaration; every page route appears here exactly once.
PAGES: dict[str, Page] = {
    # Read-only pages and downloads (POST answers 405).
    **dict.fromkeys(
        [
            "insights:dashboard",
            "audit:log",
            "marketing:campaigns",
            "marketing:campaign",
            "marketing:audience_export",
            "sales:contracts",
            "sales:contract",
            "sales:invoices",
            "sales:orders",
            "insights:core_customers",
            "insights:rfm",
            "insights:core_customers_export",
            "customers:list",
            "customers:duplicates",
            "customers:contact_personal_data",
            "customers:export",
            "imports:batch",
            "imports:batch_status",
            "knowledge:articles",
            "knowledge:article",
            "portal_access:attachment",
            "portal:overview",
            "portal:attachment",
            "portal:cases",
            "portal:invoices",
            "portal:invoice",
            "portal:knowledge",
            "portal:article",
            "portal:orders",
            "portal:order",
            "service:cases",
            "service:case",
            "insights:scoring_status",
            "users:teams",
            "users:users",
            "plotly_js",
            "work:call_list_export",
            "work:peak_season",
            "work:plans",
            "work:plan",
            "work:plan_export",
            "work:reports",
            "work:concentration_export",
            "work:concentration",
            "work:scorecards_export",
            "work:tasks",
            "service:sla_policies",
            "imports:template",
        ],
        Page(GET_ONLY),
    ),
    # No sign-in: the token or the password is the key.
    **dict.fromkeys(
        [
            "health",
            "healthz",
            "set_language",
            "users:login",
            "users:logout",
            "marketing:concept_answer",
            "service:survey",
            "portal:invitation",
        ],
        Page(PUBLIC),
    ),
    # State-changing staff pages.
    "customers:detail": Page(F.EDIT_ACCOUNTS, "interaction on customer"),
    "customers:edit": Page(F.EDIT_ACCOUNTS, "customer"),
    "customers:merge": Page(F.EDIT_ACCOUNTS, "customer pair"),
    "customers:team_add": Page(F.EDIT_ACCOUNTS, "customer for team"),
    "customers:team_remove": Page(F.EDIT_ACCOUNTS, "account team member"),
    "customers:contact_erase": Page(F.ERASE, "contact"),
    "customers:contact_unmask": Page(F.VIEW_UNMASKED, "contact"),
    "customers:save_view": Page(ANY_STAFF, body={"name": "Core", "query": "tier=core"}),
    "users:settings": Page(ANY_STAFF, body={"language": "zh-hans"}),
    "customers:delete_view": Page(ANY_STAFF, "saved view"),
    "work:plan_create": Page(F.EDIT_ACCOUNTS, "customer for plan"),
    "work:plan_edit": Page(F.EDIT_ACCOUNTS, "plan"),
    "work:plan_add": Page(F.EDIT_ACCOUNTS, "plan", {"part": "goal"}, {"title": "Grow"}),
    "work:plan_action_status": Page(F.EDIT_ACCOUNTS, "plan action"),
    "work:task_action": Page(F.WORK_TASKS, "task", {"action": "done"}),
    "work:call_lists": Page(F.MANAGE_CALL_LISTS, body={"name": "Calls"}),
    "work:call_list": Page(F.MANAGE_CALL_LISTS, "call list"),
    "work:scorecards": Page(F.SET_TARGETS, body={"revenue_target": "1"}),
    "service:case_new": Page(F.EDIT_SERVICE, body={"subject": "Late"}),
    "service:case_action": Page(F.EDIT_SERVICE, "case", {"action": "status"}),
    "service:sla_policy_new": Page(F.SETTINGS, body={"name": "Rush", "priority": "high"}),
    "service:sla_policy": Page(F.SETTINGS, "sla policy", body={"first_response_hours": "1"}),
    "service:sla_policy_archive": Page(F.SETTINGS, "sla policy"),
    "work:call_list_outcomes": Page(F.MANAGE_CALL_LISTS, "call list"),
    "portal_access:list": Page(F.INVITE_PORTAL),
    "portal_access:deactivate": Page(F.INVITE_PORTAL, "portal account"),
    "portal_access:triage": Page(F.EDIT_SERVICE, "inbound e-mail"),
    "imports:page": Page(F.IMPORT),
    "imports:commit": Page(F.IMPORT, "import batch"),
    "marketing:campaign_action": Page(F.EDIT_CAMPAIGNS, "campaign", {"action": "attribute"}),
    "marketing:campaign_new": Page(F.EDIT_CAMPAIGNS, body={"name": "中秋礼盒"}),
    "marketing:campaign_edit": Page(F.EDIT_CAMPAIGNS, "campaign"),
    "marketing:campaign_archive": Page(F.EDIT_CAMPAIGNS, "campaign"),
    "marketing:concepts": Page(F.EDIT_CAMPAIGNS, body={"title": "Idea"}),
    "marketing:concept": Page(F.EDIT_CAMPAIGNS, "concept"),
    "knowledge:article_new": Page(F.EDIT_KNOWLEDGE, body={"title": "新文章"}),
    "knowledge:article_edit": Page(F.EDIT_KNOWLEDGE, "article"),
    "knowledge:article_archive": Page(F.EDIT_KNOWLEDGE, "article"),
    "knowledge:categories": Page(F.EDIT_KNOWLEDGE, body={"name": "冷链物流"}),
    "insights:rating_settings": Page(F.SETTINGS),
    "insights:ahp_check": Page(F.SETTINGS),
    "insights:save_ahp": Page(F.SETTINGS),
    "insights:save_weights": Page(F.SETTINGS),
    "insights:save_health_weights": Page(F.SETTINGS),
    "insights:scoring": Page(F.RUN_ANALYSIS),
    "users:user_new": Page(F.USER_ADMIN),
    "users:user": Page(F.USER_ADMIN, "colleague", body={"first_name": "Renamed"}),
    "users:user_deactivate": Page(F.USER_ADMIN, "colleague"),
    "users:user_reactivate": Page(F.USER_ADMIN, "colleague"),
    "users:user_transfer": Page(F.TRANSFER, "colleague", body={"reason": "leaves"}),
    "users:team_new": Page(F.USER_ADMIN, body={"name": "New team"}),
    "users:team": Page(F.USER_ADMIN, "team", body={"name": "Renamed"}),
    # The portal's own pages (a customer's login; staff are refused).
    "portal:case_new": Page(PORTAL, body={"case_type": "inquiry", "subject": "Where?"}),
    "portal:case": Page(PORTAL, "portal case", body={"body": "Any news?"}),
    "portal:details": Page(PORTAL),
    "portal:surveys": Page(PORTAL),
}

STAFF_POST_ROUTES = sorted(n for n, p in PAGES.items() if p.post not in (GET_ONLY, PUBLIC, PORTAL))
PORTAL_POST_ROUTES = sorted(n for n, p in PAGES.items() if p.post == PORTAL)
SIGNED_IN_ROUTES = sorted(n for n, p in PAGES.items() if p.post != PUBLIC)

#: Cells where a page disagrees with the role policy, each waiting for its fix (issue 14).
#: Cells known to disagree with the policy, each an xfail(strict=True) naming what breaks
#: (empty: the call-list cells found first were fixed by the call-list service).
KNOWN_FAILURES: dict[tuple[str, str], str] = {}


def page_route_names() -> set[str]:
    """Names of every URL pattern outside /api/, /admin/ and static files."""
    names: set[str] = set()

    def walk(patterns: list[Any], prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and not route.startswith(
                ("api/", "admin/", "static/", "media/")
            ):
                name = pattern.name or route
                names.add(f"{namespace}:{name}" if namespace else name)

    walk(get_resolver().url_patterns, "", None)
    return names


def test_every_page_route_is_declared() -> None:
    routes = page_route_names()
    undeclared = routes - set(PAGES)
    assert not undeclared, f"page routes missing from the page matrix: {sorted(undeclared)}"
    stale = set(PAGES) - routes
    assert not stale, f"the page matrix declares routes that do not exist: {sorted(stale)}"
    for page in PAGES.values():
        assert page.record is None or page.record in RECORDS or page.record == "portal case"


# --- how an answer and the database read ----------------------------------------------------


def refused(response: Any) -> bool:
    """403, 404, or a redirect to the login page or to the portal."""
    assert response.status_code < 500, response.status_code
    if response.status_code in (403, 404):
        return True
    location = response.get("Location", "") if response.status_code in (301, 302) else ""
    return location.startswith(reverse("users:login")) or location == reverse("portal:overview")


def snapshot(record: Any) -> tuple[Any, ...]:
    """Row counts of every model but the audit trail's, and the record's own row."""
    counts = tuple(
        model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("paretocrm.") and model._meta.app_label != "audit"
    )
    row = None
    if isinstance(record, models.Model):
        row = type(record)._default_manager.filter(pk=record.pk).values().first()
    return counts, row


def url_of(name: str, page: Page, record: Any) -> str:
    kwargs = dict(page.kwargs)
    if page.record is not None:
        kwargs |= RECORDS[page.record].kwargs(record)
    return reverse(name, kwargs=kwargs)


def body_of(page: Page, record: Any) -> dict[str, Any]:
    body = dict(page.body)
    if page.record is not None:
        body |= RECORDS[page.record].body(record)
    return body


def dummy_url(name: str) -> str:
    """The route with placeholder kwargs (the view answers before it looks anything up)."""
    for kwargs in ({}, {"pk": 1}, {"token": "x"}, {"file_format": "csv"}):
        try:
            return reverse(name, kwargs=kwargs)
        except Exception:  # noqa: S112 - try the next shape
            continue
    for kwargs in (
        {"pk": 1, "action": "x"},
        {"pk": 1, "part": "goal"},
        {"pk": 1, "action_pk": 1},
        {"customer_pk": 1},
        {"pk": 1, "member_pk": 1},
        {"pk": 1, "other": 2},
        {"pk": 1, "file_format": "csv"},
        {"kind": "customers", "fmt": "csv", "language": "zh"},
    ):
        try:
            return reverse(name, kwargs=kwargs)
        except Exception:  # noqa: S112
            continue
    raise AssertionError(f"no URL for {name}")


def _cell(name: str, role: str) -> Any:
    reason = KNOWN_FAILURES.get((name, role))
    marks = [pytest.mark.xfail(strict=True, reason=f"issue 14: {reason}")] if reason else []
    return pytest.param(name, role, marks=marks, id=f"{name}-{role}")


# --- the cells -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, p in PAGES.items() if p.post == GET_ONLY))
def test_read_only_routes_refuse_post(name: str) -> None:
    """A route declared read-only really writes nothing: POST answers 405, even for admin
    (on the portal's pages: for a portal login, the only users who pass its gate)."""
    client = Client()
    if name.startswith("portal:"):
        client.force_login(make_portal_user(make_customer(owner=new_user("sales_rep"))))
    else:
        client.force_login(new_user("administrator"))
    assert client.post(dummy_url(name), {}).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role"), [_cell(n, r) for n in STAFF_POST_ROUTES for r in STAFF_ROLES]
)
def test_staff_page_post_follows_the_role_policy(name: str, role: str) -> None:
    page = PAGES[name]
    user = new_user(role)
    client = Client()
    client.force_login(user)
    fn = page.post
    may = True if fn == ANY_STAFF else has_function(user, fn)
    # Own record (in scope): allowed exactly when the policy says so.
    own = RECORDS[page.record].make(user) if page.record else None
    before = snapshot(own)
    answer = client.post(url_of(name, page, own), body_of(page, own))
    assert refused(answer) is not may, (name, role, answer.status_code, answer.get("Location"))
    if not may:
        assert snapshot(own) == before, f"{name}: {role} was refused but the data changed"
    if page.record is None or RECORDS[page.record].reach == COMPANY:
        return
    # Another team's record: out of scope unless the role sees every customer.
    stranger = new_user("sales_rep")
    other = RECORDS[page.record].make(stranger)
    sees_all = ROLE_SCOPES.get(role) == ScopeLevel.ALL
    in_scope = sees_all and RECORDS[page.record].reach == CUSTOMER
    before = snapshot(other)
    answer = client.post(url_of(name, page, other), body_of(page, other))
    if in_scope and may:
        assert not refused(answer), (name, role, "in scope", answer.status_code)
        return
    assert answer.status_code in ((404,) if may else (403, 404)), (name, role, answer.status_code)
    assert snapshot(other) == before, f"{name}: {role} changed another team's record"


def _portal_world() -> tuple[User, Any, Any]:
    """A portal login of one customer, and a case of its customer and of another one."""
    owner = new_user("sales_rep")
    mine = make_customer(owner=owner)
    portal_user = make_portal_user(mine)
    own_case = Case.objects.create(
        number="CSP1", customer=mine, case_type="inquiry", subject="Mine"
    )
    other_case = Case.objects.create(
        number="CSP2", customer=make_customer(owner=owner), case_type="inquiry", subject="Theirs"
    )
    return portal_user, own_case, other_case


@pytest.mark.django_db
@pytest.mark.parametrize("name", STAFF_POST_ROUTES)
def test_portal_users_are_refused_on_every_staff_page_post(name: str) -> None:
    page = PAGES[name]
    owner = new_user("sales_rep")
    portal_user = make_portal_user(make_customer(owner=owner))
    record = RECORDS[page.record].make(owner) if page.record else None
    client = Client()
    client.force_login(portal_user)
    before = snapshot(record)
    answer = client.post(url_of(name, page, record), body_of(page, record))
    assert refused(answer), (name, answer.status_code)
    assert snapshot(record) == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", PORTAL_POST_ROUTES)
def test_portal_pages_refuse_staff_and_other_customers(name: str) -> None:
    page = PAGES[name]
    portal_user, own_case, other_case = _portal_world()
    kwargs = dict(page.kwargs)
    for role in STAFF_ROLES:
        client = Client()
        client.force_login(new_user(role))
        url = reverse(name, kwargs=kwargs | ({"pk": own_case.pk} if page.record else {}))
        before = snapshot(own_case)
        assert refused(client.post(url, page.body)), (name, role)
        assert snapshot(own_case) == before
    if page.record is None:
        return
    client = Client()
    client.force_login(portal_user)
    answer = client.post(reverse(name, kwargs={"pk": own_case.pk}), page.body)
    assert not refused(answer), answer.status_code
    before = snapshot(other_case)
    answer = client.post(reverse(name, kwargs={"pk": other_case.pk}), page.body)
    assert answer.status_code == 404
    assert snapshot(other_case) == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", SIGNED_IN_ROUTES)
def test_anonymous_post_is_sent_to_the_login_page(name: str) -> None:
    answer = Client().post(dummy_url(name), {})
    assert answer.status_code in (302, 403), (name, answer.status_code)
    if answer.status_code == 302:
        assert answer["Location"].startswith(reverse("users:login")), answer["Location"]
