"""Merging two customer records into one (issue 17, item 2): nothing lost, scope and roles kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from tests.api_samples import make_score, new_user

from paretocrm.audit.models import AuditEvent
from paretocrm.core.exceptions import StaleVersionError
from paretocrm.core.models import AppendOnlyModel
from paretocrm.customers.merging import (
    DELIBERATELY_LEFT,
    MOVED_LEDGERS,
    MergeError,
    customer_relations,
    merge_counts,
    merge_customers,
)
from paretocrm.customers.models import AccountTeamMember, Customer, Interaction
from paretocrm.customers.tests.factories import (
    make_contact,
    make_customer,
    make_invoice,
    make_order,
    make_payment,
)
from paretocrm.insights.models import CustomerScore
from paretocrm.service.models import Case
from paretocrm.users.models import Team
from paretocrm.work.models import Task

pytestmark = pytest.mark.django_db

D = dt.date(2026, 3, 2)


def _book(manager):
    """北京华油天然气有限公司 entered twice: once by the ERP, once by hand in English."""
    keep = make_customer(
        owner=manager, team=manager.team, name="北京华油天然气有限公司", code="BJHY01"
    )
    drop = make_customer(
        owner=manager,
        team=manager.team,
        name="Beijing Huayou Natural Gas Co., Ltd.",
        code="BJHY-EN",
    )
    make_order(keep, [("120", "385.50", "300", "0")])
    for qty in ("8", "2400", "15"):  # irregular large orders on the English record
        make_order(drop, [(qty, "412.00", "330", "2.5")])
    invoice = make_invoice(drop, "98880.00", D, D + dt.timedelta(days=60))
    make_payment(drop, "50000.00", D + dt.timedelta(days=30), invoice)
    make_contact(keep, name="王建国", mobile="13901012345")
    make_contact(drop, name="李娜", email="li.na@huayou.cn")
    make_contact(drop, name="Zhang Wei", phone="+86 10 6512 3456")
    Case.objects.create(
        number="CS-8801", customer=drop, case_type="complaint", subject="压力表读数异常"
    )
    Interaction.objects.create(customer=drop, kind="visit", subject="季度拜访")
    Task.objects.create(customer=drop, owner=manager, kind="manual", reason="回访李娜", due_on=D)
    make_score(manager, customer=drop)
    return keep, drop


def _counts(customer: Customer) -> dict[str, int]:
    return {
        rel.related_model._meta.label: rel.related_model._default_manager.filter(
            **{rel.field.name: customer}
        ).count()
        for rel in customer_relations()
    }


def test_every_relation_to_customer_is_handled_or_deliberately_left() -> None:
    labels = {f"{r.related_model._meta.label}.{r.field.name}" for r in customer_relations()}
    assert "sales.Order.customer" in labels and "service.Case.customer" in labels
    # Every relation found in the model meta is either moved or named with a reason.
    assert set(DELIBERATELY_LEFT) <= labels | {"customers.Customer.merged_into"}
    assert all(reason.strip() for reason in DELIBERATELY_LEFT.values())
    # History tables cannot be moved by accident: each is left or declared a moved ledger.
    append_only = {
        f"{r.related_model._meta.label}.{r.field.name}"
        for r in customer_relations()
        if issubclass(r.related_model, AppendOnlyModel)
    }
    assert append_only, "the relations include the append-only history tables"
    assert append_only <= set(DELIBERATELY_LEFT) | set(MOVED_LEDGERS)


def test_a_merge_loses_nothing() -> None:
    manager = new_user("key_account_manager")
    keep, drop = _book(manager)
    before_keep, before_drop = _counts(keep), _counts(drop)
    moved = merge_counts(drop)
    assert moved["sales.Order"] == 3 and moved["customers.Contact"] == 2

    result = merge_customers(
        keep, drop, by=manager, version_keep=keep.version, version_drop=drop.version
    )

    after_keep, after_drop = _counts(keep), _counts(drop)
    for label in before_keep:
        if f"{label}" in {k.rsplit(".", 1)[0] for k in DELIBERATELY_LEFT}:
            continue
        assert after_keep[label] == before_keep[label] + before_drop[label], label
        assert after_drop[label] == 0, label
    assert after_keep["sales.Order"] == 4
    assert after_keep["sales.Invoice"] == 1 and after_keep["sales.Payment"] == 1
    assert after_keep["service.Case"] == 1 and after_keep["customers.Contact"] == 3
    assert after_keep["work.Task"] == 1 and after_keep["insights.CustomerScore"] == 1
    drop.refresh_from_db()
    assert drop.merged_into_id == keep.pk and drop.is_archived
    assert Customer.objects.filter(pk=drop.pk).exists()  # archived, never deleted
    event = AuditEvent.objects.get(kind="customer_merged")
    assert event.object_id == keep.pk
    assert event.detail["kept"] == "BJHY01" and event.detail["merged"] == "BJHY-EN"
    assert event.detail["moved"]["sales.Order"] == 3
    assert result.moved == event.detail["moved"]


def test_same_user_in_both_account_teams_is_merged_not_violated() -> None:
    manager = new_user("key_account_manager")
    colleague = new_user("key_account_specialist", manager.team)
    other = new_user("key_account_specialist", manager.team)
    keep = make_customer(owner=manager, team=manager.team, name="上海宝钢包装股份有限公司")
    drop = make_customer(owner=manager, team=manager.team, name="上海宝钢包装")
    AccountTeamMember.objects.create(customer=keep, user=colleague, role="specialist")
    AccountTeamMember.objects.create(customer=drop, user=colleague, role="lead")
    AccountTeamMember.objects.create(customer=drop, user=other, role="sales")

    merge_customers(keep, drop, by=manager, version_keep=keep.version, version_drop=drop.version)

    members = dict(AccountTeamMember.objects.filter(customer=keep).values_list("user", "role"))
    assert members == {colleague.pk: "specialist", other.pk: "sales"}
    assert not AccountTeamMember.objects.filter(customer=drop).exists()


def test_scores_of_the_same_run_stay_with_the_archived_record() -> None:
    manager = new_user("key_account_manager")
    keep = make_customer(owner=manager, team=manager.team)
    drop = make_customer(owner=manager, team=manager.team)
    make_score(manager, customer=keep)
    make_score(manager, customer=drop)
    result = merge_customers(
        keep, drop, by=manager, version_keep=keep.version, version_drop=drop.version
    )
    assert CustomerScore.objects.filter(customer=keep).count() == 1
    assert CustomerScore.objects.filter(customer=drop).count() == 1  # history, not lost
    assert result.left["insights.CustomerScore"] == 1


def test_stale_version_refuses_and_changes_nothing() -> None:
    manager = new_user("key_account_manager")
    keep, drop = _book(manager)
    seen = drop.version
    drop.name = "北京华油燃气"
    drop.save()
    with pytest.raises(StaleVersionError):
        merge_customers(keep, drop, by=manager, version_keep=keep.version, version_drop=seen)
    assert Case.objects.get(number="CS-8801").customer_id == drop.pk
    drop.refresh_from_db()
    assert drop.merged_into_id is None and not drop.is_archived


def test_read_only_role_is_refused() -> None:
    manager = new_user("key_account_manager")
    assistant = new_user("key_account_assistant", manager.team)
    keep, drop = _book(manager)
    with pytest.raises(PermissionDenied):
        merge_customers(
            keep, drop, by=assistant, version_keep=keep.version, version_drop=drop.version
        )
    assert Customer.objects.get(pk=drop.pk).merged_into_id is None


def test_out_of_scope_customer_is_refused_as_not_found() -> None:
    manager = new_user("key_account_manager")
    stranger = new_user("key_account_manager", Team.objects.create(name="华南大客户部"))
    keep = make_customer(owner=manager, team=manager.team, name="深圳华油天然气")
    drop = make_customer(owner=stranger, team=stranger.team, name="深圳华油天然气有限公司")
    with pytest.raises(Customer.DoesNotExist):
        merge_customers(
            keep, drop, by=manager, version_keep=keep.version, version_drop=drop.version
        )
    assert Customer.objects.get(pk=drop.pk).merged_into_id is None


def test_a_customer_cannot_be_merged_into_itself_or_twice() -> None:
    manager = new_user("key_account_manager")
    keep, drop = _book(manager)
    with pytest.raises(MergeError, match="drop"):
        merge_customers(keep, keep, by=manager, version_keep=keep.version, version_drop=None)
    merge_customers(keep, drop, by=manager, version_keep=None, version_drop=None)
    third = make_customer(owner=manager, team=manager.team)
    with pytest.raises(MergeError, match="drop"):
        merge_customers(third, drop, by=manager, version_keep=None, version_drop=None)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_merge_page_shows_both_and_merges_on_post() -> None:
    manager = new_user("key_account_manager")
    keep, drop = _book(manager)
    client = _client(manager)
    url = reverse("customers:merge", kwargs={"pk": keep.pk, "other": drop.pk})
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    html = page.content.decode()
    assert "北京华油天然气有限公司" in html and "Beijing Huayou Natural Gas Co., Ltd." in html
    assert "合并" in html
    response = client.post(
        url,
        {"keep": keep.pk, "version_first": keep.version, "version_second": drop.version},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 302
    landing = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已合并到此客户" in landing
    drop.refresh_from_db()
    assert drop.merged_into_id == keep.pk
    # The merged record is gone from the list and from the duplicates page.
    listing = client.get(reverse("customers:list")).content.decode()
    assert "BJHY-EN" not in listing and "BJHY01" in listing
    duplicates = client.get(reverse("customers:duplicates")).content.decode()
    assert "Beijing Huayou Natural Gas" not in duplicates
    # The archived record stays readable and says where it went.
    archived = client.get(reverse("customers:detail", kwargs={"pk": drop.pk}))
    assert archived.status_code == 200 and 'id="merged-into"' in archived.content.decode()


def test_duplicates_page_links_each_pair_to_the_merge_page() -> None:
    manager = new_user("key_account_manager")
    keep, drop = _book(manager)
    html = _client(manager).get(reverse("customers:duplicates")).content.decode()
    assert reverse("customers:merge", kwargs={"pk": keep.pk, "other": drop.pk}) in html


def test_merge_page_stale_version_shows_a_conflict() -> None:
    manager = new_user("key_account_manager")
    keep, drop = _book(manager)
    url = reverse("customers:merge", kwargs={"pk": keep.pk, "other": drop.pk})
    response = _client(manager).post(
        url, {"keep": drop.pk, "version_first": keep.version - 1 or 99, "version_second": 1}
    )
    assert response.status_code == 409
    assert Customer.objects.get(pk=keep.pk).merged_into_id is None


def test_merge_page_out_of_scope_is_404() -> None:
    manager = new_user("key_account_manager")
    stranger = new_user("sales_rep", Team.objects.create(name="华东销售"))
    keep, drop = _book(manager)
    url = reverse("customers:merge", kwargs={"pk": keep.pk, "other": drop.pk})
    assert _client(stranger).get(url).status_code == 404
    assert _client(stranger).post(url, {"keep": keep.pk}).status_code == 404


def test_api_merge_needs_if_match_and_merges() -> None:
    from rest_framework.test import APIClient

    manager = new_user("key_account_manager")
    keep, drop = _book(manager)
    client = APIClient()
    client.force_authenticate(manager)
    url = reverse("customer-merge", kwargs={"pk": keep.pk})
    assert client.post(url, {"drop": drop.pk}, format="json").status_code == 428
    stale = client.post(url, {"drop": drop.pk}, format="json", HTTP_IF_MATCH='"99"')
    assert stale.status_code == 412
    bad = client.post(url, {"drop": "北京"}, format="json", HTTP_IF_MATCH=f'"{keep.version}"')
    assert bad.status_code == 400 and "drop" in bad.json()
    ok = client.post(url, {"drop": drop.pk}, format="json", HTTP_IF_MATCH=f'"{keep.version}"')
    assert ok.status_code == 200, ok.content
    assert ok.json()["moved"]["sales.Order"] == 3
    listed = client.get(reverse("customer-list")).json()
    codes = {row["code"] for row in listed.get("results", listed)}
    assert "BJHY01" in codes and "BJHY-EN" not in codes
    assert Customer.objects.get(pk=drop.pk).merged_into_id == keep.pk


def test_api_merge_of_another_teams_customer_is_404() -> None:
    from rest_framework.test import APIClient

    manager = new_user("key_account_manager")
    stranger = new_user("sales_rep", Team.objects.create(name="华东销售"))
    keep, _drop = _book(manager)
    theirs = make_customer(owner=stranger, name="北京华油天然气（华东）")
    client = APIClient()
    client.force_authenticate(manager)
    url = reverse("customer-merge", kwargs={"pk": keep.pk})
    response = client.post(
        url, {"drop": theirs.pk}, format="json", HTTP_IF_MATCH=f'"{keep.version}"'
    )
    assert response.status_code == 404
    assert Customer.objects.get(pk=theirs.pk).merged_into_id is None


def test_history_of_the_merged_record_stays_readable_on_the_kept_one() -> None:
    from paretocrm.audit.choices import ChangeChannel
    from paretocrm.audit.context import audit_context
    from paretocrm.audit.models import FieldChange
    from paretocrm.audit.services import history_for_customer

    manager = new_user("key_account_manager")
    keep, drop = _book(manager)
    with audit_context(ChangeChannel.WEB, manager):
        drop.industry = "燃气"
        drop.save()
    before = FieldChange.objects.filter(customer_id=drop.pk).count()
    assert before >= 1
    assert not [c for c in history_for_customer(manager, keep) if c.new_value == "燃气"]

    merge_customers(keep, drop, by=manager, version_keep=None, version_drop=None)

    # Written as it happened (still on the archived record), read on the kept one too.
    assert FieldChange.objects.filter(customer_id=drop.pk, new_value="燃气").count() == 1
    assert [c for c in history_for_customer(manager, keep) if c.new_value == "燃气"]


def test_a_failure_half_way_moves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """DUR-3: the event is written last; when it fails, every moved row goes back."""
    from paretocrm.audit import services as audit_services

    manager = new_user("key_account_manager")
    keep, drop = _book(manager)
    before = _counts(drop)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit_services, "record_event", broken)
    with pytest.raises(RuntimeError):
        merge_customers(keep, drop, by=manager, version_keep=None, version_drop=None)
    assert _counts(drop) == before
    drop.refresh_from_db()
    assert drop.merged_into_id is None and not drop.is_archived
