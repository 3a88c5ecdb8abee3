"""Every edit form of a versioned model carries the version (QUALITY.md DUR-1).

Forms are found by walking the project's form modules, so a new ModelForm over a
``VersionedModel`` fails here until it carries ``version`` or is declared create-only.
"""

from __future__ import annotations

import importlib
import pkgutil

from django import forms

import paretocrm
from paretocrm.core.models import VersionedModel

#: ModelForms that only ever create a record (no earlier version to compare with), by name.
CREATE_ONLY = {
    "marketing.forms.ConceptSurveyForm": "concept_list creates surveys; there is no edit page",
}


def _project_model_forms() -> dict[str, type[forms.ModelForm]]:
    found: dict[str, type[forms.ModelForm]] = {}
    for module_info in pkgutil.walk_packages(paretocrm.__path__, "paretocrm."):
        if not module_info.name.endswith(".forms"):
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.ModelForm)
                and value.__module__ == module.__name__
                and getattr(value, "_meta", None) is not None
                and value._meta.model is not None
            ):
                found[f"{module.__name__.removeprefix('paretocrm.')}.{value.__name__}"] = value
    return found


def test_every_model_form_of_a_versioned_model_carries_the_version() -> None:
    model_forms = _project_model_forms()
    assert "customers.forms.CustomerForm" in model_forms  # the walk found the forms
    versioned = {
        name: form
        for name, form in model_forms.items()
        if issubclass(form._meta.model, VersionedModel)
    }
    assert set(CREATE_ONLY) <= set(versioned), "CREATE_ONLY names a form that is not versioned"
    missing = [
        name
        for name, form in versioned.items()
        if name not in CREATE_ONLY and "version" not in form.base_fields
    ]
    assert not missing, f"edit forms without the version (DUR-1): {missing}"
    for name, form in versioned.items():
        if name not in CREATE_ONLY:
            assert isinstance(form.base_fields["version"].widget, forms.HiddenInput), name
