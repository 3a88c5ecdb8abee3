"""Write generated demo records into the database in bulk (no per-row queries).

Every function takes plain records from :mod:`paretocrm.demo.specs` plus a :class:`Keys`
map of natural keys to primary keys, and must run inside the caller's transaction
(:func:`paretocrm.demo.services.load_demo_company` owns it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import models

from paretocrm.core.bulk import fast_insert
from paretocrm.core.models import Currency, ExchangeRate
from paretocrm.customers.models.accounts import (
    AccountTeamMember,
    CountryNote,
    Customer,
    OwnershipChange,
    Tag,
)
from paretocrm.customers.models.contacts import Contact, ContactConsent, Interaction
from paretocrm.customers.models.plans import AccountPlan, AccountPlanAction, AccountPlanGoal
from paretocrm.demo.activity import CLOSED_AFTER_RESOLVED, ActivityBlock
from paretocrm.demo.generator import DemoCompany
from paretocrm.knowledge.models import Article, ArticleCategory
from paretocrm.marketing.models import Campaign, CampaignAttribution, CampaignMember
from paretocrm.sales.choices import InvoiceStatus
from paretocrm.sales.models.billing import Invoice, Payment
from paretocrm.sales.models.catalog import (
    CustomerPrice,
    PriceList,
    PriceListItem,
    Product,
    ProductCategory,
)
from paretocrm.sales.models.orders import Order, OrderLine
from paretocrm.sales.models.pipeline import Contract, Opportunity, OpportunityStageChange
from paretocrm.sales.services import status_from_ledger
from paretocrm.service.models import CareRecord, Case, SlaPolicy, SurveyResponse
from paretocrm.service.services import add_default_sla_policies, sla_policy_for
from paretocrm.users.models import Team, User

CURRENCY_NAMES = {
    "CNY": "人民币 Chinese yuan",
    "USD": "US dollar",
    "EUR": "Euro",
    "JPY": "Japanese yen",
    "SGD": "Singapore dollar",
    "AED": "UAE dirham",
    "GBP": "Pound sterling",
}


@dataclass(slots=True)
class Keys:
    """Natural key -> primary key for everything later records point at."""

    batch_size: int = 5000
    teams: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    products: dict[str, int] = field(default_factory=dict)
    customers: dict[str, int] = field(default_factory=dict)
    contacts: dict[str, int] = field(default_factory=dict)
    campaigns: dict[str, int] = field(default_factory=dict)
    campaign_starts: dict[str, datetime] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def bulk(self, model: type[models.Model], rows: Sequence[models.Model]) -> list[Any]:
        """Insert in batches (ids assigned), counting rows per model for the load report."""
        created = fast_insert(model, rows, batch_size=self.batch_size)
        self.counts[model._meta.label] += len(rows)
        return list(created)


def _at_ten(day: date) -> datetime:
    """10:00 Beijing time on ``day`` as an aware UTC moment."""
    return datetime.combine(day, time(2), tzinfo=UTC)


def write_company(company: DemoCompany, keys: Keys) -> None:
    """Teams, users, reference data, catalogue, customers, contacts, plans and campaigns."""
    _write_people(company, keys)
    _write_reference(company, keys)
    _write_catalogue(company, keys)
    _write_customers(company, keys)
    _write_contacts(company, keys)
    _write_plans(company, keys)
    _write_campaigns(company, keys)


def _write_people(company: DemoCompany, keys: Keys) -> None:
    for spec in company.teams:  # parents come first in the reference table
        team = Team.objects.create(
            name=spec.name, parent_id=keys.teams.get(spec.parent) if spec.parent else None
        )
        keys.teams[spec.key] = team.pk
    keys.counts[Team._meta.label] += len(company.teams)
    for spec in company.users:
        user = User(
            username=spec.username,
            role=spec.role,
            team_id=keys.teams[spec.team],
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=spec.email,
            title=spec.title,
            is_staff=spec.is_superuser,
            is_superuser=spec.is_superuser,
        )
        user.set_password(spec.password)
        user.save()
        keys.users[spec.username] = user.pk
    for spec in company.users:
        if spec.manager:
            User.objects.filter(pk=keys.users[spec.username]).update(
                manager_id=keys.users[spec.manager]
            )
    keys.counts[User._meta.label] += len(company.users)


def _write_reference(company: DemoCompany, keys: Keys) -> None:
    """Currencies, exchange rates and country notes; rows someone already has are kept."""
    known = set(Currency.objects.values_list("code", flat=True))
    keys.bulk(
        Currency,
        [Currency(code=c, name=name) for c, name in CURRENCY_NAMES.items() if c not in known],
    )
    existing = set(ExchangeRate.objects.values_list("currency", "rate_date"))
    keys.bulk(
        ExchangeRate,
        [
            ExchangeRate(currency=r.currency, rate_date=r.rate_date, rate=r.rate, source="demo")
            for r in company.rates
            if (r.currency, r.rate_date) not in existing
        ],
    )
    noted = set(CountryNote.objects.values_list("country", flat=True))
    keys.bulk(
        CountryNote,
        [
            CountryNote(
                country=n.country,
                culture=n.culture,
                regulations=n.regulations,
                trade_terms=n.trade_terms,
                currency=n.currency,
            )
            for n in company.country_notes
            if n.country not in noted
        ],
    )


def _write_catalogue(company: DemoCompany, keys: Keys) -> None:
    categories = {
        c.code: ProductCategory.objects.get_or_create(name=c.name)[0].pk for c in company.categories
    }
    products = keys.bulk(
        Product,
        [
            Product(
                sku=p.sku,
                name=p.name,
                category_id=categories[p.category],
                unit=p.unit,
                unit_cost=p.unit_cost,
                list_price=p.list_price,
                currency="CNY",
            )
            for p in company.products
        ],
    )
    keys.products = {p.sku: p.pk for p in products}
    start = company.config.history_start
    for year in range(start.year, company.config.anchor.year + 1):
        price_list = PriceList.objects.create(
            name=f"标准价目表 {year}",
            currency="CNY",
            valid_from=date(year, 1, 1),
            valid_to=date(year, 12, 31),
            is_default=year == company.config.anchor.year,
        )
        factor = Decimal(str(round(1 + 0.03 * (year - start.year), 4)))
        keys.bulk(
            PriceListItem,
            [
                PriceListItem(
                    price_list=price_list,
                    product_id=keys.products[p.sku],
                    unit_price=(p.list_price * factor).quantize(Decimal("0.0001")),
                )
                for p in company.products
            ],
        )
    keys.counts[PriceList._meta.label] += company.config.anchor.year - start.year + 1


def _write_customers(company: DemoCompany, keys: Keys) -> None:
    rows = [
        Customer(
            code=c.code,
            name=c.name,
            industry=c.industry,
            region=c.region,
            country=c.country,
            scale=c.scale,
            scope=c.scope,
            cooperation_level=c.cooperation_level,
            credit_rating=c.credit_rating,
            credit_score=c.credit_score,
            credit_limit=c.credit_limit,
            channel=c.channel,
            industry_influence=c.industry_influence,
            cooperation_intent=c.cooperation_intent,
            price_sensitivity=c.price_sensitivity,
            owner_id=keys.users[c.owner],
            team_id=keys.teams[c.team],
            currency=c.currency,
            address=c.city,
        )
        for c in company.customers
    ]
    keys.customers = {c.code: c.pk for c in keys.bulk(Customer, rows)}
    children = [
        Customer(pk=keys.customers[c.code], parent_id=keys.customers[c.parent])
        for c in company.customers
        if c.parent
    ]
    Customer.objects.bulk_update(children, ["parent"], batch_size=keys.batch_size)
    tag_names = sorted({t for c in company.customers for t in c.tags})
    existing = dict(Tag.objects.filter(name__in=tag_names).values_list("name", "pk"))
    new = keys.bulk(Tag, [Tag(name=n) for n in tag_names if n not in existing])
    existing.update({t.name: t.pk for t in new})
    through = Customer.tags.through
    keys.bulk(
        through,
        [
            through(customer_id=keys.customers[c.code], tag_id=existing[t])
            for c in company.customers
            for t in c.tags
        ],
    )
    keys.bulk(
        AccountTeamMember,
        [
            AccountTeamMember(customer_id=keys.customers[c.code], user_id=keys.users[u], role=role)
            for c in company.customers
            for u, role in c.account_team
        ],
    )
    _write_customer_prices(company, keys)
    keys.bulk(
        OwnershipChange,
        [
            OwnershipChange(
                customer_id=keys.customers[o.customer],
                old_owner_id=keys.users[o.old_owner],
                new_owner_id=keys.users[o.new_owner],
                changed_by_id=keys.users[o.changed_by],
                reason=o.reason,
                channel="transfer",
                changed_at=o.changed_at,
            )
            for o in company.ownership_changes
        ],
    )


def _write_customer_prices(company: DemoCompany, keys: Keys) -> None:
    """Key accounts have a negotiated discount on every product of their line."""
    start = company.config.history_start
    keys.bulk(
        CustomerPrice,
        [
            CustomerPrice(
                customer_id=keys.customers[c.code],
                product_id=keys.products[p.sku],
                discount=Decimal(f"{c.discount * 100:.2f}"),
                currency="CNY",
                valid_from=start,
            )
            for c in company.customers
            if c.owner != "sales"
            for p in company.products
            if c.line in {"mixed", p.line}
        ],
    )


def _write_contacts(company: DemoCompany, keys: Keys) -> None:
    rows = [
        Contact(
            customer_id=keys.customers[p.customer],
            external_id=p.key,
            name=p.name,
            title=p.title,
            buying_role=p.buying_role,
            influence=p.influence,
            relationship_strength=p.relationship_strength,
            phone=p.phone,
            email=p.email,
        )
        for p in company.contacts
    ]
    keys.contacts = {c.external_id: c.pk for c in keys.bulk(Contact, rows)}
    keys.bulk(
        ContactConsent,
        [
            ContactConsent(
                contact_id=keys.contacts[p.key],
                channel=channel,
                granted=granted,
                recorded_at=at,
                source=source,
            )
            for p in company.contacts
            for channel, granted, at, source in p.consents
        ],
    )


def _write_plans(company: DemoCompany, keys: Keys) -> None:
    for spec in company.account_plans:
        year = int(spec.period)
        plan = AccountPlan.objects.create(
            customer_id=keys.customers[spec.customer],
            title=f"{spec.period} 年度客户计划",
            period_start=date(year, 1, 1),
            period_end=date(year, 12, 31),
            customer_strategy=spec.customer_strategy,
            our_objectives=spec.our_objectives,
            status="active",
            review_date=spec.review_on,
            owner_id=keys.users["kam"],
        )
        keys.bulk(
            AccountPlanGoal,
            [AccountPlanGoal(plan=plan, description=d, status=s) for d, s in spec.goals],
        )
        keys.bulk(
            AccountPlanAction,
            [
                AccountPlanAction(
                    plan=plan,
                    description=d,
                    owner_id=keys.users[owner],
                    due_date=due,
                    status=status,
                    completed_at=_at_ten(due) if status == "done" else None,
                )
                for d, owner, due, status in spec.actions
            ],
        )
    keys.counts[AccountPlan._meta.label] += len(company.account_plans)


def _write_campaigns(company: DemoCompany, keys: Keys) -> None:
    for spec in company.campaigns:
        campaign = Campaign.objects.create(
            name=spec.name,
            campaign_type=spec.kind,
            target_segment=spec.segment,
            target_tier=spec.segment,
            budget=spec.budget,
            cost=spec.cost,
            currency="CNY",
            start_date=spec.start,
            end_date=spec.end,
            status=spec.status,
            owner_id=keys.users[spec.owner],
        )
        keys.campaigns[spec.key] = campaign.pk
        keys.campaign_starts[spec.key] = _at_ten(spec.start)
    keys.counts[Campaign._meta.label] += len(company.campaigns)
    author = keys.users["service"]
    categories = {
        name: ArticleCategory.objects.get_or_create(name=name)[0].pk
        for name in sorted({a.category for a in company.articles})
    }
    published = _at_ten(company.config.history_start)
    keys.bulk(
        Article,
        [
            Article(
                title=a.title,
                category_id=categories[a.category],
                language=a.language,
                kind=a.kind,
                body=a.body,
                public=a.kind == "faq",
                status="published",
                author_id=author,
                published_at=published,
            )
            for a in company.articles
        ],
    )


def write_block(block: ActivityBlock, keys: Keys) -> None:
    """All activity of one block of customers."""
    orders = _write_orders(block, keys)
    _write_billing(block, keys, orders)
    _write_interactions(block, keys)
    _write_service(block, keys, orders)
    _write_pipeline(block, keys)
    _write_marketing(block, keys, orders)


def _write_orders(block: ActivityBlock, keys: Keys) -> dict[str, int]:
    created = keys.bulk(
        Order,
        [
            Order(
                customer_id=keys.customers[o.customer],
                number=o.number,
                ordered_at=o.ordered_at,
                currency=o.currency,
                status=o.status,
                channel=o.channel,
            )
            for o in block.orders
        ],
    )
    order_ids = {o.number: o.pk for o in created}
    keys.bulk(
        OrderLine,
        [
            OrderLine(
                order_id=order_ids[o.number],
                line_number=n,
                product_id=keys.products[line.sku],
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                unit_cost=line.unit_cost,
                discount=line.discount,
            )
            for o in block.orders
            for n, line in enumerate(o.lines, start=1)
        ],
    )
    return order_ids


def _write_billing(block: ActivityBlock, keys: Keys, orders: dict[str, int]) -> None:
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for p in block.payments:
        paid[p.invoice] += p.amount
    # Written in bulk, past record_payment: hold its rule here (DUR-2), never over-allocate.
    amounts = {i.number: i.amount for i in block.invoices}
    over = sorted(number for number, total in paid.items() if total > amounts[number])
    if over:
        raise ValueError(f"demo payments exceed their invoices: {', '.join(over[:5])}")
    created = keys.bulk(
        Invoice,
        [
            Invoice(
                customer_id=keys.customers[i.customer],
                order_id=orders[i.order],
                number=i.number,
                issued_on=i.issued_on,
                due_on=i.due_on,
                amount=i.amount,
                currency=i.currency,
                status=status_from_ledger(InvoiceStatus.ISSUED, i.amount - paid[i.number]),
            )
            for i in block.invoices
        ],
    )
    invoice_ids = {i.number: i.pk for i in created}
    keys.bulk(
        Payment,
        [
            Payment(
                customer_id=keys.customers[p.customer],
                invoice_id=invoice_ids[p.invoice],
                number=p.number,
                received_on=p.received_on,
                amount=p.amount,
                currency=p.currency,
                method=p.method,
            )
            for p in block.payments
        ],
    )


def _write_interactions(block: ActivityBlock, keys: Keys) -> None:
    created = keys.bulk(
        Interaction,
        [
            Interaction(
                customer_id=keys.customers[i.customer],
                user_id=keys.users[i.user],
                kind=i.kind,
                occurred_at=i.occurred_at,
                subject=i.subject,
                notes=i.notes,
            )
            for i in block.interactions
        ],
    )
    through = Interaction.contacts.through
    keys.bulk(
        through,
        [
            through(interaction_id=row.pk, contact_id=keys.contacts[key])
            for row, spec in zip(created, block.interactions, strict=True)
            for key in spec.contacts
        ],
    )


def _sla_targets(priority: str) -> tuple[int | None, int | None]:
    """The targets a case of ``priority`` gets from the SLA policies, as a case opened in the
    app does (the demo's customers have no tier before the first analysis run)."""
    policy = sla_policy_for(priority)
    return (policy.first_response_hours, policy.resolution_hours) if policy else (None, None)


def _write_service(block: ActivityBlock, keys: Keys, orders: dict[str, int]) -> None:
    escalate_to = keys.users["kam"]
    if not SlaPolicy.objects.filter(active=True).exists():
        add_default_sla_policies()  # a database emptied since migrate: what it shipped with
    targets = {p: _sla_targets(p) for p in {c.priority for c in block.cases}}
    created = keys.bulk(
        Case,
        [
            Case(
                number=c.number,
                customer_id=keys.customers[c.customer],
                contact_id=keys.contacts[c.contact] if c.contact else None,
                case_type=c.kind,
                priority=c.priority,
                status=c.status,
                subject=c.subject,
                description=c.description,
                order_id=orders.get(c.order) if c.order else None,
                assigned_to_id=keys.users[c.assigned_to],
                opened_at=c.opened_at,
                sla_first_response_hours=targets[c.priority][0],
                sla_resolution_hours=targets[c.priority][1],
                first_response_at=c.first_response_at,
                resolved_at=c.resolved_at,
                closed_at=(
                    c.resolved_at + CLOSED_AFTER_RESOLVED
                    if c.resolved_at and c.status == "closed"
                    else None
                ),
                escalated=c.escalated,
                escalated_at=(
                    c.opened_at + timedelta(hours=c.response_target_hours) if c.escalated else None
                ),
                escalated_to_id=escalate_to if c.escalated else None,
            )
            for c in block.cases
        ],
    )
    case_ids = {c.number: c.pk for c in created}
    keys.bulk(
        CareRecord,
        [
            CareRecord(
                customer_id=keys.customers[c.customer],
                kind=c.kind,
                occurred_at=_at_ten(c.occurred_on),
                user_id=keys.users[c.user],
                notes=c.notes,
                currency="CNY",
            )
            for c in block.care
        ],
    )
    keys.bulk(SurveyResponse, list(_survey_rows(block, keys, case_ids)))


def _survey_rows(
    block: ActivityBlock, keys: Keys, case_ids: dict[str, int]
) -> Iterable[SurveyResponse]:
    for s in block.surveys:
        for kind, score in (("csat", s.csat), ("nps", s.nps)):
            yield SurveyResponse(
                customer_id=keys.customers[s.customer],
                contact_id=keys.contacts[s.contact] if s.contact else None,
                case_id=case_ids[s.case] if s.case else None,
                kind=kind,
                score=score,
                answered_at=s.answered_at,
                comment=s.comment,
            )


def _write_pipeline(block: ActivityBlock, keys: Keys) -> None:
    created = keys.bulk(
        Opportunity,
        [
            Opportunity(
                customer_id=keys.customers[o.customer],
                name=o.name,
                stage=o.stage,
                amount=o.amount,
                probability=Decimal(o.probability),
                expected_close=o.expected_close,
                closed_on=o.history[-1][1].date() if o.stage in {"won", "lost"} else None,
                owner_id=keys.users[o.owner],
                lost_reason="价格高于竞争对手" if o.stage == "lost" else "",
            )
            for o in block.opportunities
        ],
    )
    keys.bulk(
        OpportunityStageChange,
        [
            OpportunityStageChange(
                opportunity_id=row.pk,
                from_stage=spec.history[n - 1][0] if n else "",
                to_stage=stage,
                changed_by_id=keys.users[spec.owner],
                changed_at=at,
            )
            for row, spec in zip(created, block.opportunities, strict=True)
            for n, (stage, at) in enumerate(spec.history)
        ],
    )
    contracts = keys.bulk(
        Contract,
        [
            Contract(
                customer_id=keys.customers[c.customer],
                number=c.number,
                title="年度供货合同",
                start_date=c.start,
                end_date=c.end,
                value=c.value,
                currency=c.currency,
                renewal_type="automatic" if c.auto_renew else "manual",
                status=c.status,
            )
            for c in block.contracts
        ],
    )
    contract_ids = {c.number: c.pk for c in contracts}
    renewals = [
        Contract(pk=contract_ids[c.number], renewed_from_id=contract_ids[c.renews])
        for c in block.contracts
        if c.renews
    ]
    Contract.objects.bulk_update(renewals, ["renewed_from"], batch_size=keys.batch_size)


def _write_marketing(block: ActivityBlock, keys: Keys, orders: dict[str, int]) -> None:
    customer_of = {o.number: o.customer for o in block.orders}
    buyers = {(campaign, customer_of[number]) for campaign, number in block.attributions}
    keys.bulk(
        CampaignMember,
        [
            CampaignMember(
                campaign_id=keys.campaigns[m.campaign],
                customer_id=keys.customers[m.customer],
                contact_id=keys.contacts[m.contact] if m.contact else None,
                responded=m.responded,
                response_type=(
                    ("purchased" if (m.campaign, m.customer) in buyers else "replied")
                    if m.responded
                    else ""
                ),
                responded_at=m.responded_at,
                added_at=keys.campaign_starts[m.campaign],
            )
            for m in block.campaign_members
        ],
    )
    keys.bulk(
        CampaignAttribution,
        [
            CampaignAttribution(campaign_id=keys.campaigns[c], order_id=orders[o])
            for c, o in block.attributions
        ],
    )
