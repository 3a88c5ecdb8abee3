"""Users, teams and roles."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from paretocrm.core.models import TimeStampedModel
from paretocrm.users.choices import FULL_SCOPE_ROLES, Role, ScopeLevel, scope_level_of
from paretocrm.users.querysets import TeamQuerySet, UserQuerySet


class StaffManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Django's user manager with the staff-directory queryset methods."""

    # Needed by the RunPython migrations and data loaders that create users.
    use_in_migrations = True


class Team(TimeStampedModel):
    """A department or sub-team (e.g. key-account department > East China team); a tree."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ("name", "id")
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = (
            models.UniqueConstraint(
                fields=("parent", "name"),
                name="users_team_parent_name_unique",
                violation_error_message=_("A team with this name already exists here."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="users_team_not_own_parent",
                violation_error_message=_("A team cannot be its own parent."),
            ),
        )

    def __str__(self) -> str:
        return self.name

    def descendant_ids(self, *, include_self: bool = True) -> set[int]:
        """Ids of this team's sub-teams at every depth, and its own by default (one query)."""
        return Team.objects.descendant_ids([self.pk], include_roots=include_self)


#: Han characters (CJK unified ideographs and extension A): a name written in Chinese.
CJK_NAME = re.compile(r"[\u3400-\u9fff]")


class User(AbstractUser):
    """A member of staff: login, role, team and manager."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.SALES_REP)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    # Mail sent to the user (task digests) is written in this language; blank: the site's.
    language = models.CharField(
        _("language of e-mails"),
        max_length=16,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Blank: the site's default language."),
    )
    daily_digest = models.BooleanField(
        _("daily digest e-mail"),
        default=True,
        help_text=_(
            "One e-mail each morning listing new and overdue tasks, SLA breaches on your "
            "cases and customers whose tier fell; none on a day with nothing to report."
        ),
    )

    objects = StaffManager()

    class Meta:
        ordering = ("username",)
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = (models.Index(fields=("team", "is_active"), name="users_user_team_active_idx"),)
        constraints = (
            models.CheckConstraint(
                condition=Q(role__in=Role.values),
                name="users_user_role_valid",
                violation_error_message=_("Unknown role."),
            ),
            models.CheckConstraint(
                condition=~Q(manager=F("id")),
                name="users_user_not_own_manager",
                violation_error_message=_("A user cannot be their own manager."),
            ),
        )

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    def get_full_name(self) -> str:
        """The name as its own language writes it: Chinese family name first, no space
        (王龙), other names given name first (Anna Schmidt)."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if CJK_NAME.search(first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()

    @property
    def has_full_scope(self) -> bool:
        """True when the user sees every record (superuser, or a role whose scope is all)."""
        return bool(self.is_superuser or self.role in FULL_SCOPE_ROLES)

    @property
    def scope_level(self) -> ScopeLevel:
        """The record scope of the user's role (all for a superuser)."""
        return ScopeLevel.ALL if self.is_superuser else scope_level_of(self.role)

    def scope_user_ids(self) -> set[int]:
        """Ids of the users whose customers this user sees by owner: self + the members of
        the user's team (team scope) or team tree (team tree scope); one query."""
        return set(User.objects.in_scope_of(self).values_list("pk", flat=True))


class ApiToken(models.Model):
    """A user's API token, stored as a SHA-256 digest (AUTHN-2: the DB holds no plain secret).

    The key itself is shown once, when it is issued (``users.services.issue_token``); a
    user has at most one token, and issuing a new one replaces the old. The key is 160 random
    bits, so an unsalted digest cannot be reversed by guessing; the unique index on the digest
    keeps authentication at one indexed query. ``prefix`` (the key's first characters) only
    lets people tell tokens apart in the admin.
    """

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_token"
    )
    prefix = models.CharField(_("prefix"), max_length=8)
    digest = models.CharField(_("SHA-256 digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "id")
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
