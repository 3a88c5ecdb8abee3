"""The language of a message sent to someone: their preference, else the site default."""

from __future__ import annotations

from types import SimpleNamespace

from paretocrm.core.languages import language_of


def test_a_recipient_without_a_preference_gets_the_site_default(settings):
    settings.LANGUAGE_CODE = "zh-hant"

    assert language_of(SimpleNamespace(email="a@example.com")) == "zh-hant"
    assert language_of(None) == "zh-hant"


def test_a_known_preference_wins_and_an_unknown_one_is_ignored(settings):
    settings.LANGUAGE_CODE = "zh-hans"

    assert language_of(SimpleNamespace(language="en")) == "en"
    assert language_of(SimpleNamespace(language="fr")) == "zh-hans"
