"""The untranslated-key scan (issue 16, "What to build" 6; "Done when" 2).

The demo company (what ``paretocrm demo`` loads: demo data, one scoring run, portal logins) is
crawled in zh-Hans and zh-Hant as every staff role and a portal customer: from every page
route that needs no URL parameter, following every link to another page. Each page route of
the URL configuration must be reached (a new route is picked up by the walk or fails
``test_the_walk_reaches_every_page_route``), and every rendered page is scanned for

- an English msgid that has a translation in that language, shown as is;
- an internal key shown as text: a snake_case word (``key_revenue``) or a choice's stored
  value (``core``, ``preferred_supplier``) where the choice has a label;
- English words in the page's furniture (headings, table headers, buttons, labels, menus);
- a run of English words anywhere (a sentence worded in Python without gettext);
- in zh-Hant: Simplified characters in the page's furniture.

Latin text that is right in a Chinese page is whitelisted below, each entry with its reason.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import import_module
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import translation

from tests.test_page_matrix import dummy_url, page_route_names

SRC = Path(__file__).resolve().parents[1] / "src" / "paretocrm"
LANGUAGES = ("zh-hans", "zh-hant")
ANCHOR = dt.date(2025, 6, 30)

# --- what the walk does not open ---------------------------------------------------------

#: Paths the walk never follows: not pages of the product (the API's JSON, the Django admin
#: kept for back-office repair, static files) or a GET that changes the session.
NOT_PAGES = ("/api/", "/admin/", "/static/", "/media/", "/i18n/", "/vendor/")
#: Routes opened by no link on purpose, each with its reason.
NOT_WALKED = {
    "portal:attachment": "the customer's uploaded file, served as is",
    "portal_access:attachment": "the customer's uploaded file, served as is",
    "users:logout": "signs the walker out (the form posts; a GET would end the session)",
    "set_language": "a POST that switches the language; no page of its own",
}

# --- what may stay Latin in a Chinese page ----------------------------------------------------

#: Words that read the same in every language, each with its reason.
LATIN_WORDS = {
    # The product's name.
    "Pareto": "product name",
    "CRM": "product name and the trade's own acronym",
    # Analysis methods named as the literature names them (Chinese texts use the acronyms).
    "RFM": "recency-frequency-monetary, the method's name",
    "R": "the RFM method's recency score, as in R5 F4 M5",
    "F": "the RFM method's frequency score",
    "M": "the RFM method's monetary score",
    "CLV": "customer lifetime value, the method's name",
    "AHP": "analytic hierarchy process, the method's name",
    "ABC": "ABC classification, the method's name",
    "BG": "BG/NBD model name",
    "NBD": "BG/NBD and Pareto/NBD model names",
    "CR": "AHP consistency ratio, as printed in the method's tables",
    "CI": "AHP consistency index",
    "NPS": "net promoter score, the survey's name",
    "ROI": "return on investment, as written in Chinese business texts",
    "KPI": "as written in Chinese business texts",
    "SLA": "service-level agreement, as written in Chinese service texts",
    # File formats and protocols the user picks or downloads.
    "CSV": "file format",
    "XLSX": "file format",
    "Excel": "file format the user knows by this name",
    "JSON": "file format",
    "API": "interface name",
    "PDF": "file format",
    "Markdown": "the text format of knowledge articles, known by this name",
    "IP": "network address, written so in Chinese (IP 地址)",
    "HHI": "Herfindahl-Hirschman index, the measure's name",
    "ID": "identifier",
    "UTF": "encoding name (UTF-8)",
    "GB": "encoding name (GB18030)",
    "BOM": "encoding mark",
    # Currencies and units.
    "CNY": "ISO 4217 currency code",
    "RMB": "currency as written in China",
    "HKD": "ISO 4217 currency code",
    "USD": "ISO 4217 currency code",
    "EUR": "ISO 4217 currency code",
    "TWD": "ISO 4217 currency code",
    "kg": "unit",
    "MB": "unit of file size",
    "pcs": "unit",
}
#: A language's own name in the language picker: each reader finds theirs.
LANGUAGE_NAMES = {
    translation.get_language_info(code)["name_local"] for code, _ in settings.LANGUAGES
}
#: Latin tokens that are data, not words: e-mail addresses, web addresses, codes and numbers
#: (SO-2025-00042, C0001, 3.5x), file names.
DATA_TOKEN = re.compile(
    r"[A-Za-z0-9_.+*-]+@[A-Za-z0-9_.-]+"  # e-mail addresses, masked ones too
    r"|https?://\S+|(?:/[A-Za-z0-9_.-]+)+/?"  # web addresses and file paths
    r"|(?<![A-Za-z])\.(?:csv|xlsx|json|toml|png|pdf|docx|gif|jpe?g|txt)\b"  # file types
    r"|[A-Za-z0-9_./-]*\d[A-Za-z0-9_./-]*"  # codes and numbers
)
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
SNAKE_CASE = re.compile(r"(?<![\w@./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/-])")
MODEL_LABEL = re.compile(r"(?<![\w.@])[a-z_]+\.[a-z_]+(?![\w.@])")
#: Elements whose text is the page's own furniture, never a user's data.
FURNITURE = {
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "th",
    "button",
    "label",
    "legend",
    "summary",
    "dt",
    "caption",
    "nav",
}
#: Elements whose text is a user's data or code, not the page's words.
SKIPPED = {"script", "style", "textarea", "pre", "code", "svg", "template"}
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
    "param",
}
VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


# --- reading a page ---------------------------------------------------------------------------


@dataclass
class Text:
    """One piece of visible text and the elements it sits in."""

    text: str
    tags: tuple[str, ...]


@dataclass
class PageText(HTMLParser):
    """Visible text nodes, labelled attributes and links of one HTML page."""

    texts: list[Text] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    stack: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def skipping(self) -> bool:
        return bool(SKIPPED & set(self.stack))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        # Links, the fragments htmx loads into the page, and the targets of form buttons
        # (a campaign's audience downloads are buttons: without them the route was only
        # reached through record id 1, which PostgreSQL's never-restarting ids do not hold).
        for name in ("href", "hx-get", "formaction"):
            if values.get(name) and (tag == "a" or name != "href"):
                self.links.append(values[name])
        if not self.skipping():
            here = (*self.stack, tag)
            for name in VISIBLE_ATTRIBUTES:
                if values.get(name, "").strip():
                    self.texts.append(Text(values[name], here))
            if tag == "input" and values.get("type") in ("submit", "button"):
                self.texts.append(Text(values.get("value", ""), (*here, "button")))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self.skipping():
            self.texts.append(Text(text, tuple(self.stack)))


def read_page(html: str) -> PageText:
    parser = PageText()
    parser.feed(html)
    parser.close()
    return parser


# --- what a page must not show --------------------------------------------------------------


def translated_msgids(language: str) -> set[str]:
    """Every msgid with a translation other than itself in the merged catalogue (Django's,
    the libraries' and ours: a word any of them translates is never English on our pages)."""
    with translation.override(language):
        catalog = translation.trans_real.translation(language)._catalog  # type: ignore[attr-defined]
        found = set()
        for key, value in catalog.items():
            msgid = key[0] if isinstance(key, tuple) else key
            msgid = msgid.split("\x04")[-1]
            shown = value if isinstance(value, str) else ""
            if msgid and shown and shown != msgid and LATIN_WORD.search(msgid):
                found.add(" ".join(msgid.split()))
    return found


def choice_keys() -> set[str]:
    """Stored values of every choice that has a label of its own (``core`` -> 核心)."""
    keys: set[str] = set()

    def add(choices: Any) -> None:
        for value, label in choices or ():
            if isinstance(label, (list, tuple)):  # grouped choices
                add(label)
            elif isinstance(value, str) and value and value != str(label):
                keys.add(value)

    for model in apps.get_models():
        if model.__module__.startswith("paretocrm."):
            for model_field in model._meta.get_fields():
                add(getattr(model_field, "choices", None))
    for module in sorted(SRC.glob("*/choices.py")):
        loaded = import_module(f"paretocrm.{module.parent.name}.choices")
        for value in vars(loaded).values():
            if (
                isinstance(value, type)
                and issubclass(value, models.Choices)
                and value is not models.Choices
            ):
                add(value.choices)
    return keys


def simplified_characters() -> set[str]:
    """Characters the catalogues write differently in zh-Hant: 户 (戶), 客户 -> 客戶, ...

    Taken from our own zh_Hans/zh_Hant pairs of equal length, so it grows with the
    catalogues. A character also written the same in some pair (只, 台) is left out."""
    simplified: set[str] = set()
    shared: set[str] = set()
    for hans in [SRC / "locale", *SRC.glob("*/locale")]:
        pairs = []
        for folder in ("zh_Hans", "zh_Hant"):
            path = hans / folder / "LC_MESSAGES" / "django.mo"
            with path.open("rb") as file:
                pairs.append(gettext.GNUTranslations(file)._catalog)  # type: ignore[attr-defined]
        for key, s in pairs[0].items():
            t = pairs[1].get(key)
            if isinstance(s, str) and isinstance(t, str) and len(s) == len(t):
                for a, b in zip(s, t, strict=True):
                    (simplified if a != b else shared).add(a)
    # Word choices line up as characters too (渠道 / 通路): 渠 is the same in both scripts.
    return simplified - shared - {"渠"}


# --- the walk ----------------------------------------------------------------------------------


@dataclass
class Walk:
    """What the walk saw: the pages (path -> html) per language and role, and every route."""

    pages: dict[tuple[str, str, str], str] = field(default_factory=dict)
    routes: dict[str, int] = field(default_factory=dict)


def route_of(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def variant(url: str) -> tuple[str | None, tuple[str, ...]]:
    """One visit per route and set of query parameters (page 2 reads like page 1)."""
    parts = urlsplit(url)
    keys = tuple(sorted({k for k, _ in parse_qsl(parts.query)} - {"page"}))
    return route_of(parts.path), keys


def start_paths() -> list[str]:
    found = []
    for name in sorted(page_route_names()):
        try:
            found.append(reverse(name))
        except Exception:  # noqa: S112 - the route needs parameters; a link reaches it
            continue
    return [p for p in found if not p.startswith(NOT_PAGES)]


def crawl(
    client: Client,
    language: str,
    role: str,
    walk: Walk,
    seen: set[Any],
    starts: list[str] | None = None,
) -> None:
    """Open every page reachable from the parameterless routes.

    A parameterless page differs per role (dashboards, lists) and is opened by every role;
    a record's page, or a page with query parameters, by the first role that reaches it."""
    queue = start_paths() if starts is None else list(starts)
    own: set[Any] = set()
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(NOT_PAGES):
            continue
        key = variant(url)
        if key[0] is None or key[0] in NOT_WALKED or key in own:
            continue
        if key in seen and (key[1] or not reverse_free(key[0])):
            continue
        own.add(key)
        seen.add(key)
        response = client.get(url)
        if walk.routes.get(key[0]) != 200:
            walk.routes[key[0]] = response.status_code
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        walk.pages[(language, role, url)] = html
        for href in read_page(html).links:
            target = urlsplit(urljoin(url, href))
            queue.append(target.path + (f"?{target.query}" if target.query else ""))


def reverse_free(name: str) -> bool:
    """True when the route needs no URL parameter."""
    try:
        reverse(name)
    except Exception:
        return False
    return True


STAFF_LOGINS = ("admin", "gm", "kam", "ka_specialist", "ka_assistant", "sales", "service")
STAFF_LOGINS += ("marketing",)
BAD_CUSTOMERS = (
    "code,name,cooperation_level,currency\nDEMO-X1,闽南茶业,partner,RMB\n,无编号,朋友,CNY\n"
)


def seed_records(tmp: Path) -> tuple[list[str], list[str]]:
    """Records the demo does not hold, made through the services a user's action calls: a
    call list, a concept survey, a customer entered twice, an import report with errors, a
    portal invitation and the satisfaction surveys. Returns the paths of the links the e-mails
    carry, and of the fragments a page loads only while something runs (an import's status)."""
    from django.core import mail

    from paretocrm.customers.models import Contact
    from paretocrm.imports.services import run_import
    from paretocrm.marketing.concepts import send_concept_survey
    from paretocrm.marketing.models import ConceptSurvey
    from paretocrm.portal.services import invite_contact
    from paretocrm.service.models import Case
    from paretocrm.service.services import send_due_surveys
    from paretocrm.users.models import User
    from paretocrm.work.calllists import create_call_list

    admin, kam = User.objects.get(username="admin"), User.objects.get(username="kam")
    create_call_list(name="华东核心客户回访", params={}, created_by=kam, assigned_to=kam)
    # The same company entered twice (the duplicates page links the pair to the merge page).
    from paretocrm.customers.models import Customer

    twin = Customer.objects.filter(owner=kam).order_by("pk").first()
    Customer.objects.create(
        code="DEMO-DUP1", name=f"{twin.name}（华东）", owner=kam, team=twin.team
    )
    survey = ConceptSurvey.objects.create(
        title="冻干蜜柚片", concept="低糖、独立小包装。", question="您会订购吗？"
    )
    send_concept_survey(survey)
    upload = tmp / "新客户.csv"
    upload.write_text(BAD_CUSTOMERS, encoding="utf-8")
    batch = run_import("customers", upload, dry_run=True, user=admin).batch_id
    contact = Contact.objects.filter(email__contains="@", portal_account__isnull=True).first()
    invite_contact(contact, by=admin, base_url="http://testserver")
    resolved = Case.objects.exclude(resolved_at=None).latest("resolved_at").resolved_at
    send_due_surveys(resolved + dt.timedelta(minutes=1), window_days=400)
    links = re.findall(
        r"https?://\S+|/(?:portal|service|campaigns)/\S+", " ".join(m.body for m in mail.outbox)
    )
    fragments = [reverse("imports:batch_status", args=[batch])]
    return sorted({urlsplit(link).path for link in links}), fragments


@pytest.fixture(scope="module")
def walk(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Walk]:  # type: ignore[no-untyped-def]
    """The demo company, scored, walked in both Chinese scripts by every role."""
    from django.core import mail
    from django.core.management import call_command

    from paretocrm.demo.portal import grant_portal_access
    from paretocrm.demo.services import load_demo_company
    from paretocrm.insights.services import run_scoring
    from paretocrm.users.models import User

    with django_db_blocker.unblock():
        hashers = settings.PASSWORD_HASHERS
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        backend = settings.EMAIL_BACKEND
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        mail.outbox = []
        try:
            load_demo_company(seed=42, customers=40, anchor=ANCHOR)
            run_scoring(as_of=ANCHOR)
            portal = grant_portal_access(42)
            mailed, fragments = seed_records(tmp_path_factory.mktemp("scan"))
            result = Walk()
            users = [User.objects.get(username=name) for name in STAFF_LOGINS]
            users.append(User.objects.get(username=portal[0].username))
            for language in LANGUAGES:
                seen: set[Any] = set()
                for user in users:
                    cache.clear()
                    client = Client(HTTP_ACCEPT_LANGUAGE=language)
                    client.force_login(user)
                    starts = [*start_paths(), *fragments]
                    crawl(client, language, str(user.role), result, seen, starts)
                # A visitor: the sign-in page and the pages the e-mails link to.
                client = Client(HTTP_ACCEPT_LANGUAGE=language)
                crawl(client, language, "visitor", result, seen, [reverse("users:login"), *mailed])
            yield result
        finally:
            settings.PASSWORD_HASHERS = hashers
            settings.EMAIL_BACKEND = backend
            call_command("flush", interactive=False, verbosity=0)


# --- the scan ----------------------------------------------------------------------------


def latin_words(text: str) -> list[str]:
    """Latin words of ``text`` that are not data (codes, addresses) and not whitelisted."""
    return [w for w in LATIN_WORD.findall(DATA_TOKEN.sub(" ", text)) if w not in LATIN_WORDS]


#: Records whose text is the users' own (typed, imported or the demo's stand-in for it): a
#: foreign customer's name, an article written in English, a login name. Their values are
#: taken out of a text before its Latin words and characters are judged. System-written
#: records (tasks, audit events, SLA policies shipped as defaults) are not here.
DATA_MODELS = (
    "customers.Customer",
    "customers.Contact",
    "customers.Tag",
    "customers.Interaction",
    "customers.AccountPlan",
    "customers.AccountPlanGoal",
    "customers.AccountPlanAction",
    "customers.SavedView",
    "sales.Product",
    "sales.ProductCategory",
    "sales.Contract",
    "sales.Opportunity",
    "sales.Quote",
    "service.Case",
    "service.CareRecord",
    "knowledge.Article",
    "knowledge.ArticleCategory",
    "knowledge.ArticleTag",
    "users.User",
    "users.Team",
    "marketing.Campaign",
    "marketing.ConceptSurvey",
    "work.CallList",
    "portal.CaseReply",
    "portal.InboundMessage",
    "imports.ImportBatch",
)


def data_values() -> list[str]:
    """The users' text in the database, longest first (so a name goes before its part).

    A stored code (``potential`` in a campaign's segment) is a key, not text: values that
    are a choice's key or an identifier are left out."""
    values: set[str] = set()
    for label in DATA_MODELS:
        model = apps.get_model(label)
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices
        ]
        for row in model._default_manager.values_list(*names):
            values |= {" ".join(v.split()) for v in row if v and v.strip()}
    keys = choice_keys()
    text = {v for v in values if v not in keys and not re.fullmatch(r"[a-z0-9_]+", v)}
    # A login name is typed exactly as stored, however it looks (ka_specialist).
    text |= set(apps.get_model("users.User")._default_manager.values_list("username", flat=True))
    return sorted(text, key=len, reverse=True)


@dataclass
class Scanner:
    """The rules of the scan for one language."""

    language: str
    msgids: set[str]
    keys: set[str]
    simplified: set[str]
    data: list[str]
    model_labels: set[str] = field(
        default_factory=lambda: {m._meta.label_lower for m in apps.get_models()}
    )

    def without_data(self, text: str) -> str:
        for value in self.data:
            if value in text:
                text = text.replace(value, " ")
        return text

    def is_excerpt(self, text: str) -> bool:
        """The start of a longer user text cut with an ellipsis (an article's summary line)."""
        start = text.removesuffix("…").removesuffix("...").rstrip()
        return start != text and len(start) >= 20 and any(v.startswith(start) for v in self.data)

    def findings(self, html: str) -> Iterator[tuple[str, str]]:
        for piece in read_page(html).texts:
            text = piece.text
            if text in LANGUAGE_NAMES or text in self.data or self.is_excerpt(text):
                continue
            if text in self.msgids:
                yield "translatable English shown", text
                continue
            if text in self.keys:
                yield "choice key shown", text
            for label in MODEL_LABEL.findall(text):
                if label in self.model_labels:
                    yield "model label shown", label
            ours = None
            for word in SNAKE_CASE.findall(text):
                ours = self.without_data(text) if ours is None else ours
                if word in ours:
                    yield "snake_case key shown", word
            furniture = bool(FURNITURE & set(piece.tags))
            if len(latin_words(text)) >= (1 if furniture else 3):
                ours = self.without_data(text) if ours is None else ours
                if len(latin_words(ours)) >= (1 if furniture else 3):
                    where = "headings, buttons or labels" if furniture else "text"
                    yield f"English in {where}", text
            if furniture and set(text) & self.simplified:
                ours = self.without_data(text) if ours is None else ours
                if found := "".join(sorted(set(ours) & self.simplified)):
                    yield "Simplified characters in zh-Hant", f"{text} [{found}]"


def scanner(language: str) -> Scanner:
    simplified = simplified_characters() if language == "zh-hant" else set()
    return Scanner(language, translated_msgids(language), choice_keys(), simplified, data_values())


def test_the_page_reader_sees_text_labels_and_furniture() -> None:
    page = read_page(
        "<h2>Ranking <b>key_revenue</b></h2><script>var x_y = 1;</script>"
        '<input type="submit" value="Save"><a href="/x/" title="Open">core</a><br><p>ok</p>'
    )
    assert [(t.text, t.tags[-1]) for t in page.texts] == [
        ("Ranking", "h2"),
        ("key_revenue", "b"),
        ("Save", "button"),
        ("Open", "a"),
        ("core", "a"),
        ("ok", "p"),
    ]
    assert page.links == ["/x/"]


@pytest.mark.django_db
def test_the_scan_flags_each_kind_of_slip() -> None:
    rules = Scanner("zh-hant", {"Save changes"}, {"core"}, {"户"}, ["ka_admin", "Benson LLC"])
    html = (
        "<th>客户</th><td>core</td><td>key_revenue</td><td>ka_admin</td>"
        "<button>Save changes</button><label>Owner 客戶</label><h2>Benson LLC · 客戶</h2>"
        "<p>demo trajectory stable</p><input placeholder='customers.customer'>"
        "<td>华东果业 SO-2025-0001 zhang@x.cn RFM</td>"
    )
    assert sorted(set(rules.findings(html))) == [
        ("English in headings, buttons or labels", "Owner 客戶"),
        ("English in text", "demo trajectory stable"),
        ("Simplified characters in zh-Hant", "客户 [户]"),
        ("choice key shown", "core"),
        ("model label shown", "customers.customer"),
        ("snake_case key shown", "key_revenue"),
        ("translatable English shown", "Save changes"),
    ]


@pytest.mark.slow
@pytest.mark.django_db
def test_the_walk_reaches_every_page_route(walk: Walk) -> None:
    """Every page route is opened (or is not a page: a POST-only route answers 405)."""
    cache.clear()
    from paretocrm.users.models import User

    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    missing = {}
    for name in sorted(page_route_names() - set(NOT_WALKED)):
        if name in walk.routes:
            assert walk.routes[name] < 500, (name, walk.routes[name])
            continue
        answer = admin.get(dummy_url(name))
        download = answer.status_code == 200 and "text/html" not in answer["Content-Type"]
        if answer.status_code != 405 and not download:  # POST-only routes and files pass
            missing[name] = answer.status_code
    unreached = [f"{name}: GET answers {status}" for name, status in missing.items()]
    assert not unreached, "no link reaches (link it or seed a record):\n" + "\n".join(unreached)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_shows_untranslated_keys_or_english(walk: Walk, language: str) -> None:
    rules = scanner(language)
    found: dict[tuple[str, str], str] = {}
    pages = 0
    for (lang, role, url), html in walk.pages.items():
        if lang != language:
            continue
        pages += 1
        for finding in rules.findings(html):
            found.setdefault(finding, f"{role} {url}")
    assert pages > 50
    report = sorted(f"{kind}: {text!r}  ({where})" for (kind, text), where in found.items())
    assert not report, f"{len(report)} slips:\n" + "\n".join(report)
