"""Models of the sales app, split by sub-domain and re-exported here."""

from paretocrm.sales.models.billing import Invoice, Payment
from paretocrm.sales.models.catalog import (
    CustomerPrice,
    PriceList,
    PriceListItem,
    Product,
    ProductCategory,
)
from paretocrm.sales.models.orders import Order, OrderLine
from paretocrm.sales.models.pipeline import (
    Contract,
    Opportunity,
    OpportunityStageChange,
    Quote,
    QuoteLine,
)

__all__ = [
    "Contract",
    "CustomerPrice",
    "Invoice",
    "Opportunity",
    "OpportunityStageChange",
    "Order",
    "OrderLine",
    "Payment",
    "PriceList",
    "PriceListItem",
    "Product",
    "ProductCategory",
    "Quote",
    "QuoteLine",
]
