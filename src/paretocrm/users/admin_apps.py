"""``django.contrib.admin`` with the role policy's admin site (see users.admin_site).

A module of its own: the users app's ``apps`` module may hold only the users app's config.
"""

from django.contrib.admin.apps import AdminConfig


class PolicyAdminConfig(AdminConfig):
    """The admin app whose ``admin.site`` is :class:`users.admin_site.PolicyAdminSite`."""

    default_site = "paretocrm.users.admin_site.PolicyAdminSite"
