"""Insight pages: dashboards per role, core customers, scoring, rating settings, access."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from paretocrm.customers.tests.factories import make_customer, make_order, make_user
from paretocrm.insights import background
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.users.choices import Role
from paretocrm.users.models import Team

pytestmark = pytest.mark.django_db

# Sign-out answers GET with 405 (POST only); it signs nobody in or out for anonymous users.
OPEN_ROUTES = {"/login/", "/health/", "/healthz", "/logout/"}


def client_for(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def world() -> dict:
    east, west = Team.objects.create(name="East"), Team.objects.create(name="West")
    kam = make_user(Role.KEY_ACCOUNT_MANAGER, team=east)
    other = make_user(Role.KEY_ACCOUNT_MANAGER, team=west)
    mine = make_customer(owner=kam, name="Mine Ltd")
    theirs = make_customer(owner=other, name="Theirs Ltd")
    make_order(mine)
    run = make_run(dependency_alerts=[str(theirs.pk)])
    make_score(run, mine, churn_reasons=["P_ALIVE_LOW"], value_at_risk=500)
    make_score(run, theirs, tier="potential", potential_value=95.0, churn_reasons=["OVERDUE"])
    admin = make_user(Role.ADMINISTRATOR)
    return {"kam": kam, "mine": mine, "theirs": theirs, "run": run, "admin": admin}


def _page_urls(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """Every parameter-free web page route (admin, API and i18n excluded)."""
    urls = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(("admin/", "api/", "i18n/")) or "<" in route:
            continue
        if isinstance(entry, URLResolver):
            urls += _page_urls(entry, route)
        elif isinstance(entry, URLPattern):
            urls.append("/" + route)
    return urls


def test_every_page_but_login_and_health_needs_sign_in(world):
    urls = _page_urls()
    assert "/" in urls and "/core-customers/" in urls
    for url in urls:
        if url in OPEN_ROUTES:
            continue
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url


def test_login_gives_same_message_for_unknown_user_and_wrong_password(world):
    world["kam"].set_password("Correct-Horse-1234")
    world["kam"].save()
    unknown = Client().post("/login/", {"username": "nobody", "password": "whatever-123"})
    wrong = Client().post("/login/", {"username": world["kam"].username, "password": "bad-pass-1"})
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].errors == wrong.context["form"].errors
    good = Client().post(
        "/login/", {"username": world["kam"].username, "password": "Correct-Horse-1234"}
    )
    assert good.status_code == 302


def test_executive_dashboard_shows_pareto_chart_and_figures(world):
    response = client_for(world["admin"]).get("/")
    body = response.content.decode()
    assert 'id="chart-pareto"' in body
    assert "pareto-data" in body
    assert response.context["top20"] == 0.9
    assert [t["count"] for t in response.context["tiers"] if t["code"] == "core"] == [1]
    assert [c.pk for c in response.context["dependency_alerts"]] == [world["theirs"].pk]
    assert len(response.context["trend"]["months"]) == 36
    assert sum(response.context["trend"]["revenue"]) == pytest.approx(100.0)


def test_dashboard_in_chinese_is_translated(world):
    body = client_for(world["admin"], "zh-hans").get("/").content.decode()
    assert "核心客户" in body
    assert "帕累托曲线" in body


def test_dashboard_in_traditional_chinese(world):
    body = client_for(world["admin"], "zh-hant").get("/").content.decode()
    assert "核心客戶" in body


def test_account_manager_dashboard_lists_own_accounts_and_alerts_only(world):
    response = client_for(world["kam"]).get("/")
    assert [s.customer_id for s in response.context["accounts"]] == [world["mine"].pk]
    assert [s.customer_id for s in response.context["warnings"]] == [world["mine"].pk]
    assert "Theirs Ltd" not in response.content.decode()


def test_dashboard_without_snapshot_shows_empty_state(db):
    admin = make_user(Role.ADMINISTRATOR)
    body = client_for(admin).get("/").content.decode()
    assert "No analysis yet" in body
    assert reverse("insights:scoring") in body


def test_core_customers_scoped_with_matrix_and_next_core(world):
    response = client_for(world["admin"]).get(reverse("insights:core_customers"))
    assert [s.customer_id for s in response.context["core"]] == [world["mine"].pk]
    assert [s.customer_id for s in response.context["rising"]] == [world["theirs"].pk]
    assert len(response.context["matrix"]["points"]) == 2
    kam_view = client_for(world["kam"]).get(reverse("insights:core_customers"))
    assert len(kam_view.context["matrix"]["points"]) == 1


def test_core_customers_excel_export_and_print_page(world):
    client = client_for(world["admin"])
    response = client.get(reverse("insights:core_customers_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "customer_code"
    assert [r[1] for r in rows[1:]] == ["Mine Ltd"]
    printable = client.get(reverse("insights:core_customers"), {"print": "1"})
    assert 'id="core-table"' in printable.content.decode()
    assert "chart-matrix" not in printable.content.decode()


def test_settings_pages_follow_the_role_policy(world):
    """Rating settings: SETTINGS (administrators); analysis runs: RUN_ANALYSIS (also KAM)."""
    assert client_for(world["kam"]).get(reverse("insights:rating_settings")).status_code == 403
    for name in ("insights:scoring", "insights:rating_settings", "insights:scoring_status"):
        assert client_for(world["admin"]).get(reverse(name)).status_code == 200
    for name in ("insights:scoring", "insights:scoring_status"):
        assert client_for(world["kam"]).get(reverse(name)).status_code == 200
    # How many customers a run scored is company-wide: full scope only, as in the API.
    assert (
        "customers scored"
        in client_for(world["admin"]).get(reverse("insights:scoring")).content.decode()
    )
    assert (
        "customers scored"
        not in client_for(world["kam"]).get(reverse("insights:scoring")).content.decode()
    )


def test_run_analysis_button_starts_a_background_run(world, monkeypatch):
    started = []
    monkeypatch.setattr(background, "start_scoring", lambda user: started.append(user) or True)
    response = client_for(world["admin"]).post(reverse("insights:scoring"))
    assert response.status_code == 302
    assert started == [world["admin"]]
    assistant = make_user(Role.KEY_ACCOUNT_ASSISTANT)
    assert client_for(assistant).post(reverse("insights:scoring")).status_code == 403
    assert started == [world["admin"]]


def test_status_fragment_polls_while_running(world):
    from paretocrm.insights.models import ScoreRun

    ScoreRun.objects.create(as_of=world["run"].as_of, progress=40, step="fitting models")
    body = client_for(world["admin"]).get(reverse("insights:scoring_status")).content.decode()
    assert 'hx-trigger="every 2s"' in body
    assert "fitting models" in body and "40%" in body


def test_ahp_fragment_reports_consistency_ratio(world):
    criteria = ["revenue", "credit", "growth_potential"]
    consistent = {"criteria": criteria, "revenue__credit": "3", "revenue__growth_potential": "3"}
    consistent["credit__growth_potential"] = "1"
    client = client_for(world["admin"])
    good = client.post(reverse("insights:ahp_check"), consistent)
    assert good.context["evaluation"].acceptable
    assert good.context["evaluation"].consistency_ratio < 0.1
    contradictory = dict(consistent, **{"credit__growth_potential": "9"})
    contradictory["revenue__growth_potential"] = "1/9"
    bad = client.post(reverse("insights:ahp_check"), contradictory)
    assert not bad.context["evaluation"].acceptable
    assert "too inconsistent" in bad.content.decode()


def test_rating_settings_show_the_configured_weights(world):
    response = client_for(world["admin"]).get(reverse("insights:rating_settings"))
    shares = [row.share for row in response.context["weights"]]
    assert sum(shares) == pytest.approx(1.0)
    assert "profit contribution" in response.content.decode()


def test_plotly_is_served_from_the_installed_package(world):
    response = client_for(world["kam"]).get(reverse("plotly_js"))
    assert response.status_code == 200
    assert b"plotly" in b"".join(response.streaming_content)[:5000].lower()


def test_status_fragment_names_the_step_in_the_readers_language_and_a_missing_worker(world):
    """A run queued from the page that no worker has started after a minute says so."""
    import datetime as dt

    from django.utils import timezone

    from paretocrm.insights.models import ScoreRun

    queued = ScoreRun.objects.create(as_of=world["run"].as_of, step=ScoreRun.WAITING_STEP)
    client = client_for(world["admin"], "zh-hans")
    fresh = client.get(reverse("insights:scoring_status")).content.decode()
    assert "等待后台任务进程" in fresh and "paretocrm worker" not in fresh
    earlier = timezone.now() - dt.timedelta(hours=1)
    ScoreRun.objects.exclude(pk=queued.pk).update(started_at=earlier)
    five_minutes_ago = timezone.now() - dt.timedelta(minutes=5)
    ScoreRun.objects.filter(pk=queued.pk).update(started_at=five_minutes_ago)
    stale = client.get(reverse("insights:scoring_status")).content.decode()
    assert "<code>paretocrm worker</code>" in stale and "5" in stale
