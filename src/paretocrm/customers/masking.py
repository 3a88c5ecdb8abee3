"""A contact's phone numbers and e-mail as a given user may see them.

The masking rules themselves live in :mod:`paretocrm.core.masking`, shared by pages, API
and exports; this module only applies them to a contact.
"""

from __future__ import annotations

from typing import Any

from paretocrm.core.masking import mask_email, mask_phone, may_see_personal_data


def contact_details(contact: Any, user: Any) -> dict[str, str]:
    """Phone, mobile and e-mail of a contact as ``user`` may see them."""
    if may_see_personal_data(user):
        return {"phone": contact.phone, "mobile": contact.mobile, "email": contact.email}
    return {
        "phone": mask_phone(contact.phone),
        "mobile": mask_phone(contact.mobile),
        "email": mask_email(contact.email),
    }
