"""Every page in the reader's language: list filters read 筛选/篩選, never Django admin's 过滤器,
and the refusals services raise for pages are worded in the reader's language.

A plain ``{% translate "Filter" %}`` is answered by django.contrib.admin's catalogue (过滤器,
"filter device"), which wins over the apps' own; list pages therefore use the message context
"apply list filters" (the service case list set the pattern).
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from paretocrm.customers.tests.factories import make_user
from paretocrm.users.choices import Role

SRC = Path(__file__).resolve().parents[1] / "src" / "paretocrm"
PLAIN_FILTER = re.compile(r"""\{%\s*(?:trans|translate)\s+["'][Ff]ilter["']\s*%\}""")
ADMIN_WORDS = ("过滤器", "過濾器")
SKIPPED_PREFIXES = ("admin/", "api/", "i18n/", "portal/", "vendor/", "health")
FILTERED_LISTS = ("customers:list", "audit:log", "work:plans", "service:cases")


def list_paths() -> set[str]:
    return {reverse(name).lstrip("/") for name in FILTERED_LISTS}


def pages_without_parameters() -> list[str]:
    """Paths of every routed page that needs no URL parameter (the list pages among them)."""
    found: list[str] = []

    def walk(patterns: list, prefix: str) -> None:
        for entry in patterns:
            route = str(entry.pattern)
            if "<" in route or "(?P" in route or route.startswith("^"):
                continue
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern):
                found.append(prefix + route)

    walk(get_resolver().url_patterns, "")
    return sorted(p for p in set(found) if not p.startswith(SKIPPED_PREFIXES))


def test_no_template_asks_for_a_plain_filter_label() -> None:
    offenders = [
        str(t.relative_to(SRC))
        for t in sorted(SRC.rglob("templates/**/*.html"))
        if PLAIN_FILTER.search(t.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_page_walk_reaches_the_list_pages() -> None:
    assert list_paths() <= set(pages_without_parameters())


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "label"), [("zh-hans", "筛选"), ("zh-hant", "篩選")])
def test_every_page_reads_filter_in_the_readers_chinese(language: str, label: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(make_user(Role.ADMINISTRATOR))
    labelled = []
    for path in pages_without_parameters():
        response = client.get("/" + path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        assert not any(word in page for word in ADMIN_WORDS), path
        if f">{label}</button>" in page:
            labelled.append(path)
    assert list_paths() <= set(labelled)


def refusal_in(language: str, action) -> str:  # type: ignore[no-untyped-def]
    with translation.override(language), pytest.raises(ValueError) as refused:
        action()
    return str(refused.value)


@pytest.mark.django_db
def test_service_refusals_shown_on_pages_read_in_the_readers_language() -> None:
    from paretocrm.users.services import transfer_accounts
    from paretocrm.work.calllists import create_call_list, filtered_customers

    user = make_user(Role.GENERAL_MANAGER)

    def to_themselves():  # type: ignore[no-untyped-def]
        return transfer_accounts(user, user, by=user, reason="leaving")

    assert refusal_in("zh-hans", to_themselves) == "用户不能把客户移交给自己。"
    assert refusal_in("zh-hant", to_themselves) == "使用者不能把客戶移交給自己。"
    assert refusal_in("en", to_themselves) == "A user cannot transfer accounts to themselves."

    lister = make_user(Role.KEY_ACCOUNT_MANAGER)  # may make call lists

    def unnamed():  # type: ignore[no-untyped-def]
        return create_call_list(name=" ", params={}, created_by=lister)

    assert refusal_in("zh-hant", unnamed) == "name: 呼叫清單需要名稱"  # the field stays a code

    def unknown_filter():  # type: ignore[no-untyped-def]
        return filtered_customers({"colour": "red"}, user)

    assert refusal_in("zh-hans", unknown_filter) == "未知的筛选参数：colour"


@pytest.mark.django_db
def test_the_portal_refusal_of_a_staff_page_reads_in_the_customers_language() -> None:
    portal_user = make_user(Role.PORTAL_CUSTOMER)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hant")
    client.force_login(portal_user)

    response = client.post(reverse("customers:list"))

    assert response.status_code == 403
    assert response.content.decode() == "客戶入口網站帳號只能使用客戶入口網站。"


# Visible template text outside {% translate %}: what may stay as is. Acronyms and the
# product name read the same in every language; 503.html is bilingual on purpose (it is
# served when the database, and with it the session's language, is unavailable).
UNTRANSLATED_WORDS = {"CRM", "CSV", "Excel", "JSON", "NPS", "Pareto", "ROI", "SLA", "XLSX"}
UNTRANSLATED_TEMPLATES = {"templates/503.html"}
_SKIPPED_BLOCKS = re.compile(
    r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|\{#.*?#\}|<script\b.*?</script>"
    r"|<style\b.*?</style>|\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}",
    re.S,
)
_TEMPLATE_TAGS = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
_VISIBLE_ATTRIBUTE = re.compile(r'\b(?:placeholder|title|aria-label|alt)="([^"]*)"')


def untranslated_words(source: str) -> set[str]:
    """Words a reader sees that no {% translate %} covers (text nodes and labelled attributes)."""
    body = _TEMPLATE_TAGS.sub(" ", _SKIPPED_BLOCKS.sub(" ", source))
    # A model label as an example value ("customers.customer") is typed as is, not read.
    labels = [v for v in _VISIBLE_ATTRIBUTE.findall(body) if not re.fullmatch(r"\w+\.\w+", v)]
    attributes = " ".join(labels)
    text = re.sub(r"<[^>]*>", " ", body)
    return set(re.findall(r"[A-Za-z][A-Za-z'-]+", f"{text} {attributes}"))


def test_the_template_scan_finds_plain_text() -> None:
    sample = '<p>Hello {{ name }}</p><input placeholder="Search here">{% translate "Fine" %}'
    assert untranslated_words(sample) == {"Hello", "Search", "here"}


def test_templates_show_no_untranslated_text() -> None:
    found = {}
    for template in sorted(SRC.rglob("templates/**/*.html")):
        name = str(template.relative_to(SRC))
        if name in UNTRANSLATED_TEMPLATES:
            continue
        words = untranslated_words(template.read_text(encoding="utf-8")) - UNTRANSLATED_WORDS
        if words:
            found[name] = sorted(words)
    assert found == {}


def catalogue(path: Path) -> dict[str, str]:
    """Plain (context-free) entries of a compiled catalogue."""
    if not path.exists():
        return {}
    with path.open("rb") as file:
        entries = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
    return {k: v for k, v in entries.items() if isinstance(k, str) and k and "\x04" not in k}


@pytest.mark.parametrize(("language", "folder"), [("zh-hans", "zh_Hans"), ("zh-hant", "zh_Hant")])
def test_no_app_translation_is_hidden_by_another_catalogue(language, folder) -> None:
    """The "Filter" bug in general. Django merges catalogues: the main one (LOCALE_PATHS)
    first, then the installed apps in order (Django admin before ours), so a plain msgid
    another catalogue also translates shows that translation. Such a word needs a message
    context when its meaning differs, or the same translation when it does not."""
    hidden = {}
    with translation.override(language):
        for mo in sorted(SRC.glob(f"*/locale/{folder}/LC_MESSAGES/django.mo")):
            for msgid, ours in catalogue(mo).items():
                shown = translation.gettext(msgid)
                if shown != ours:
                    hidden[f"{mo.relative_to(SRC).parts[0]}: {msgid}"] = f"{ours} → {shown}"
    assert hidden == {}


@pytest.mark.parametrize(
    ("language", "records", "count"), [("zh-hans", "客户", "客户数"), ("zh-hant", "客戶", "客戶數")]
)
def test_customers_name_the_records_and_only_a_count_column_says_number(language, records, count):
    with translation.override(language):
        assert translation.gettext("customers") == records  # admin, headings, file names
        assert translation.pgettext("number of customers", "customers") == count
        assert translation.pgettext("top share of customers", "customers") == records


_TRANSLATE_TAG = re.compile(
    r"""\{%\s*(?:trans|translate)\s+(["'])(.*?)\1(?:\s+context\s+(["'])(.*?)\3)?[^%]*%\}"""
)


@pytest.mark.parametrize("folder", ["zh_Hans", "zh_Hant"])
def test_every_translate_tag_has_our_own_translation(folder) -> None:
    """A {% translate %} string missing from our catalogues shows English, or worse, another
    library's word for it (the account plans' "Filter" read 过滤器 that way)."""
    ours: set[str] = set()
    for mo in [SRC / "locale", *SRC.glob("*/locale")]:
        path = mo / folder / "LC_MESSAGES" / "django.mo"
        with path.open("rb") as file:
            ours |= set(gettext.GNUTranslations(file)._catalog)  # type: ignore[attr-defined]
    missing = set()
    for template in sorted(SRC.rglob("templates/**/*.html")):
        for tag in _TRANSLATE_TAG.finditer(template.read_text(encoding="utf-8")):
            msgid = tag.group(2).replace("%", "%%")  # as makemessages writes it
            key = f"{tag.group(4)}\x04{msgid}" if tag.group(4) else msgid
            if key not in ours:
                missing.add((str(template.relative_to(SRC)), tag.group(2)))
    assert missing == set()


_GETTEXT_CALLS = {"_": 1, "gettext": 1, "gettext_lazy": 1, "gettext_noop": 1, "ngettext": 1}
_GETTEXT_CALLS |= {"ngettext_lazy": 1, "pgettext": 2, "pgettext_lazy": 2}


def python_msgids(path: Path) -> set[str]:
    """Catalogue keys (context\\x04msgid) of the literal gettext calls in one module."""
    keys = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        width = _GETTEXT_CALLS.get(str(name), 0)
        args = node.args[:width]
        if width and len(args) == width and all(isinstance(a, ast.Constant) for a in args):
            keys.add("\x04".join(str(a.value) for a in args))  # type: ignore[attr-defined]
    return keys


@pytest.mark.parametrize("folder", ["zh_Hans", "zh_Hant"])
def test_every_gettext_string_in_the_apps_has_our_own_translation(folder) -> None:
    """Refusals, messages, labels and export file names worded in Python (not the engine's
    English, which is framework-free) all have a translation in our catalogues."""
    ours: set[str] = set()
    for mo in [SRC / "locale", *SRC.glob("*/locale")]:
        with (mo / folder / "LC_MESSAGES" / "django.mo").open("rb") as file:
            entries = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
        ours |= {key if isinstance(key, str) else key[0] for key in entries}
    missing = {}
    for module in sorted(SRC.rglob("*.py")):
        if {"tests", "migrations", "analytics"} & set(module.relative_to(SRC).parts):
            continue
        if keys := python_msgids(module) - ours:
            missing[str(module.relative_to(SRC))] = sorted(keys)
    assert missing == {}
