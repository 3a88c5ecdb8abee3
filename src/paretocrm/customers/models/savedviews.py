"""Saved views of the customer list: a name for a set of filter and sort parameters."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from paretocrm.core.models import TimeStampedModel


class SavedViewQuerySet(models.QuerySet):
    """Saved views, with the ones a user may pick."""

    def available_to(self, user: Any) -> SavedViewQuerySet:
        """The user's own views and the views colleagues shared with the user's team."""
        shared = Q(shared=True, team_id=user.team_id) if getattr(user, "team_id", None) else Q()
        return self.filter(Q(user_id=user.pk) | shared) if shared else self.filter(user_id=user.pk)


class SavedView(TimeStampedModel):
    """A named customer-list query (filters + sort) of one user, optionally team-shared.

    The query is stored as the list page's own URL parameters, so opening a view is just
    following a link; the filters still run through ``visible_to``, so sharing a view never
    shares customers the colleague may not see.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filter and sort parameters"), max_length=1000, blank=True)
    shared = models.BooleanField(_("shared with my team"), default=False)
    team = models.ForeignKey(
        "users.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The owner's team when the view was saved (who it is shared with)."),
    )

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        ordering = ("name", "id")
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = (
            models.UniqueConstraint(
                fields=("user", "name"),
                name="customers_savedview_user_name_unique",
                violation_error_message=_("You already have a view with this name."),
            ),
        )

    def __str__(self) -> str:
        return self.name
