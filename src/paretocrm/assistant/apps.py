from django.apps import AppConfig


class AssistantConfig(AppConfig):
    """The MCP server for a company's own AI assistant (``paretocrm mcp``)."""

    name = "paretocrm.assistant"
    label = "assistant"
    verbose_name = "AI assistant (MCP)"
