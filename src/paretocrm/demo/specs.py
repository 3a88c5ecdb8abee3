"""Plain data records the demo generator produces (no Django): one class per entity.

Records refer to each other by natural keys (customer code, username, SKU, order number), so
the generator stays independent of the database and the loader resolves keys to rows.
Money is ``Decimal``; dates are ``datetime.date``; moments are aware ``datetime`` in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(slots=True)
class TeamSpec:
    """An organisational team; ``parent`` is another team's key."""

    key: str
    name: str
    parent: str | None


@dataclass(slots=True)
class UserSpec:
    """One demo login per role; the password is printed by ``paretocrm demo``."""

    username: str
    role: str
    team: str
    first_name: str
    last_name: str
    email: str
    title: str
    password: str
    manager: str | None = None
    is_superuser: bool = False


@dataclass(slots=True)
class CountryNoteSpec:
    """Notes an exporter's staff need about a country."""

    country: str
    culture: str
    regulations: str
    trade_terms: str
    currency: str


@dataclass(slots=True)
class ProductSpec:
    """A product with its category, list price and unit cost in the base currency."""

    sku: str
    name: str
    category: str
    unit: str
    list_price: Decimal
    unit_cost: Decimal
    line: str  # "fruit" or "industrial": which customers buy it


@dataclass(slots=True)
class CategorySpec:
    """A product category."""

    code: str
    name: str


@dataclass(slots=True)
class CustomerSpec:
    """A customer account and the hidden truth the analysis should rediscover.

    ``trajectory`` is the ground truth of how the customer's buying develops over the three
    years: ``growing`` (purchase rate rises about 4x), ``stable``, ``declining`` (rate falls
    to about a third over the last 18 months), ``lost`` (stopped buying 6-12 months before
    the anchor date) or ``new`` (first order in the last 9 months, exploration stage).
    ``size`` is the latent heavy-tailed value that drives order frequency and order value.
    """

    code: str
    name: str
    industry: str
    region: str
    city: str
    country: str
    currency: str
    scale: str
    scope: str
    cooperation_level: str
    credit_rating: str
    credit_score: int
    credit_limit: Decimal
    channel: str
    industry_influence: int
    cooperation_intent: int
    price_sensitivity: int
    owner: str
    team: str
    tags: list[str]
    trajectory: str
    size: float
    line: str
    discount: float  # negotiated discount off list price, fraction
    payment_days: int
    first_day: int  # days after the history start of the first possible order
    last_day: int  # days after the history start of the last possible order
    parent: str | None = None
    account_team: list[tuple[str, str]] = field(default_factory=list)  # (username, role)


@dataclass(slots=True)
class ContactSpec:
    """A person at a customer, with stakeholder attributes and consent answers."""

    customer: str
    key: str
    name: str
    title: str
    buying_role: str
    influence: int
    relationship_strength: int
    phone: str
    email: str
    consents: list[tuple[str, bool, datetime, str]]  # (channel, granted, at, source)


@dataclass(slots=True)
class OrderLineSpec:
    """One order line; prices and costs in the order's currency."""

    sku: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    unit_cost: Decimal
    discount: Decimal  # percent 0-100

    @property
    def revenue(self) -> Decimal:
        """Net line revenue after the line discount."""
        return self.quantity * self.unit_price * (1 - self.discount / 100)


@dataclass(slots=True)
class OrderSpec:
    """A sales order with its lines."""

    number: str
    customer: str
    ordered_at: datetime
    currency: str
    channel: str
    status: str
    lines: list[OrderLineSpec]

    @property
    def total(self) -> Decimal:
        """Order revenue rounded to cents."""
        return sum((line.revenue for line in self.lines), Decimal(0)).quantize(Decimal("0.01"))


@dataclass(slots=True)
class InvoiceSpec:
    """An invoice for one order."""

    number: str
    customer: str
    order: str
    issued_on: date
    due_on: date
    amount: Decimal
    currency: str


@dataclass(slots=True)
class PaymentSpec:
    """A payment received against an invoice."""

    number: str
    customer: str
    invoice: str
    received_on: date
    amount: Decimal
    currency: str
    method: str


@dataclass(slots=True)
class InteractionSpec:
    """A logged call, visit, e-mail, meeting or message."""

    customer: str
    user: str
    kind: str
    occurred_at: datetime
    subject: str
    notes: str
    contacts: list[str]


@dataclass(slots=True)
class CaseSpec:
    """A service case; ``order`` is set for returns and exchanges."""

    number: str
    customer: str
    contact: str | None
    kind: str
    priority: str
    status: str
    subject: str
    description: str
    opened_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    response_target_hours: int
    resolution_target_hours: int
    escalated: bool
    assigned_to: str
    order: str | None = None


@dataclass(slots=True)
class CareSpec:
    """A customer-care record (visit, greeting, gift, follow-up)."""

    customer: str
    user: str
    kind: str
    occurred_on: date
    notes: str


@dataclass(slots=True)
class SurveySpec:
    """A satisfaction answer: CSAT 1-5 and NPS 0-10."""

    customer: str
    contact: str | None
    case: str | None
    answered_at: datetime
    csat: int
    nps: int
    comment: str


@dataclass(slots=True)
class OpportunitySpec:
    """A sales opportunity with its stage history ``[(stage, at), ...]``."""

    name: str
    customer: str
    owner: str
    stage: str
    amount: Decimal
    probability: int
    expected_close: date
    history: list[tuple[str, datetime]]


@dataclass(slots=True)
class ContractSpec:
    """A supply contract; renewals are separate contracts pointing at the one they renew."""

    number: str
    customer: str
    start: date
    end: date
    value: Decimal
    currency: str
    auto_renew: bool
    status: str
    renews: str | None = None


@dataclass(slots=True)
class CampaignSpec:
    """A marketing campaign (members and attributed orders come with the activity)."""

    key: str
    name: str
    kind: str
    segment: str
    budget: Decimal
    cost: Decimal
    start: date
    end: date
    status: str
    owner: str


@dataclass(slots=True)
class CampaignMemberSpec:
    """A customer targeted by a campaign and whether it responded."""

    campaign: str
    customer: str
    contact: str | None
    responded: bool
    responded_at: datetime | None


@dataclass(slots=True)
class AccountPlanSpec:
    """A one-to-one plan for a top customer with goals and actions."""

    customer: str
    period: str
    customer_strategy: str
    our_objectives: str
    review_on: date
    goals: list[tuple[str, str]]  # (description, status)
    actions: list[tuple[str, str, date, str]]  # (description, owner, due, status)


@dataclass(slots=True)
class ArticleSpec:
    """A knowledge-base article or FAQ."""

    title: str
    category: str
    language: str
    kind: str
    body: str


@dataclass(slots=True)
class RateSpec:
    """Units of the base currency per unit of ``currency`` on ``rate_date``."""

    currency: str
    rate_date: date
    rate: Decimal


@dataclass(slots=True)
class OwnershipChangeSpec:
    """A past change of account owner (the history the CRM keeps)."""

    customer: str
    old_owner: str
    new_owner: str
    changed_by: str
    reason: str
    changed_at: datetime
