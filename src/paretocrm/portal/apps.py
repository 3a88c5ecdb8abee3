"""App configuration of the customer self-service portal."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """Portal users, portal pages, invitations, case replies/attachments, inbound e-mail."""

    name = "paretocrm.portal"
    label = "portal"
    verbose_name = _("Customer portal")
