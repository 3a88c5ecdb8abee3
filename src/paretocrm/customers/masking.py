"""A contact's phone numbers, e-mail and WeChat id as shown: masked on every channel.

The masking rules themselves live in :mod:`paretocrm.core.masking`, shared by pages, API
and exports; this module only applies them to a contact. Seeing the full values is an
explicit, logged action (``customers.privacy.unmask_contact``, QUALITY.md PRIV-5) open to
the roles with the view-unmasked function; nothing shows them by default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paretocrm.core.masking import mask_email, mask_phone, mask_text

#: Personal contact fields and how each is masked.
CONTACT_MASKS: dict[str, Callable[[str | None], str]] = {
    "phone": mask_phone,
    "mobile": mask_phone,
    "email": mask_email,
    "wechat": mask_text,
}


def contact_details(contact: Any, user: Any = None) -> dict[str, str]:
    """Phone, mobile, e-mail and WeChat id of a contact, masked (PRIV-5)."""
    return {name: mask(getattr(contact, name)) for name, mask in CONTACT_MASKS.items()}
