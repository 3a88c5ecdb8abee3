"""Base serializer: brief/full representations, scoped references, protected fields.

* ``?brief=1`` keeps only ``Meta.brief_fields`` (default: id, display, version).
* Every foreign key a client may set is looked up in ``visible_to(request.user)`` of the
  target model, so a reference to a record the user cannot see is refused with the same
  message as one that does not exist (QUALITY.md AUTHZ-4, no leak).
* Protected fields (owner, created_by, version, credit limit, ...) are always read-only
  (AUTHZ-8): the view stamps them, a client cannot mass-assign them.
* Sensitive fields (the credit limit) are left out for roles without their function, and
  free text about a person (``Meta.personal_text_fields``) is masked for roles without
  view-unmasked (QUALITY.md PRIV-5, field permissions); a masked text sent back unchanged
  keeps the stored one.
* Database constraints are checked before saving, so a bad value is a 400 naming the field
  instead of an IntegrityError; a Django ``ValidationError`` raised by the service that
  saves (a business rule, core.bounds) is a 400 naming its fields too.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from paretocrm.core.masking import mask_free_text
from paretocrm.core.policy import Function, has_function

#: Never writable through the API, on any model.
PROTECTED_FIELDS: frozenset[str] = frozenset(
    {
        "owner",
        "created_by",
        "recorded_by",
        "changed_by",
        "author",
        "version",
        "credit_limit",
        "created_at",
        "updated_at",
    }
)


#: Fields shown (and accepted) only for roles with a function, on any model.
FUNCTION_FIELDS: dict[str, Function] = {"credit_limit": Function.VIEW_CREDIT}


def wants_brief(request: Any) -> bool:
    """True when the client asked for the brief representation (``?brief=1``)."""
    if request is None:
        return False
    value = str(request.query_params.get("brief", "")).strip().lower()
    return value in {"1", "true", "yes"}


def scoped_queryset_for(model: type[models.Model], user: Any) -> models.QuerySet:
    """Rows of ``model`` that ``user`` may reference: ``visible_to`` where the model has it.

    Models without record scope (catalogue, staff directory) are company-wide reference
    data: any active user may point at them.
    """
    manager = model._default_manager
    if hasattr(manager, "visible_to"):
        return manager.visible_to(user)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return manager.none()
    return manager.all()


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary-key reference resolved only among the records the requesting user sees."""

    def get_queryset(self) -> models.QuerySet:
        """The target model's rows visible to the request's user (none without a request)."""
        queryset = super().get_queryset()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return scoped_queryset_for(queryset.model, user)


def fresh_field(field: serializers.Field, *, declared: bool) -> serializers.Field:
    """A new, unbound field equal to ``field``.

    A field built from the model holds only read-only settings (querysets are cloned on
    use, choices and validators are never changed after construction) until it is bound
    to a serializer, and binding sets attributes on the copy: a shallow copy with its own
    validator list is enough, and ten times cheaper than constructing it again. Declared
    fields may hold mutable defaults, and fields wrapping another field (nested
    serializers, the child of a many-to-many) bind that field too: those are deep-copied,
    as DRF does.
    """
    args, kwargs = field._args, field._kwargs  # type: ignore[attr-defined]
    wraps_field = any(isinstance(v, serializers.Field) for v in (*args, *kwargs.values()))
    if declared or wraps_field or isinstance(field, serializers.BaseSerializer):
        return copy.deepcopy(field)
    clone = copy.copy(field)
    if "_validators" in field.__dict__:
        clone._validators = list(field._validators)  # type: ignore[attr-defined]
    return clone


#: Unbound fields per serializer class (see ``ScopedModelSerializer._model_fields``).
_FIELDS_BY_CLASS: dict[type, dict[str, serializers.Field]] = {}


class ScopedModelSerializer(serializers.ModelSerializer):
    """Model serializer with brief/full views, scoped references and protected fields."""

    serializer_related_field = ScopedPrimaryKeyRelatedField

    display = serializers.SerializerMethodField(help_text="Human-readable label.")

    #: Fields kept by ``?brief=1`` when ``Meta.brief_fields`` is not declared.
    default_brief_fields: ClassVar[tuple[str, ...]] = ("id", "display", "version")

    def get_display(self, obj: Any) -> str:
        """The object's label (its ``__str__``)."""
        return str(obj)

    def get_fields(self) -> dict[str, serializers.Field]:
        """All fields, protected ones read-only; only the brief ones for ``?brief=1``."""
        # Each copy is a new field made from the original's constructor arguments, so the
        # protection is applied to the copies, never to the shared originals.
        fields = {
            name: fresh_field(field, declared=name in self._declared_fields)
            for name, field in self._model_fields().items()
        }
        for name in PROTECTED_FIELDS & fields.keys():
            fields[name].read_only = True
            fields[name].required = False
        for name in FUNCTION_FIELDS.keys() & fields.keys():
            if not self._may_see(FUNCTION_FIELDS[name]):
                del fields[name]
        if self._is_top_level() and wants_brief(self.context.get("request")):
            keep = getattr(self.Meta, "brief_fields", self.default_brief_fields)
            fields = {name: field for name, field in fields.items() if name in keep}
        return fields

    @classmethod
    def _model_fields(cls) -> dict[str, serializers.Field]:
        """The unbound fields of this serializer class, built once per process.

        ModelSerializer introspects the model and builds every field again for each
        instance - a third of an API detail request's time (B8). The fields depend only on
        the class (Meta and the declared fields), so they are built once and deep-copied,
        as DRF itself does with declared fields.
        """
        fields = _FIELDS_BY_CLASS.get(cls)
        if fields is None:
            fields = serializers.ModelSerializer.get_fields(cls())
            _FIELDS_BY_CLASS[cls] = fields
        return fields

    def _may_see(self, function: Function) -> bool:
        """True unless the request's user lacks ``function`` (the schema shows every field)."""
        if getattr(self.context.get("view"), "swagger_fake_view", False):
            return True
        request = self.context.get("request")
        return request is None or has_function(getattr(request, "user", None), function)

    def _personal_text_fields(self) -> tuple[str, ...]:
        """The free-text fields to mask for this request's user ((), when they may see all)."""
        names = getattr(self.Meta, "personal_text_fields", ())
        return () if not names or self._may_see(Function.VIEW_UNMASKED) else names

    def to_representation(self, instance: Any) -> dict[str, Any]:
        """The record, free text about a person masked for roles without view-unmasked."""
        data = super().to_representation(instance)
        for name in self._personal_text_fields():
            if isinstance(data.get(name), str):
                data[name] = mask_free_text(data[name])
        return data

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        """Free text sent back as it was shown (masked) keeps the stored text."""
        attrs = super().to_internal_value(data)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            for name in self._personal_text_fields():
                stored = getattr(self.instance, name, None)
                if name in attrs and stored and attrs[name] == mask_free_text(stored):
                    del attrs[name]
        return attrs

    def _is_top_level(self) -> bool:
        """The serializer of the response (or the child of its list), not a nested one."""
        parent = self.parent
        if parent is None:
            return True
        return isinstance(parent, serializers.ListSerializer) and parent.parent is None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Check the model's database constraints on the would-be row (400, not 500)."""
        attrs = super().validate(attrs)
        candidate = self.build_candidate(attrs)
        try:
            candidate.validate_constraints()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(get_error_detail(exc)) from exc
        return attrs

    def save(self, **kwargs: Any) -> Any:
        """Save through ``create``/``update`` (the services); their refusals answer 400."""
        try:
            return super().save(**kwargs)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(get_error_detail(exc)) from exc

    def build_candidate(self, attrs: dict[str, Any]) -> models.Model:
        """An unsaved copy of the instance (or a new one) with ``attrs`` applied."""
        model = self.Meta.model
        concrete = {f.name for f in model._meta.concrete_fields}
        values = {k: v for k, v in attrs.items() if k in concrete}
        if self.instance is None:
            return model(**values)
        candidate = model()
        for field in model._meta.concrete_fields:
            setattr(candidate, field.attname, getattr(self.instance, field.attname))
        candidate._state.adding = False
        for key, value in values.items():
            setattr(candidate, key, value)
        return candidate
