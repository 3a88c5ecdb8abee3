"""Pages: the task queue and its actions, the nav badge, call lists, scorecards, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from paretocrm.customers.services import record_consent
from paretocrm.customers.tests.factories import make_contact, make_customer, make_user
from paretocrm.work.choices import TaskStatus
from paretocrm.work.models import CallList, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    user = make_user(role="key_account_manager", username="li")
    client.force_login(user)
    return user


def open_task(owner, **fields) -> Task:
    fields.setdefault("due_on", timezone.localdate())
    return Task.objects.create(
        customer=make_customer(owner=owner),
        owner=owner,
        kind="decline",
        reason="Call now",
        **fields,
    )


def test_queue_lists_own_open_tasks_with_a_count_badge(client, manager):
    mine = open_task(manager)
    open_task(make_user())
    later = timezone.localdate() + dt.timedelta(days=3)
    open_task(manager, status=TaskStatus.SNOOZED, snoozed_until=later)

    response = client.get(reverse("work:tasks"))

    assert response.status_code == 200
    assert list(response.context["tasks"]) == [mine]
    assert 'class="badge"' in response.content.decode() and ">1</span>" in response.content.decode()


def test_task_actions_from_the_queue(client, manager):
    task = open_task(manager)
    colleague = make_user(role="general_manager")  # sees the customer
    url = lambda action: reverse("work:task_action", args=[task.pk, action])  # noqa: E731

    shown = {"version": task.version}
    assert client.post(url("snooze"), {"until": "yesterday", **shown}).status_code == 302
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN  # refused with a message
    client.post(url("done"), {"outcome": "Order agreed", **shown})
    task.refresh_from_db()
    assert (task.status, task.outcome) == (TaskStatus.DONE, "Order agreed")

    other = open_task(manager)
    client.post(
        reverse("work:task_action", args=[other.pk, "reassign"]),
        {"owner": colleague.pk, "version": other.version},
    )
    assert Task.objects.get(pk=other.pk).owner == colleague


TASK_ACTIONS = [
    ("done", {"outcome": "Order agreed"}),
    ("snooze", {"until": "2099-01-01"}),
    ("reassign", {}),
]


def test_dur1_every_task_button_carries_the_version_it_was_shown(client, manager):
    task = open_task(manager)
    Task.objects.get(pk=task.pk).save()  # version 2
    page = client.get(reverse("work:tasks")).content.decode()
    assert page.count('name="version" value="2"') == len(TASK_ACTIONS)


@pytest.mark.parametrize(("action", "data"), TASK_ACTIONS)
def test_dur1_task_action_from_an_outdated_page_changes_nothing(client, manager, action, data):
    task = open_task(manager)
    colleague = make_user(role="general_manager")  # sees the customer
    url = reverse("work:task_action", args=[task.pk, action])
    posted = {**data, "owner": colleague.pk, "version": task.version}
    Task.objects.get(pk=task.pk).save()  # a colleague changes the task meanwhile

    answer = client.post(url, posted, follow=True)

    assert "Someone else changed this task" in answer.content.decode()
    stored = Task.objects.get(pk=task.pk)
    assert (stored.status, stored.owner, stored.version) == (TaskStatus.OPEN, manager, 2)


@pytest.mark.parametrize(("action", "data"), TASK_ACTIONS)
def test_dur1_task_action_without_a_version_is_refused(client, manager, action, data):
    task = open_task(manager)
    colleague = make_user(role="general_manager")  # sees the customer
    url = reverse("work:task_action", args=[task.pk, action])
    for version in ("", "two"):
        answer = client.post(url, {**data, "owner": colleague.pk, "version": version}, follow=True)
        assert "version: the page did not say" in answer.content.decode()
    assert Task.objects.get(pk=task.pk).version == 1


@pytest.mark.parametrize(("action", "data"), TASK_ACTIONS)
def test_dur1_task_action_at_the_current_version_is_done(client, manager, action, data):
    task = open_task(manager)
    colleague = make_user(role="general_manager")  # sees the customer
    url = reverse("work:task_action", args=[task.pk, action])
    client.post(url, {**data, "owner": colleague.pk, "version": task.version})
    assert Task.objects.get(pk=task.pk).version == 2


def test_task_of_another_scope_answers_404(client, manager):
    stranger_task = open_task(make_user())
    url = reverse("work:task_action", args=[stranger_task.pk, "done"])
    assert client.post(url, {"outcome": "x", "version": 1}).status_code == 404
    assert Task.objects.get(pk=stranger_task.pk).status == TaskStatus.OPEN


def test_call_list_created_from_the_page_exported_audited_and_refused_without_export(
    client, manager
):
    customer = make_customer(owner=manager, name="甲公司")
    contact = make_contact(customer, mobile="13812345678")
    record_consent(contact, "phone", granted=True, source="form")
    assistant = make_user(role="key_account_assistant")

    response = client.post(reverse("work:call_lists"), {"name": "本周回访"})
    call_list = CallList.objects.get()
    assert response.status_code == 302 and call_list.entries.count() == 1

    from paretocrm.audit.models import AuditEvent

    export = reverse("work:call_list_export", args=[call_list.pk])
    dialable = client.get(export)  # the manager may see numbers: the file is for dialling
    text = b"".join(dialable.streaming_content).decode()
    assert "13812345678" in text
    assert AuditEvent.objects.filter(kind="unmask", actor=manager, object_id=contact.pk).exists()
    xlsx = client.get(export + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    events = AuditEvent.objects.filter(kind="export", actor=manager, object_id=call_list.pk)
    assert sorted(e.detail["format"] for e in events) == ["csv", "xlsx"]
    assert {e.detail["kind"] for e in events} == {"call_list"}
    # A role without the export function is refused before anything is read (EXP-2), logged.
    client.force_login(assistant)
    assert client.get(export).status_code == 403
    assert AuditEvent.objects.filter(kind="access_denied", actor=assistant).exists()
    assert not AuditEvent.objects.filter(kind="export", actor=assistant).exists()


def test_priv5_call_list_page_masks_phones_and_unmasks_one_by_the_logged_action(client, manager):
    """PRIV-5: the page shows masked numbers to every role; the full one only after the
    explicit unmask action of the customers app, which is logged; roles without the right
    get no button and a 403 (logged) if they post anyway."""
    from paretocrm.audit.models import AuditEvent
    from paretocrm.users.models import Team
    from paretocrm.work import calllists

    team = Team.objects.create(name="东区")
    manager.team = team
    manager.save()
    assistant = make_user(role="sales_rep", team=team)  # works the list, masked contacts
    customer = make_customer(owner=assistant, name="甲公司")
    contact = make_contact(customer, mobile="13812345678")
    record_consent(contact, "phone", granted=True, source="form")
    call_list = calllists.create_call_list(
        name="回访", params={}, created_by=manager, assigned_to=assistant
    )
    unmask = reverse("customers:contact_unmask", args=[contact.pk])
    page = client.get(reverse("work:call_list", args=[call_list.pk])).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert unmask in page
    assert not AuditEvent.objects.filter(kind="unmask").exists()

    shown = client.post(unmask, {"show": "phone"}, HTTP_HX_REQUEST="true")
    assert shown.status_code == 200
    cell = shown.content.decode()
    assert cell.startswith("<td") and "13812345678" in cell
    event = AuditEvent.objects.get(kind="unmask")
    assert (event.actor_id, event.object_id) == (manager.pk, contact.pk)
    assert "13812345678" not in str(event.detail)

    # The assistant it is assigned to (same team, no right to unmask): masked, no button,
    # and a 403 (logged) for a hand-made post.
    client.force_login(assistant)
    page = client.get(reverse("work:call_list", args=[call_list.pk])).content.decode()
    assert "138****5678" in page and "13812345678" not in page and unmask not in page
    assert client.post(unmask, {"show": "phone"}).status_code == 403
    assert AuditEvent.objects.filter(kind="access_denied", actor=assistant).exists()


def test_call_list_bad_filter_shows_a_message_not_a_traceback(client, manager):
    response = client.post(
        reverse("work:call_lists"), {"name": "x", "not_contacted_days": "-3"}, follow=True
    )
    assert response.status_code == 200
    assert "not_contacted_days" in response.content.decode()
    assert not CallList.objects.exists()


def test_scorecard_page_shows_only_own_card_to_a_manager_and_all_to_the_general_manager(
    client, manager
):
    make_user(role="key_account_manager", username="wang")
    response = client.get(reverse("work:scorecards"), {"start": "2026-01-01", "end": "2026-01-31"})
    assert [c.manager.username for c in response.context["cards"]] == ["li"]
    assert "Collection rate" in response.content.decode() or "回款率" in response.content.decode()

    client.force_login(make_user(role="general_manager"))
    response = client.get(reverse("work:scorecards"), {"start": "2026-01-01", "end": "bad"})
    assert response.status_code == 200 and response.context["error"]
    response = client.get(reverse("work:scorecards"))
    assert {"li", "wang"} <= {c.manager.username for c in response.context["cards"]}


def test_pages_need_a_login(client):
    for name in ("work:tasks", "work:call_lists", "work:scorecards"):
        assert client.get(reverse(name)).status_code == 302
