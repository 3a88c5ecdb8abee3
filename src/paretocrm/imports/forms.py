"""Forms of the import page: the upload and the commit choice."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from paretocrm.imports.kinds import KINDS
from paretocrm.imports.services import WEB_ENCODINGS

#: What each kind of file holds, as the upload form offers it.
KIND_LABELS: dict[str, Any] = {
    "customers": _("Customers"),
    "contacts": _("Contacts"),
    "products": _("Products"),
    "orders": _("Orders (one row per order line)"),
    "invoices": _("Invoices"),
    "payments": _("Payments"),
    "cdnow": _("CDNOW transaction file"),
}


class UploadForm(forms.Form):
    """Kind of data, the file, and its text encoding (CSV only)."""

    kind = forms.ChoiceField(
        label=_("what the file holds"),
        choices=[(name, KIND_LABELS.get(name, name)) for name in KINDS],
    )
    file = forms.FileField(label=_("file (.csv or .xlsx)"))
    encoding = forms.ChoiceField(
        label=_("text encoding (CSV)"),
        choices=[(e, {"utf-8": "UTF-8", "gb18030": "GB18030 (GBK)"}[e]) for e in WEB_ENCODINGS],
        initial="utf-8",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not str(upload.name).lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(
                _("%(name)s is not a .csv or .xlsx file.") % {"name": upload.name}
            )
        return upload


class CommitForm(forms.Form):
    """Commit a validated dry run, optionally leaving the invalid rows out."""

    skip_invalid = forms.BooleanField(label=_("skip the invalid rows"), required=False)
