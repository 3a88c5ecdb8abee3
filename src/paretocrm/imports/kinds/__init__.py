"""The import kinds by name (what `paretocrm import KIND FILE` accepts)."""

from __future__ import annotations

from paretocrm.imports.kinds.base import ImportKind, WriteCounts
from paretocrm.imports.kinds.billing import InvoiceKind, PaymentKind
from paretocrm.imports.kinds.cdnow import CdnowKind
from paretocrm.imports.kinds.master import ContactKind, CustomerKind, ProductKind
from paretocrm.imports.kinds.orders import OrderKind

KINDS: dict[str, type[ImportKind]] = {
    kind.name: kind
    for kind in (
        CustomerKind,
        ContactKind,
        ProductKind,
        OrderKind,
        InvoiceKind,
        PaymentKind,
        CdnowKind,
    )
}

__all__ = ["KINDS", "ImportKind", "WriteCounts"]
