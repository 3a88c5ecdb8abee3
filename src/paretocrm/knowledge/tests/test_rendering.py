"""The one renderer of article bodies: Markdown works, raw HTML and script URLs stay inert."""

from __future__ import annotations

import pytest

from paretocrm.knowledge.rendering import render_body

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "<iframe src=//evil.example></iframe>",
    '<a href="javascript:alert(1)">点我</a>',
    "[点我](javascript:alert(1))",
    "[点我](JaVaScRiPt:alert(1))",
    "[点我](&#106;avascript:alert(1))",
    "[点我](vbscript:msgbox(1))",
    "[点我](data:text/html;base64,PHNjcmlwdD4=)",
    "<javascript:alert(1)>",
    "![图](https://evil.example/pixel.png)",
    '<div style="background:url(javascript:alert(1))">x</div>',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markup_is_rendered_as_text(text: str) -> None:
    html = str(render_body(text)).lower()
    for live in ("<script", "<img", "<iframe", "<div", '<a href="javascript', 'href="vbscript'):
        assert live not in html, (text, html)
    hrefs = [part.split('"', 1)[0] for part in html.split('href="')[1:]]
    assert all(href.startswith(("http://", "https://")) for href in hrefs), (text, hrefs)


def test_markdown_and_plain_paragraphs_render() -> None:
    html = str(
        render_body("# 退货\n\n**七天内**\n\n- 拍照\n- 登记\n\n[说明](https://example.com/a)")
    )
    assert "<h1>退货</h1>" in html and "<strong>七天内</strong>" in html
    assert "<li>拍照</li>" in html
    assert '<a rel="nofollow noopener noreferrer" href="https://example.com/a">说明</a>' in html
    assert str(render_body("第一段\n\n第二段")) == "<p>第一段</p>\n<p>第二段</p>\n"
