"""Search never matches personal data the caller sees masked (issue 14, QUALITY.md PRIV-5).

A role without view-unmasked reads ``Call 138****5678`` in a note; if ``?search=13812345678``
still found the record, searching would confirm the hidden number digit by digit. So on
every path that searches - every API list with ``?search=``, every page list with ``?q=`` -
fields holding personal data match only for roles that may read them in full.

The paths are generated from the URL configuration: every API viewset and every scoped page
list that declares search fields is tried, so a new searchable list is covered at once.
Which fields hold personal data is taken from the declarations the channels already mask
by (the serializers' ``personal_text_fields`` and the contact's masked fields), so the test
does not trust the declaration the fix searches by.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from paretocrm.core.views import ScopedListView
from paretocrm.customers.masking import CONTACT_MASKS
from paretocrm.customers.models import Contact
from paretocrm.users.choices import Role
from tests.api_samples import MAKERS, new_user

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
NOTE = f"王经理手机 {PHONE}，身份证 11010519491231002X"


def _patterns() -> list[tuple[str, str, URLPattern]]:
    """(route, namespaced name, pattern) of every URL pattern."""
    found: list[tuple[str, str, URLPattern]] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                found.append((route, f"{namespace}{pattern.name or ''}", pattern))

    walk(get_resolver().url_patterns, "", "")
    return found


def api_search_lists() -> dict[str, type]:
    """basename -> viewset of every API list route whose viewset declares search fields."""
    lists = {}
    for route, name, pattern in _patterns():
        viewset = getattr(pattern.callback, "cls", None)
        searches = getattr(viewset, "search_fields", ())
        if route.startswith("api/") and name.endswith("-list") and searches:
            lists[name.removesuffix("-list")] = viewset
    return lists


def page_search_lists() -> dict[str, type[ScopedListView]]:
    """URL name -> view of every scoped page list that searches with ``?q=``."""
    lists = {}
    for route, name, pattern in _patterns():
        view = getattr(pattern.callback, "view_class", None)
        if route.startswith("api/") or view is None:
            continue
        if issubclass(view, ScopedListView) and view.search_fields:
            lists[name] = view
    return lists


def personal_fields(model: type[models.Model]) -> set[str]:
    """Text columns of ``model`` that a masked role sees masked on some channel."""
    declared: set[str] = set()
    for _basename, viewset in api_search_lists().items():
        serializer = viewset.serializer_class
        if serializer.Meta.model is model:
            declared |= set(getattr(serializer.Meta, "personal_text_fields", ()))
    if model is Contact:
        declared |= set(CONTACT_MASKS)
    columns = {f.name: f for f in model._meta.concrete_fields}
    return {
        name
        for name in declared
        if name in columns and isinstance(columns[name], models.CharField | models.TextField)
    }


def searched_personal_fields(model: type[models.Model], search_fields: Any) -> set[str]:
    """The personal fields of ``model`` that a list searches directly."""
    plain = {field.lstrip("^=@$") for field in search_fields}
    return plain & personal_fields(model)


MAKER_OF_MODEL: dict[type, Any] = {}


def maker_for(model: type[models.Model]) -> Any:
    if not MAKER_OF_MODEL:
        for basename, viewset in api_search_lists().items():
            if basename in MAKERS:
                MAKER_OF_MODEL.setdefault(viewset.model, MAKERS[basename])
    return MAKER_OF_MODEL[model]


def record_with_personal_text(model: type[models.Model], owner: Any, fields: set[str]) -> Any:
    """A record in ``owner``'s scope whose personal ``fields`` mention PHONE."""
    record = maker_for(model)(owner)
    values = {}
    for name in fields:
        limit = model._meta.get_field(name).max_length
        values[name] = NOTE if limit is None or limit >= len(NOTE) else PHONE
    model._default_manager.filter(pk=record.pk).update(**values)
    return record


def _count(response: Any) -> int:
    body = response.json()
    return body["count"] if isinstance(body, dict) else len(body)


def test_the_generated_paths_include_the_known_leaks() -> None:
    """The enumeration is not empty: interactions, care records, survey answers and cases
    search free text about people through the API, and the case list page does too."""
    api_lists = set(api_lists_searching_personal_data())
    assert {"interaction", "carerecord", "surveyresponse", "case"} <= api_lists
    assert "service:cases" in page_lists_searching_personal_data()
    # Contacts and customers are searched by name and code only, which every role reads.
    assert {"contact", "customer"} <= set(api_search_lists()) - api_lists


def api_lists_searching_personal_data() -> list[str]:
    return sorted(
        basename
        for basename, viewset in api_search_lists().items()
        if searched_personal_fields(viewset.model, viewset.search_fields)
    )


def page_lists_searching_personal_data() -> list[str]:
    return sorted(
        name
        for name, view in page_search_lists().items()
        if searched_personal_fields(view.model, view.search_fields)
    )


@pytest.mark.parametrize("basename", api_lists_searching_personal_data())
def test_api_search_never_matches_masked_personal_text(basename: str) -> None:
    viewset = api_search_lists()[basename]
    fields = searched_personal_fields(viewset.model, viewset.search_fields)
    rep = new_user(Role.SALES_REP)
    record_with_personal_text(viewset.model, rep, fields)
    url = f"{reverse(f'{basename}-list')}?search={PHONE}"
    masked = APIClient()
    masked.force_authenticate(user=rep)
    response = masked.get(url)
    assert response.status_code == 200, response.content
    assert _count(response) == 0, f"{basename}: ?search= confirmed a masked phone number"
    # Control: a role that reads personal data in full still finds it by searching.
    manager = APIClient()
    manager.force_authenticate(user=new_user(Role.GENERAL_MANAGER))
    assert _count(manager.get(url)) == 1


@pytest.mark.parametrize("url_name", page_lists_searching_personal_data())
def test_page_search_never_matches_masked_personal_text(url_name: str) -> None:
    view = page_search_lists()[url_name]
    fields = searched_personal_fields(view.model, view.search_fields)
    rep = new_user(Role.SALES_REP)
    record_with_personal_text(view.model, rep, fields)
    masked = Client()
    masked.force_login(rep)
    response = masked.get(reverse(url_name), {"q": PHONE})
    assert response.status_code == 200
    assert len(response.context["object_list"]) == 0, f"{url_name}: ?q= confirmed a phone"
    manager = Client()
    manager.force_login(new_user(Role.GENERAL_MANAGER))
    found = manager.get(reverse(url_name), {"q": PHONE})
    assert len(found.context["object_list"]) == 1


def test_masked_search_still_finds_what_the_role_reads_in_full() -> None:
    """The case number and the customer's name stay searchable for a masked role."""
    view = page_search_lists()["service:cases"]
    rep = new_user(Role.SALES_REP)
    case = record_with_personal_text(view.model, rep, {"subject"})
    masked = Client()
    masked.force_login(rep)
    for term in (case.number, case.customer.name):
        response = masked.get(reverse("service:cases"), {"q": term})
        assert [c.pk for c in response.context["object_list"]] == [case.pk]
    api = APIClient()
    api.force_authenticate(user=rep)
    assert _count(api.get(reverse("case-list"), {"search": case.number})) == 1
