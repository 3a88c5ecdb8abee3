"""The MCP server: the tools a company's own AI assistant may use, as one user.

Read tools find customers, summarise one customer (record, scores with reasons, contacts,
open tasks), list the core customers and the churn warnings, and list open tasks; two write
tools log an interaction and create a task. Each tool is one or a few calls to the REST API
through :class:`~paretocrm.assistant.gateway.ApiGateway`, so scope, masking, the role policy,
bounds and audit are the REST API's own. A refusal comes back as a tool error in the API's
words: another team's customer is "not found", exactly as ``GET /api/customers/<id>/`` says.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from paretocrm.assistant.gateway import ApiGateway, ApiResponse

INSTRUCTIONS = (
    "Pareto CRM: customers, their value analysis (tier, CLV, P(alive), churn risk, lifecycle "
    "stage with reasons), contacts and tasks, seen with the rights of the user whose API "
    "token runs this server. Contacts' phone numbers and e-mail addresses are masked unless "
    "the user's role may see them."
)
MAX_ROWS = 50  # one page of the API (REST_FRAMEWORK PAGE_SIZE)

_CUSTOMER_FIELDS = ("id", "code", "name", "industry", "region", "owner", "cooperation_level")
_SCORE_FIELDS = (
    "tier",
    "rating",
    "clv",
    "p_alive",
    "churn_risk",
    "value_at_risk",
    "expected_purchases",
    "lifecycle_stage",
    "lifecycle_explanation",
    "rfm_segment",
    "revenue",
    "net_profit",
)
_CONTACT_FIELDS = ("id", "name", "title", "department", "buying_role", "phone", "mobile", "email")
_TASK_FIELDS = ("id", "customer", "owner", "kind", "reason_text", "due_on", "status")


def build_server(gateway: ApiGateway) -> MCPServer:
    """An MCP server whose tools act through ``gateway`` (one user's token)."""
    server = MCPServer("Pareto CRM", instructions=INSTRUCTIONS)

    @server.tool()
    def find_customers(query: str = "", tier: str = "", limit: int = 20) -> list[dict[str, Any]]:
        """Customers whose name or code contains ``query``; ``tier`` one of core, key,
        ordinary, potential, low_value (empty: any)."""
        params = {"search": query, "tier": tier}
        rows = _results(gateway.get("/api/customers/", params))[: _bounded(limit)]
        return [_pick(row, _CUSTOMER_FIELDS) for row in rows]

    @server.tool()
    def customer_summary(customer_id: int) -> dict[str, Any]:
        """One customer: the record, the current scores with the lifecycle reason, the
        contacts (masked per the user's role) and the open tasks."""
        customer = _checked(gateway.get(f"/api/customers/{int(customer_id)}/"), customer_id)
        scores = _results(gateway.get("/api/insights/scores/", {"customer": customer_id}))
        contacts = _results(gateway.get("/api/contacts/", {"customer": customer_id}))
        tasks = _results(
            gateway.get("/api/work/tasks/", {"customer": customer_id, "status": "open"})
        )
        return {
            "customer": _pick(customer, _CUSTOMER_FIELDS),
            "scores": _pick(scores[0], _SCORE_FIELDS) if scores else None,
            "contacts": [_pick(row, _CONTACT_FIELDS) for row in contacts],
            "open_tasks": [_pick(row, _TASK_FIELDS) for row in tasks],
        }

    @server.tool()
    def core_customers(limit: int = 50) -> list[dict[str, Any]]:
        """The core customers (核心客户) the user sees, highest rating first."""
        params = {"tier": "core", "ordering": "-rating"}
        return _score_rows(gateway.get("/api/insights/scores/", params))[: _bounded(limit)]

    @server.tool()
    def churn_warnings(limit: int = 20) -> list[dict[str, Any]]:
        """The customers most likely to leave, with their value at risk and why."""
        rows = _score_rows(gateway.get("/api/insights/scores/", {"ordering": "-value_at_risk"}))
        return [row for row in rows if (row.get("churn_risk") or 0) > 0][: _bounded(limit)]

    @server.tool()
    def open_tasks(customer_id: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Open tasks the user sees (their customers' and those assigned to them),
        soonest due first; optionally of one customer."""
        params = {"status": "open", "customer": customer_id, "ordering": "due_on"}
        rows = _results(gateway.get("/api/work/tasks/", params))[: _bounded(limit)]
        return [_pick(row, _TASK_FIELDS) for row in rows]

    @server.tool()
    def log_interaction(
        customer_id: int, kind: str, subject: str, notes: str = ""
    ) -> dict[str, Any]:
        """Record a call, visit, e-mail, meeting or message with a customer on its timeline;
        ``kind`` one of call, visit, email, meeting, message."""
        payload = {"customer": customer_id, "kind": kind, "subject": subject, "notes": notes}
        created = _checked(gateway.post("/api/interactions/", payload), customer_id)
        return _pick(created, ("id", "customer", "kind", "occurred_at", "subject"))

    @server.tool()
    def create_task(customer_id: int, reason: str, due_on: str) -> dict[str, Any]:
        """Create a task on a customer for the user (``due_on`` as YYYY-MM-DD)."""
        payload = {"customer": customer_id, "reason": reason, "due_on": due_on}
        return _pick(_checked(gateway.post("/api/work/tasks/", payload), customer_id), _TASK_FIELDS)

    return server


def _bounded(limit: int) -> int:
    return max(1, min(int(limit), MAX_ROWS))


def _results(response: ApiResponse) -> list[dict[str, Any]]:
    data = _checked(response, None)
    rows = data.get("results", data) if isinstance(data, dict) else data
    return list(rows or [])


def _score_rows(response: ApiResponse) -> list[dict[str, Any]]:
    return [
        {"customer": row.get("customer"), "code": row.get("customer_code"),
         "name": row.get("customer_name"), **_pick(row, _SCORE_FIELDS)}
        for row in _results(response)
    ]  # fmt: skip


def _checked(response: ApiResponse, customer_id: int | None) -> Any:
    """The response's data, or a tool error in the API's own words."""
    if response.ok:
        return response.data
    if response.status == 404 and customer_id is not None:
        raise ToolError(f"customer {customer_id}: not found (or not one of yours).")
    raise ToolError(f"{response.status}: {_message(response.data)}")


def _message(data: Any) -> str:
    if isinstance(data, dict):
        if "detail" in data:
            return str(data["detail"])
        return "; ".join(f"{field}: {_message(value)}" for field, value in data.items())
    if isinstance(data, list):
        return " ".join(_message(item) for item in data)
    return str(data)


def _pick(row: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: row[field] for field in fields if field in row}
