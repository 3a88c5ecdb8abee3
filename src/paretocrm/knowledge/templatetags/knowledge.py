"""Template filters of the knowledge base."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from paretocrm.knowledge.rendering import render_body

register = template.Library()


@register.filter
def article_body(text: str) -> SafeString:
    """An article body rendered from Markdown with raw HTML escaped (``rendering``)."""
    return render_body(text)
