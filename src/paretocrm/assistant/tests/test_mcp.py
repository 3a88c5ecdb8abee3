"""The MCP server acts with exactly the REST API's rights (issue 17, item 4).

The tools are called through the SDK's in-process client, so the test goes through MCP's own
tool dispatch (schemas, argument validation, errors) and the tools run in worker threads as
in production; hence committed data (``transaction=True``).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from mcp import Client
from tests.api_samples import new_user

from paretocrm.assistant.gateway import ApiGateway
from paretocrm.assistant.server import build_server
from paretocrm.audit.models import AuditEvent
from paretocrm.customers.models import Interaction
from paretocrm.customers.tests.factories import make_contact, make_customer
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.users.services import issue_token
from paretocrm.work.models import Task

pytestmark = pytest.mark.django_db(transaction=True)


def call(user: Any, tool: str, **arguments: Any) -> tuple[bool, Any]:
    """(is_error, structured result or error text) of one tool call as ``user``."""
    server = build_server(ApiGateway(issue_token(user)))

    async def run() -> Any:
        async with Client(server) as client:
            return await client.call_tool(tool, arguments)

    result = asyncio.run(asyncio.wait_for(run(), timeout=60))
    text = " ".join(getattr(part, "text", "") for part in result.content)
    if result.is_error:
        return True, text
    if result.structured_content is not None:
        payload = result.structured_content
        return False, payload.get("result", payload)
    return False, json.loads(text)


def test_another_teams_customer_is_not_found_as_in_the_api() -> None:
    rep, stranger = new_user("sales_rep"), new_user("sales_rep")
    theirs = make_customer(owner=stranger, name="上海远东贸易有限公司")
    is_error, text = call(rep, "customer_summary", customer_id=theirs.pk)
    assert is_error
    assert "not found" in text
    assert "远东" not in text
    # Audited like the API's own refusal: one access_denied event for the rep.
    assert AuditEvent.objects.filter(kind="access_denied", actor=rep).exists()


def test_find_customers_returns_only_the_users_own() -> None:
    rep, stranger = new_user("sales_rep"), new_user("sales_rep")
    mine = make_customer(owner=rep, name="北京华油天然气有限公司")
    make_customer(owner=stranger, name="北京华油燃气销售有限公司")
    is_error, rows = call(rep, "find_customers", query="北京华油")
    assert not is_error
    assert [row["id"] for row in rows] == [mine.pk]


def test_contacts_come_masked_for_a_masked_role() -> None:
    rep = new_user("sales_rep")
    customer = make_customer(owner=rep, name="广州鲜果进出口有限公司")
    make_contact(customer, name="陈静", phone="13812345678", email="chenjing@xianguo.cn")
    is_error, summary = call(rep, "customer_summary", customer_id=customer.pk)
    assert not is_error
    [contact] = summary["contacts"]
    assert contact["phone"] == "138****5678"
    assert "13812345678" not in json.dumps(summary)
    assert "chenjing@" not in json.dumps(summary)


def test_summary_carries_the_scores_and_core_list_is_scoped() -> None:
    manager, stranger = new_user("key_account_manager"), new_user("key_account_manager")
    mine = make_customer(owner=manager, name="深圳华南电子有限公司")
    theirs = make_customer(owner=stranger, name="杭州西湖茶业有限公司")
    run = make_run()
    make_score(run, mine, tier="core", rating=91.0)
    make_score(run, theirs, tier="core", rating=95.0)
    is_error, summary = call(manager, "customer_summary", customer_id=mine.pk)
    assert not is_error
    assert summary["scores"]["tier"] == "core"
    is_error, core = call(manager, "core_customers")
    assert not is_error
    assert [row["customer"] for row in core] == [mine.pk]


def test_log_interaction_writes_on_own_customer_and_refuses_another_teams() -> None:
    rep, stranger = new_user("sales_rep"), new_user("sales_rep")
    mine = make_customer(owner=rep)
    theirs = make_customer(owner=stranger)
    is_error, created = call(
        rep, "log_interaction", customer_id=mine.pk, kind="call", subject="确认旺季备货"
    )
    assert not is_error, created
    interaction = Interaction.objects.get(pk=created["id"])
    assert (interaction.customer_id, interaction.user_id) == (mine.pk, rep.pk)
    is_error, _ = call(rep, "log_interaction", customer_id=theirs.pk, kind="call", subject="x")
    assert is_error
    assert not Interaction.objects.filter(customer=theirs).exists()


def test_a_read_only_role_cannot_create_a_task() -> None:
    assistant = new_user("key_account_assistant")
    customer = make_customer(owner=assistant)
    is_error, text = call(
        assistant, "create_task", customer_id=customer.pk, reason="回访", due_on="2026-12-20"
    )
    assert is_error
    assert "403: Your role may not" in text
    assert not Task.objects.filter(customer=customer).exists()


def test_a_bad_value_is_refused_with_the_field_named() -> None:
    rep = new_user("sales_rep")
    customer = make_customer(owner=rep)
    is_error, text = call(rep, "create_task", customer_id=customer.pk, reason="回访", due_on="明天")
    assert is_error
    assert "due_on" in text


def test_the_command_refuses_to_start_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARETOCRM_API_TOKEN", raising=False)
    with pytest.raises(CommandError, match="PARETOCRM_API_TOKEN is not set"):
        call_command("mcp")


def test_the_command_refuses_a_wrong_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARETOCRM_API_TOKEN", "not-a-token")
    with pytest.raises(CommandError, match="refused by the API"):
        call_command("mcp")
