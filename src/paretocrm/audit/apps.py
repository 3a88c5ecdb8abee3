from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Field history and security events; hooks into other apps by signals only."""

    name = "paretocrm.audit"
    label = "audit"
    verbose_name = _("Audit history")

    def ready(self) -> None:
        """Connect the field-history and sign-in receivers."""
        from paretocrm.audit import receivers
        from paretocrm.users import throttle

        receivers.connect()
        receivers.connect_users()
        throttle.connect()
