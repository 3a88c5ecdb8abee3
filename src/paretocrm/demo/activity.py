"""Deterministic activity of the demo customers: orders and everything that follows them.

Customers are processed in fixed blocks of :data:`BLOCK_SIZE`, each with its own random
stream, so a block's data depends only on the seed, the anchor date and the block number:
the loader can write block after block and never hold a 100,000-customer history in memory.

How the truth is planted (so the analysis has something real to find):
- purchase rate per month = base rate (grows with the customer's latent size) x trajectory
  multiplier x season (fruit peaks before Spring Festival and Mid-Autumn; industrial goods in
  spring and autumn);
- trajectory multipliers: ``growing`` 0.5 -> 2.0 over the history; ``declining`` 1.3 until
  18 months before the anchor, then down to 0.35; ``lost`` stops at ``last_day``; ``new``
  starts at ``first_day`` in the last 9 months;
- declining and lost customers complain more, rate us lower, pay later and leave more recent
  invoices unpaid (older ones have been collected: nothing is overdue for years).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import numpy as np

from paretocrm.demo.generator import HISTORY_DAYS, DemoCompany, rng_for
from paretocrm.demo.specs import (
    CampaignMemberSpec,
    CareSpec,
    CaseSpec,
    ContractSpec,
    CustomerSpec,
    InteractionSpec,
    InvoiceSpec,
    OpportunitySpec,
    OrderLineSpec,
    OrderSpec,
    PaymentSpec,
    ProductSpec,
    SurveySpec,
)

BLOCK_SIZE = 500
CENT = Decimal("0.01")
PRICE_STEP = Decimal("0.0001")
SEASON = {
    "fruit": (1.5, 1.3, 0.9, 0.9, 0.8, 0.7, 0.7, 0.9, 1.4, 1.3, 1.0, 1.2),
    "industrial": (0.8, 0.6, 1.2, 1.25, 1.2, 1.1, 1.0, 0.95, 1.15, 1.1, 1.15, 0.9),
}
SEASON["mixed"] = tuple(
    (a + b) / 2 for a, b in zip(SEASON["fruit"], SEASON["industrial"], strict=True)
)
# Priority -> (first-response, resolution hours) the simulated service team works to: the
# tier-less defaults shipped in service migration 0006. The cases written get their targets
# from the SLA policies in the database (demo.writers), not from this table.
SLA_HOURS = {"urgent": (2, 24), "high": (4, 48), "normal": (8, 72), "low": (24, 168)}
CASE_SUBJECTS = {
    "inquiry": "询问交期与规格",
    "complaint": "到货质量投诉",
    "return": "退货申请：批次不合格",
    "exchange": "换货：规格发错",
    "repair": "阀门泄漏维修",
}
INTERACTION_SUBJECTS = {
    "call": "电话回访",
    "visit": "上门拜访",
    "email": "报价与交期确认",
    "meeting": "季度业务会议",
    "message": "微信沟通订单进度",
}


@dataclass(slots=True)
class ActivityBlock:
    """The activity of one block of customers."""

    orders: list[OrderSpec] = field(default_factory=list)
    invoices: list[InvoiceSpec] = field(default_factory=list)
    payments: list[PaymentSpec] = field(default_factory=list)
    interactions: list[InteractionSpec] = field(default_factory=list)
    cases: list[CaseSpec] = field(default_factory=list)
    care: list[CareSpec] = field(default_factory=list)
    surveys: list[SurveySpec] = field(default_factory=list)
    opportunities: list[OpportunitySpec] = field(default_factory=list)
    contracts: list[ContractSpec] = field(default_factory=list)
    campaign_members: list[CampaignMemberSpec] = field(default_factory=list)
    attributions: list[tuple[str, str]] = field(default_factory=list)  # (campaign, order)


#: How long an invoice may stay overdue in the demo before it has been collected.
COLLECTION_WINDOW = timedelta(days=90)
#: A resolved case is closed a day later (the customer had time to object).
CLOSED_AFTER_RESOLVED = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class _Context:
    """What every block needs from the company, computed once."""

    company: DemoCompany
    months: np.ndarray  # (m, 3): start day, end day (exclusive), calendar month 1-12
    rate_scale: float
    products: dict[str, list[ProductSpec]]
    rates: dict[tuple[str, int], Decimal]  # (currency, month index) -> CNY per unit
    contacts: dict[str, list[str]]


def month_grid(start: date, days: int) -> np.ndarray:
    """Calendar months covering ``days`` days from ``start`` as day offsets."""
    rows = []
    cursor = start
    end = start + timedelta(days=days)
    while cursor < end:
        nxt = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        rows.append(((cursor - start).days, (min(nxt, end) - start).days, cursor.month))
        cursor = nxt
    return np.array(rows, dtype=np.int64)


def trajectory_multiplier(trajectory: str, day: np.ndarray) -> np.ndarray:
    """Purchase-rate multiplier over the history for one trajectory (see module docstring)."""
    u = day / HISTORY_DAYS
    if trajectory == "growing":
        return 0.5 + 1.5 * u**1.2
    if trajectory == "declining":
        knee = HISTORY_DAYS - 540
        fall = np.clip((day - knee) / 540, 0, 1)
        return 1.3 - 0.95 * fall
    return np.ones_like(u, dtype=float)


def expected_orders(customers: list[CustomerSpec], months: np.ndarray) -> np.ndarray:
    """Expected number of orders per customer and month, shape (customers, months)."""
    mid = (months[:, 0] + months[:, 1]) / 2
    lam = np.zeros((len(customers), len(months)))
    for i, c in enumerate(customers):
        base = np.clip(0.35 * c.size**0.5, 0.1, 8.0) / 30.4
        overlap = np.clip(
            np.minimum(months[:, 1], c.last_day + 1) - np.maximum(months[:, 0], c.first_day),
            0,
            None,
        )
        season = np.array(SEASON[c.line])[months[:, 2] - 1]
        lam[i] = base * overlap * season * trajectory_multiplier(c.trajectory, mid)
    return lam


def iter_activity(company: DemoCompany) -> Iterator[ActivityBlock]:
    """Yield the activity block by block (deterministic for the company's seed and anchor)."""
    ctx = _context(company)
    customers = company.customers
    for block, start in enumerate(range(0, len(customers), BLOCK_SIZE)):
        rng = rng_for(company.config.seed, "activity", block)
        yield _block(ctx, customers[start : start + BLOCK_SIZE], start, rng)


def _context(company: DemoCompany) -> _Context:
    config = company.config
    months = month_grid(config.history_start, HISTORY_DAYS)
    scale = 1.0
    if config.orders:
        total = sum(
            expected_orders(company.customers[s : s + BLOCK_SIZE], months).sum()
            for s in range(0, len(company.customers), BLOCK_SIZE)
        )
        scale = config.orders / max(total, 1e-9)
    products: dict[str, list[ProductSpec]] = defaultdict(list)
    for product in company.products:
        products[product.line].append(product)
    products["mixed"] = list(company.products)
    rates: dict[tuple[str, int], Decimal] = {}
    first = config.history_start.replace(day=1)
    for r in company.rates:
        rates[
            (r.currency, (r.rate_date.year - first.year) * 12 + r.rate_date.month - first.month)
        ] = r.rate
    contacts: dict[str, list[str]] = defaultdict(list)
    for contact in company.contacts:
        contacts[contact.customer].append(contact.key)
    return _Context(company, months, scale, dict(products), rates, dict(contacts))


def _block(
    ctx: _Context, customers: list[CustomerSpec], offset: int, rng: np.random.Generator
) -> ActivityBlock:
    lam = expected_orders(customers, ctx.months) * ctx.rate_scale
    counts = rng.poisson(lam)
    out = ActivityBlock()
    for i, customer in enumerate(customers):
        orders = _orders(ctx, customer, offset + i, counts[i], rng)
        out.orders.extend(orders)
        _billing(ctx, customer, offset + i, orders, rng, out)
        _engagement(ctx, customer, offset + i, orders, rng, out)
    _campaign_members(ctx, customers, out, rng)
    return out


def _moment(ctx: _Context, day: int, rng: np.random.Generator) -> datetime:
    """A working-hours moment (09:00-18:00 Beijing time = 01:00-10:00 UTC) on ``day``."""
    base = datetime.combine(ctx.company.config.history_start, time(1), tzinfo=UTC)
    return base + timedelta(days=int(day), minutes=int(rng.integers(0, 9 * 60)))


def _orders(
    ctx: _Context, c: CustomerSpec, index: int, counts: np.ndarray, rng: np.random.Generator
) -> list[OrderSpec]:
    days: list[int] = []
    for m in np.flatnonzero(counts):
        lo = max(int(ctx.months[m, 0]), c.first_day)
        hi = min(int(ctx.months[m, 1]), c.last_day + 1)
        days.extend(int(d) for d in rng.integers(lo, max(hi, lo + 1), size=counts[m]))
    if c.trajectory == "new" and not days:
        days = [c.first_day]  # a new customer has at least its first order
    days.sort()
    favourites = _favourites(ctx, c, rng)
    anchor_day = HISTORY_DAYS - 1
    orders = []
    for k, day in enumerate(days):
        value = 8000.0 * c.size**0.6 * float(rng.lognormal(-0.125, 0.5))
        month = int(np.searchsorted(ctx.months[:, 1], day, side="right"))
        status = "completed" if anchor_day - day > 10 else "confirmed"
        orders.append(
            OrderSpec(
                number=f"DEMO-SO{index + 1:06d}-{k + 1:04d}",
                customer=c.code,
                ordered_at=_moment(ctx, day, rng),
                currency=c.currency,
                channel=c.channel,
                status=status,
                lines=_lines(ctx, c, favourites, value, day, month, rng),
            )
        )
    return orders


def _favourites(ctx: _Context, c: CustomerSpec, rng: np.random.Generator) -> list[ProductSpec]:
    pool = ctx.products[c.line]
    k = int(rng.integers(min(3, len(pool)), min(7, len(pool)) + 1))
    return [pool[j] for j in rng.choice(len(pool), size=k, replace=False)]


def _lines(
    ctx: _Context,
    c: CustomerSpec,
    favourites: list[ProductSpec],
    value: float,
    day: int,
    month: int,
    rng: np.random.Generator,
) -> list[OrderLineSpec]:
    n = int(min(1 + rng.poisson(1.3), len(favourites)))
    picks = rng.choice(len(favourites), size=n, replace=False)
    shares = rng.dirichlet(np.ones(n))
    rate = ctx.rates.get((c.currency, min(month, len(ctx.months) - 1)), Decimal(1))
    inflation = 1 + 0.03 * day / 365  # list prices rise ~3% a year, costs ~2.5%
    lines = []
    for j, share in zip(picks, shares, strict=True):
        p = favourites[int(j)]
        price_cny = float(p.list_price) * (1 - c.discount) * inflation * rng.normal(1, 0.02)
        cost_cny = float(p.unit_cost) * (1 + 0.025 * day / 365) * rng.normal(1, 0.03)
        places = 1 if p.unit == "吨" else 0
        quantity = max(round(value * share / price_cny, places), 10.0**-places)
        discount = 0 if rng.random() < 0.8 else int(rng.choice([2, 3, 5, 8, 10]))
        lines.append(
            OrderLineSpec(
                sku=p.sku,
                description=p.name,
                quantity=Decimal(f"{quantity:.{places}f}"),
                unit_price=(Decimal(f"{price_cny:.6f}") / rate).quantize(PRICE_STEP),
                unit_cost=(Decimal(f"{cost_cny:.6f}") / rate).quantize(PRICE_STEP),
                discount=Decimal(discount),
            )
        )
    return lines


def _billing(
    ctx: _Context,
    c: CustomerSpec,
    index: int,
    orders: list[OrderSpec],
    rng: np.random.Generator,
    out: ActivityBlock,
) -> None:
    """One invoice per shipped order; payments on time, late, partial or (overdue) missing."""
    anchor = ctx.company.config.anchor
    last_order = orders[-1].ordered_at.date() if orders else anchor
    for k, order in enumerate(orders):
        issued = order.ordered_at.date() + timedelta(days=2)
        if issued > anchor:
            continue
        number = f"DEMO-INV{index + 1:06d}-{k + 1:04d}"
        due = issued + timedelta(days=c.payment_days)
        amount = order.total
        out.invoices.append(
            InvoiceSpec(number, c.code, order.number, issued, due, amount, c.currency)
        )
        unpaid = {"lost": 0.08, "declining": 0.12}.get(c.trajectory, 0.02)
        if c.trajectory == "lost" and (last_order - issued).days < 120:
            unpaid = 0.5  # a customer who walked away often leaves its last bills open
        # Bills due longer ago than the collection window have been chased and paid in full
        # (late if the customer was a bad payer): overdue debts are months old, not years.
        collected = (anchor - due) > COLLECTION_WINDOW
        late = rng.random() < unpaid
        if late and not collected:
            continue
        delay = int(rng.integers(30, 90)) if late else int(rng.normal(-3, 12))
        received = max(due + timedelta(days=delay), issued + timedelta(days=1))
        if received > anchor:
            continue  # not paid yet: open (and maybe overdue) at the anchor date
        partial = not collected and rng.random() < 0.06
        paid = (amount * Decimal("0.6")).quantize(CENT) if partial else amount
        method = "bank_transfer" if c.country == "CN" or rng.random() < 0.6 else "letter_of_credit"
        out.payments.append(
            PaymentSpec(
                f"DEMO-PAY{index + 1:06d}-{k + 1:04d}",
                c.code,
                number,
                received,
                paid,
                c.currency,
                method,
            )
        )


def _engagement(
    ctx: _Context,
    c: CustomerSpec,
    index: int,
    orders: list[OrderSpec],
    rng: np.random.Generator,
    out: ActivityBlock,
) -> None:
    _interactions(ctx, c, rng, out)
    _cases(ctx, c, index, orders, rng, out)
    _care(ctx, c, rng, out)
    _opportunities(ctx, c, rng, out)
    _contracts(ctx, c, index, rng, out)


def _active_day(c: CustomerSpec, rng: np.random.Generator, *, recent: bool = False) -> int:
    lo = max(c.first_day, HISTORY_DAYS - 540) if recent else c.first_day
    return int(rng.integers(min(lo, c.last_day), c.last_day + 1))


def _interactions(
    ctx: _Context, c: CustomerSpec, rng: np.random.Generator, out: ActivityBlock
) -> None:
    kinds = list(INTERACTION_SUBJECTS)
    contacts = ctx.contacts.get(c.code, [])
    n = int(rng.poisson(2 + 1.5 * np.log1p(c.size) * (c.last_day - c.first_day + 1) / 365))
    for _ in range(n):
        kind = str(rng.choice(kinds, p=[0.35, 0.15, 0.25, 0.1, 0.15]))
        chosen = [str(x) for x in rng.choice(contacts, size=min(len(contacts), 2), replace=False)]
        out.interactions.append(
            InteractionSpec(
                customer=c.code,
                user=c.owner if rng.random() < 0.8 else "service",
                kind=kind,
                occurred_at=_moment(ctx, _active_day(c, rng), rng),
                subject=INTERACTION_SUBJECTS[kind],
                notes="沟通顺利，客户关注交期与价格。"
                if rng.random() < 0.7
                else "客户提出降价要求。",
                contacts=chosen[: int(rng.integers(1, 3))],
            )
        )
    if c.trajectory == "lost":  # win-back attempts after the customer went quiet
        for _ in range(2):
            day = int(rng.integers(c.last_day, HISTORY_DAYS))
            out.interactions.append(
                InteractionSpec(
                    c.code,
                    c.owner,
                    "call",
                    _moment(ctx, day, rng),
                    "挽回电话",
                    "客户已转向其他供应商，暂无采购计划。",
                    contacts[:1],
                )
            )


def _cases(
    ctx: _Context,
    c: CustomerSpec,
    index: int,
    orders: list[OrderSpec],
    rng: np.random.Generator,
    out: ActivityBlock,
) -> None:
    bad = c.trajectory in {"declining", "lost"}
    n = int(rng.poisson(0.6 + 0.3 * np.log1p(c.size) + (2.0 if bad else 0.0)))
    kinds = ["inquiry", "complaint", "return", "exchange", "repair"]
    weights = [0.15, 0.45, 0.2, 0.1, 0.1] if bad else [0.4, 0.2, 0.15, 0.1, 0.15]
    anchor_day = HISTORY_DAYS - 1
    for k in range(n):
        kind = str(rng.choice(kinds, p=weights))
        if kind == "repair" and c.line == "fruit":
            kind = "complaint"
        priority = str(rng.choice(list(SLA_HOURS), p=[0.08, 0.22, 0.5, 0.2]))
        respond_h, resolve_h = SLA_HOURS[priority]
        day = _active_day(c, rng, recent=bad)
        opened = _moment(ctx, day, rng)
        first = opened + timedelta(hours=float(rng.exponential(0.6 * respond_h)))
        resolved: datetime | None = first + timedelta(hours=float(rng.exponential(0.7 * resolve_h)))
        open_now = anchor_day - day < 7 and rng.random() < 0.6
        status = "in_progress" if open_now else "closed"
        if open_now:
            resolved = None
        breached = (first - opened).total_seconds() > respond_h * 3600
        escalated = breached and kind == "complaint" and priority in {"urgent", "high"}
        # Nothing happens after the demo date: a case not closed by then is still open.
        end = _day_end(ctx)
        if resolved is not None and resolved + CLOSED_AFTER_RESOLVED > end:
            status, resolved = ("resolved", resolved) if resolved <= end else ("in_progress", None)
        first_response = first if first <= end else None
        if first_response is None:
            status = "new"
            escalated = escalated and opened + timedelta(hours=respond_h) <= end
        order = None
        if kind in {"return", "exchange"} and orders:
            earlier = [o.number for o in orders if o.ordered_at <= opened]
            order = earlier[-1] if earlier else None
        contacts = ctx.contacts.get(c.code, [])
        number = f"DEMO-CS{index + 1:06d}-{k + 1:03d}"
        out.cases.append(
            CaseSpec(
                number=number,
                customer=c.code,
                contact=contacts[-1] if contacts else None,
                kind=kind,
                priority=priority,
                status=status,
                subject=CASE_SUBJECTS[kind],
                description=f"{CASE_SUBJECTS[kind]}（{c.name}）",
                opened_at=opened,
                first_response_at=first_response,
                resolved_at=resolved,
                response_target_hours=respond_h,
                resolution_target_hours=resolve_h,
                escalated=escalated,
                assigned_to="service",
                order=order,
            )
        )
        if status == "closed" and resolved is not None and rng.random() < 0.5:
            out.surveys.append(_survey(c, contacts, number, resolved, end, rng))
    if rng.random() < 0.3:
        at = _moment(ctx, _active_day(c, rng, recent=True), rng)
        out.surveys.append(_survey(c, ctx.contacts.get(c.code, []), None, at, _day_end(ctx), rng))


def _day_end(ctx: _Context) -> datetime:
    """The end of the working day on the demo date (18:00 Beijing time): nothing is later."""
    return datetime.combine(ctx.company.config.anchor, time(10), tzinfo=UTC)


def _survey(
    c: CustomerSpec,
    contacts: list[str],
    case: str | None,
    at: datetime,
    latest: datetime,
    rng: np.random.Generator,
) -> SurveySpec:
    if c.trajectory in {"declining", "lost"}:
        csat = int(rng.choice([1, 2, 3, 4], p=[0.2, 0.3, 0.3, 0.2]))
    else:
        csat = int(rng.choice([3, 4, 5], p=[0.15, 0.45, 0.4]))
    nps = int(np.clip(round(2 * csat + rng.normal(0, 1)), 0, 10))
    comment = "交货及时，质量稳定。" if csat >= 4 else "响应太慢，质量问题反复出现。"
    return SurveySpec(
        c.code,
        contacts[0] if contacts else None,
        case,
        min(at + timedelta(hours=24), latest),  # answered a day later, never after the demo
        csat,
        nps,
        comment,
    )


def _care(ctx: _Context, c: CustomerSpec, rng: np.random.Generator, out: ActivityBlock) -> None:
    """Key accounts get festival greetings, mid-autumn gifts and visits each year."""
    if c.owner == "sales" and rng.random() > 0.1:
        return
    start = ctx.company.config.history_start
    for year in range(start.year, ctx.company.config.anchor.year + 1):
        for kind, when, note in (
            ("greeting", date(year, 1, 20), "春节问候"),
            ("gift", date(year, 9, 10), "中秋礼盒"),
            ("visit", date(year, 5, 15), "年度拜访"),
        ):
            day = (when - start).days
            if c.first_day <= day <= min(c.last_day + 90, HISTORY_DAYS - 1):
                out.care.append(CareSpec(c.code, c.owner, kind, when, note))
    if c.trajectory == "declining":
        day = int(rng.integers(HISTORY_DAYS - 120, HISTORY_DAYS))
        out.care.append(
            CareSpec(
                c.code, c.owner, "follow_up", start + timedelta(days=day), "针对投诉的跟进回访"
            )
        )


def _opportunities(
    ctx: _Context, c: CustomerSpec, rng: np.random.Generator, out: ActivityBlock
) -> None:
    if c.trajectory != "new" and rng.random() > 0.3:
        return
    path = ["prospecting", "qualification", "needs_analysis", "proposal", "negotiation"]
    anchor_moment = _moment(ctx, HISTORY_DAYS - 1, rng)
    for k in range(int(rng.integers(1, 3))):
        open_day = max(c.first_day - 60, 0) if c.trajectory == "new" else _active_day(c, rng)
        reached = int(rng.integers(1, len(path) + 1))
        outcome = rng.random()
        final = "won" if outcome < 0.45 else "lost" if outcome < 0.7 else None
        stages = path[:reached] + ([final] if final else [])
        history = []
        moment = _moment(ctx, open_day, rng)
        for stage in stages:
            history.append((stage, min(moment, anchor_moment)))
            moment += timedelta(days=int(rng.integers(5, 40)))
        amount = Decimal(int(8000 * c.size**0.6 * rng.uniform(2, 10))).quantize(CENT)
        probability = {"won": 100, "lost": 0}.get(stages[-1], 10 + 18 * (reached - 1))
        out.opportunities.append(
            OpportunitySpec(
                f"{c.name} – 机会 {k + 1}",
                c.code,
                c.owner,
                stages[-1],
                amount,
                probability,
                (moment + timedelta(days=30)).date(),
                history,
            )
        )


def _contracts(
    ctx: _Context, c: CustomerSpec, index: int, rng: np.random.Generator, out: ActivityBlock
) -> None:
    """Key accounts sign yearly supply contracts; a lost customer's last one is not renewed."""
    if c.owner == "sales":
        return
    start_date = ctx.company.config.history_start + timedelta(days=c.first_day)
    anchor = ctx.company.config.anchor
    annual = Decimal(int(12 * 0.35 * c.size**0.5 * 8000 * c.size**0.6)).quantize(CENT)
    previous = None
    for k in range(4):
        start = start_date + timedelta(days=365 * k)
        if start > anchor:
            break
        end = start + timedelta(days=364)
        ended_before_loss = (start - ctx.company.config.history_start).days > c.last_day
        if ended_before_loss:
            break
        status = "active" if start <= anchor <= end else "renewed"
        number = f"DEMO-CT{index + 1:06d}-{k + 1}"
        out.contracts.append(
            ContractSpec(
                number,
                c.code,
                start,
                end,
                annual,
                c.currency,
                auto_renew=c.trajectory in {"stable", "growing"},
                status=status,
                renews=previous,
            )
        )
        previous = number
    if out.contracts and out.contracts[-1].customer == c.code:
        last = out.contracts[-1]
        if last.end < anchor:
            last.status = "expired"


def _campaign_members(
    ctx: _Context, customers: list[CustomerSpec], out: ActivityBlock, rng: np.random.Generator
) -> None:
    """Target each campaign's segment; responders' orders in the window are attributed."""
    history_start = ctx.company.config.history_start
    by_customer: dict[str, list[OrderSpec]] = defaultdict(list)
    for order in out.orders:
        by_customer[order.customer].append(order)
    for campaign in ctx.company.campaigns:
        start_day = (campaign.start - history_start).days
        for c in customers:
            if not c.first_day <= start_day <= c.last_day or rng.random() > _targeting(
                c, campaign.segment
            ):
                continue
            responded = bool(rng.random() < 0.3)
            at = None
            if responded:
                span = max((campaign.end - campaign.start).days, 1)
                at = _moment(ctx, start_day + int(rng.integers(0, span)), rng)
            contacts = ctx.contacts.get(c.code, [])
            out.campaign_members.append(
                CampaignMemberSpec(
                    campaign.key, c.code, contacts[0] if contacts else None, responded, at
                )
            )
            if at is not None:
                until = datetime.combine(campaign.end + timedelta(days=30), time(), tzinfo=UTC)
                for order in by_customer[c.code]:
                    if at <= order.ordered_at <= until:
                        out.attributions.append((campaign.key, order.number))


def _targeting(c: CustomerSpec, segment: str) -> float:
    """Probability that a campaign aimed at ``segment`` includes customer ``c``."""
    if segment == "core":
        return 0.9 if c.owner == "kam" else 0.05
    if segment == "key":
        return 0.8 if c.owner != "sales" else 0.05
    if segment == "potential":
        return 0.6 if c.trajectory in {"new", "growing"} else 0.1
    return 0.35 if c.owner == "sales" else 0.1
