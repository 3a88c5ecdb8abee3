"""Deterministic generator of the demo company's structure: people, products, customers.

Same ``seed`` and ``anchor`` date give exactly the same company. The order history and
everything that hangs off it (invoices, payments, cases, ...) is drawn per block of customers
in :mod:`paretocrm.demo.activity`, so a 100,000-customer company never has to sit in memory.

Where the truth lives: every :class:`~paretocrm.demo.specs.CustomerSpec` carries its
``trajectory`` (growing / stable / declining / lost / new) and its latent ``size``; the
analysis is meant to rediscover both from the orders alone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
from faker import Faker
from scipy.special import ndtri

from paretocrm.demo import reference as ref
from paretocrm.demo.specs import (
    AccountPlanSpec,
    ArticleSpec,
    CampaignSpec,
    CategorySpec,
    ContactSpec,
    CountryNoteSpec,
    CustomerSpec,
    OwnershipChangeSpec,
    ProductSpec,
    RateSpec,
    TeamSpec,
    UserSpec,
)

HISTORY_DAYS = 3 * 365 + 1
# Share of customers per trajectory; every trajectory gets at least one customer.
TRAJECTORY_SHARES: tuple[tuple[str, float], ...] = (
    ("growing", 0.14),
    ("declining", 0.12),
    ("lost", 0.10),
    ("new", 0.08),
    ("stable", 0.56),
)
# Spread of the latent customer size (log-normal sigma); tuned so that the top 20% of
# customers hold about 80% of revenue (tests check the band).
SIZE_SIGMA = 1.55
PASSWORD_WORDS = (
    "Pomelo",
    "Harbor",
    "Lychee",
    "Valve",
    "Bearing",
    "Monsoon",
    "Granite",
    "Lantern",
    "Orchard",
    "Cobalt",
    "Juniper",
    "Saffron",
    "Typhoon",
    "Meridian",
    "Quarry",
    "Falcon",
)


@dataclass(frozen=True, slots=True)
class DemoConfig:
    """What to generate: ``customers`` accounts with three years of history up to ``anchor``.

    ``orders`` (optional) rescales purchase rates so the whole company has about that many
    orders (used by ``paretocrm seed`` for benchmark-sized databases).
    """

    seed: int = 42
    customers: int = 300
    anchor: date = field(default_factory=date.today)
    orders: int | None = None

    @property
    def history_start(self) -> date:
        """First day of the three-year order history."""
        return self.anchor - timedelta(days=HISTORY_DAYS - 1)


@dataclass(slots=True)
class DemoCompany:
    """Everything about the company except the per-customer activity."""

    config: DemoConfig
    teams: list[TeamSpec]
    users: list[UserSpec]
    country_notes: list[CountryNoteSpec]
    categories: list[CategorySpec]
    products: list[ProductSpec]
    customers: list[CustomerSpec]
    contacts: list[ContactSpec]
    rates: list[RateSpec]
    articles: list[ArticleSpec]
    campaigns: list[CampaignSpec]
    account_plans: list[AccountPlanSpec]
    ownership_changes: list[OwnershipChangeSpec]

    @property
    def passwords(self) -> dict[str, str]:
        """Username -> demo password (printed for the user)."""
        return {u.username: u.password for u in self.users}


def rng_for(seed: int, *stream: int | str) -> np.random.Generator:
    """An independent, reproducible random stream for one part of the generator.

    Streams are keyed by name so that adding a new part never shifts the numbers of another.
    """
    words = [int.from_bytes(hashlib.sha256(str(s).encode()).digest()[:4], "little") for s in stream]
    return np.random.default_rng([seed, *words])


def generate_company(config: DemoConfig) -> DemoCompany:
    """Draw the company's structure and customers for ``config``."""
    if config.customers < 1:
        raise ValueError(f"customers must be at least 1, got {config.customers}")
    users = _users(config.seed)
    customers = _customers(config)
    return DemoCompany(
        config=config,
        teams=[TeamSpec(key, name, parent) for key, name, parent in ref.TEAMS],
        users=users,
        country_notes=[
            CountryNoteSpec(c.code, c.culture, c.regulations, c.trade_term, c.currency)
            for c in ref.COUNTRIES
        ],
        categories=[CategorySpec(code, name) for code, name, _line, _m in ref.CATEGORIES],
        products=_products(config.seed),
        customers=customers,
        contacts=_contacts(config, customers),
        rates=_rates(config),
        articles=[ArticleSpec(t, c, lang, kind, body) for c, lang, kind, t, body in ref.ARTICLES],
        campaigns=_campaigns(config),
        account_plans=_account_plans(config, customers),
        ownership_changes=_ownership_changes(config, customers),
    )


def _users(seed: int) -> list[UserSpec]:
    rng = rng_for(seed, "users")
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    users = []
    for role, username, title, team in ref.ROLE_USERS:
        words = rng.choice(PASSWORD_WORDS, size=2, replace=False)
        password = f"{words[0]}-{words[1]}-{int(rng.integers(1000, 10000))}"
        users.append(
            UserSpec(
                username=username,
                role=role,
                team=team,
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                email=f"{username}@fengyuan-demo.example.com",
                title=title,
                password=password,
                manager=None if role in {"administrator", "general_manager"} else "gm",
                is_superuser=role == "administrator",
            )
        )
    # Inside the key-account department the specialist and assistant report to the manager.
    for user in users:
        if user.username in {"ka_specialist", "ka_assistant"}:
            user.manager = "kam"
    return users


def _products(seed: int) -> list[ProductSpec]:
    rng = rng_for(seed, "products")
    margins = {code: (line, rng_range) for code, _n, line, rng_range in ref.CATEGORIES}
    products = []
    for suffix, category, zh, en, unit, price in ref.PRODUCTS:
        line, (low, high) = margins[category]
        margin = float(rng.uniform(low, high))
        list_price = Decimal(str(price)).quantize(Decimal("0.01"))
        cost = (list_price * Decimal(str(1 - margin))).quantize(Decimal("0.0001"))
        products.append(
            ProductSpec(f"FY-{suffix}", f"{zh} {en}", category, unit, list_price, cost, line)
        )
    return products


def _trajectories(n: int, rng: np.random.Generator) -> list[str]:
    counts = {name: round(share * n) for name, share in TRAJECTORY_SHARES}
    if n >= len(TRAJECTORY_SHARES):
        for name in counts:
            counts[name] = max(counts[name], 1)
    labels = [name for name, count in counts.items() for _ in range(count)]
    labels = (labels + ["stable"] * n)[:n]
    return [labels[i] for i in rng.permutation(n)]


def _spans(trajectory: str, rng: np.random.Generator) -> tuple[int, int]:
    """First and last possible order day (days after the history start)."""
    last = HISTORY_DAYS - 1
    if trajectory == "new":
        return int(rng.integers(HISTORY_DAYS - 270, HISTORY_DAYS - 30)), last
    first = 0 if rng.random() < 0.75 else int(rng.integers(30, HISTORY_DAYS - 400))
    if trajectory == "lost":
        last = HISTORY_DAYS - 1 - int(rng.integers(183, 366))
    return first, last


def _customers(config: DemoConfig) -> list[CustomerSpec]:
    rng = rng_for(config.seed, "customers")
    n = config.customers
    # Stratified log-normal sizes (quantiles in random order): the heavy tail is the same
    # for every seed, so the Pareto share of revenue does not swing with sampling noise.
    sizes = np.exp(SIZE_SIGMA * ndtri((rng.permutation(n) + 0.5) / n))
    trajectories = _trajectories(n, rng)
    rank = np.empty(n, dtype=int)
    rank[np.argsort(-sizes, kind="stable")] = np.arange(n)
    fakers = _fakers(config.seed)
    country_weights = np.array([c.weight for c in ref.COUNTRIES])
    country_idx = rng.choice(len(ref.COUNTRIES), size=n, p=country_weights / country_weights.sum())
    industry_weights = np.array([w for _n, w, _l in ref.INDUSTRIES])
    industry_idx = rng.choice(
        len(ref.INDUSTRIES), size=n, p=industry_weights / industry_weights.sum()
    )
    region_weights = np.array([w for _n, w, _c in ref.REGIONS])
    customers = []
    for i in range(n):
        country = ref.COUNTRIES[country_idx[i]]
        industry, _w, line = ref.INDUSTRIES[industry_idx[i]]
        if country.code == "CN":
            r = int(rng.choice(len(ref.REGIONS), p=region_weights / region_weights.sum()))
            region, _rw, cities = ref.REGIONS[r]
            city = str(rng.choice(cities))
        else:
            region, city = "海外", fakers[country.locale].city()
        top_share = rank[i] / n
        first, last = _spans(trajectories[i], rng)
        customers.append(
            _customer(
                config,
                i,
                sizes[i],
                top_share,
                trajectories[i],
                country,
                industry,
                line,
                region,
                city,
                first,
                last,
                fakers,
                rng,
            )
        )
    _assign_parents(customers, rank, rng)
    _distinct_names(customers)
    return customers


def _distinct_names(customers: list[CustomerSpec]) -> None:
    """No two customers share a name (users could not tell them apart).

    A repeated Chinese name gets its city in front, as companies there are registered
    (杭州创亿网络有限公司); a name still taken (abroad the city is already in it) gets a number.
    """
    taken: set[str] = set()
    for c in customers:
        if c.name in taken and c.country == "CN" and not c.parent:
            c.name = f"{c.city}{c.name}"
        base, branch = c.name, 2
        while c.name in taken:
            c.name = f"{base} {branch}"
            branch += 1
        taken.add(c.name)


def _fakers(seed: int) -> dict[str, Faker]:
    fakers = {}
    for k, locale in enumerate(sorted({c.locale for c in ref.COUNTRIES})):
        fake = Faker(locale)
        fake.seed_instance(seed * 1000 + k)
        fakers[locale] = fake
    return fakers


def _customer(
    config: DemoConfig,
    i: int,
    size: float,
    top_share: float,
    trajectory: str,
    country: ref.CountryInfo,
    industry: str,
    line: str,
    region: str,
    city: str,
    first: int,
    last: int,
    fakers: dict[str, Faker],
    rng: np.random.Generator,
) -> CustomerSpec:
    """One customer; ``top_share`` is its rank by size as a fraction (0 = biggest)."""
    domestic = country.code == "CN"
    scale = (
        "enterprise"
        if top_share < 0.05
        else "large"
        if top_share < 0.2
        else "medium"
        if top_share < 0.5
        else "small"
        if top_share < 0.85
        else "micro"
    )
    if top_share < 0.08:
        owner, level = "kam", "strategic_partner"
        team = "ka_domestic" if domestic else "ka_export"
        account_team = [
            ("kam", "lead"),
            ("ka_specialist", "specialist"),
            ("ka_assistant", "assistant"),
            ("service", "service"),
        ]
    elif top_share < 0.2:
        owner, level = "ka_specialist", "partner"
        team = "ka_domestic" if domestic else "ka_export"
        account_team = [("ka_specialist", "lead"), ("ka_assistant", "assistant")]
    else:
        owner, level, team, account_team = "sales", "preferred_supplier", "sales", []
    bad = trajectory in {"declining", "lost"}
    ratings = ("AAA", "AA", "A", "BBB", "BB", "B", "C")
    weights = np.array([2, 4, 6, 5, 3, 2, 1] if bad else [4, 6, 6, 4, 2, 1, 0.5])
    rating = str(rng.choice(ratings, p=weights / weights.sum()))
    score = int(95 - 10 * ratings.index(rating) + rng.integers(-4, 5))
    name = fakers[country.locale].company()
    tags = [line, "export" if not domestic else "domestic"]
    if top_share < 0.2:
        tags.append("key-account")
    return CustomerSpec(
        code=f"{ref.CUSTOMER_CODE_PREFIX}{i + 1:06d}",
        name=name if domestic else f"{name} ({city})",
        industry=industry,
        region=region,
        city=city,
        country=country.code,
        currency=country.currency,
        scale=scale,
        scope=(
            "global"
            if (not domestic and top_share < 0.3)
            else "national"
            if top_share < 0.4
            else "regional"
        ),
        cooperation_level=level,
        credit_rating=rating,
        credit_score=max(10, min(100, score)),
        credit_limit=Decimal(int(20_000 * size**0.8 / 1000 + 1) * 1000),
        channel="distributor" if industry in {"食品分销", "进出口贸易"} else "direct",
        industry_influence=int(np.clip(round(1 + 4 * (1 - top_share) + rng.normal(0, 0.8)), 1, 5)),
        cooperation_intent=int(rng.integers(1, 6)) if bad else int(rng.integers(3, 6)),
        price_sensitivity=int(rng.integers(1, 6)),
        owner=owner,
        team=team,
        tags=tags,
        trajectory=trajectory,
        size=float(size),
        line=line,
        discount=float(min(0.15, 0.02 + 0.012 * np.log1p(size))),
        payment_days=int(rng.choice([30, 60, 90] if top_share < 0.3 else [30, 30, 60])),
        first_day=first,
        last_day=last,
        account_team=account_team,
    )


def _assign_parents(
    customers: list[CustomerSpec], rank: np.ndarray, rng: np.random.Generator
) -> None:
    """Make about 3% of customers subsidiaries of one of the ten biggest (group accounts)."""
    if len(customers) < 20:
        return
    biggest = [customers[i] for i in np.argsort(rank)[:10]]
    others = [c for c in customers if c not in biggest]
    children = [c for c in others if rng.random() < 0.03] or others[:1]  # at least one group
    for customer in children:
        parent = biggest[int(rng.integers(len(biggest)))]
        customer.parent = parent.code
        customer.name = f"{parent.name.split(' (')[0]} · {customer.city}"


def _contacts(config: DemoConfig, customers: list[CustomerSpec]) -> list[ContactSpec]:
    rng = rng_for(config.seed, "contacts")
    fakers = _fakers(config.seed + 1)
    locale = {c.code: c.locale for c in ref.COUNTRIES}
    start = datetime.combine(config.history_start, datetime.min.time(), tzinfo=UTC)
    contacts = []
    for customer in customers:
        fake = fakers[locale[customer.country]]
        zh = customer.country == "CN"
        count = int(rng.integers(2, 6))
        roles = ["decision_maker", *rng.choice(ref.CONTACT_ROLES[1:], size=count - 1)]
        for k in range(count):
            key = f"{customer.code}-P{k + 1}"
            title = (ref.CONTACT_TITLES_ZH if zh else ref.CONTACT_TITLES_EN)[min(k, 5)]
            consents = []
            for channel in ref.CONSENT_CHANNELS:
                if rng.random() < 0.7:
                    at = start + timedelta(days=int(rng.integers(0, 400)))
                    source = str(rng.choice(["contract", "trade fair", "web form", "phone"]))
                    consents.append((channel, bool(rng.random() < 0.85), at, source))
            contacts.append(
                ContactSpec(
                    customer=customer.code,
                    key=key,
                    name=fake.name(),
                    title=title,
                    buying_role=str(roles[k]),
                    influence=int(rng.integers(4, 6) if k == 0 else rng.integers(1, 5)),
                    relationship_strength=int(rng.integers(1, 6)),
                    phone=fake.phone_number(),
                    email=f"{key.lower()}@customer-demo.example.com",
                    consents=consents,
                )
            )
    return contacts


def _rates(config: DemoConfig) -> list[RateSpec]:
    """Monthly rates to CNY: a gentle random walk ending near today's level."""
    rng = rng_for(config.seed, "rates")
    first = config.history_start.replace(day=1)
    months = (config.anchor.year - first.year) * 12 + config.anchor.month - first.month + 1
    rates = []
    for country in ref.COUNTRIES:
        if country.currency == ref.BASE_CURRENCY:
            continue
        walk = np.cumsum(rng.normal(0, 0.012, size=months))[::-1]
        for m in range(months):
            year, month = divmod(first.month - 1 + m, 12)
            value = country.cny_rate * float(np.exp(walk[m] - walk[0]))
            rates.append(
                RateSpec(
                    country.currency, date(first.year + year, month + 1, 1), Decimal(f"{value:.8f}")
                )
            )
    return rates


def _campaigns(config: DemoConfig) -> list[CampaignSpec]:
    rng = rng_for(config.seed, "campaigns")
    campaigns = []
    for k, (name, kind, segment) in enumerate(ref.CAMPAIGNS):
        offset = int(HISTORY_DAYS * (k + 0.5) / (len(ref.CAMPAIGNS) + 0.5))
        start = config.history_start + timedelta(days=offset)
        end = start + timedelta(days=int(rng.integers(30, 75)))
        budget = Decimal(int(rng.integers(30, 200)) * 1000)
        done = end < config.anchor
        campaigns.append(
            CampaignSpec(
                key=f"DEMO-CMP{k + 1:02d}",
                name=name,
                kind=kind,
                segment=segment,
                budget=budget,
                cost=(budget * Decimal(str(round(rng.uniform(0.7, 1.1), 2)))).quantize(
                    Decimal("0.01")
                )
                if done
                else Decimal("0.00"),
                start=start,
                end=min(end, config.anchor + timedelta(days=60)),
                status="completed" if done else "active",
                owner="marketing",
            )
        )
    return campaigns


def _account_plans(config: DemoConfig, customers: list[CustomerSpec]) -> list[AccountPlanSpec]:
    biggest = sorted(customers, key=lambda c: -c.size)[: max(1, min(8, len(customers) // 10))]
    year = config.anchor.year
    plans = []
    for customer in biggest:
        at_risk = customer.trajectory in {"declining", "lost"}
        plans.append(
            AccountPlanSpec(
                customer=customer.code,
                period=str(year),
                customer_strategy=f"{customer.name} 计划扩大{customer.industry}业务并整合供应商。",
                our_objectives="成为其首选供应商，份额提升 10 个百分点；联合开发新品。",
                review_on=config.anchor + timedelta(days=90),
                goals=[
                    ("年度销售额增长 15%", "at_risk" if at_risk else "on_track"),
                    ("应收账款回款率 ≥ 95%", "on_track"),
                    ("季度高层拜访", "achieved"),
                ],
                actions=[
                    ("季度业务回顾会议", "kam", config.anchor + timedelta(days=30), "open"),
                    (
                        "提交新年度价格方案",
                        "ka_specialist",
                        config.anchor + timedelta(days=14),
                        "in_progress",
                    ),
                    ("安排工厂参观", "kam", config.anchor - timedelta(days=20), "done"),
                ],
            )
        )
    return plans


def _ownership_changes(
    config: DemoConfig, customers: list[CustomerSpec]
) -> list[OwnershipChangeSpec]:
    """Growing customers now looked after by key-account staff were once the sales rep's."""
    rng = rng_for(config.seed, "ownership")
    changes = []
    for customer in customers:
        if customer.trajectory == "growing" and customer.owner != "sales":
            days_ago = int(rng.integers(60, 500))
            at = datetime.combine(config.anchor, datetime.min.time(), tzinfo=UTC) - timedelta(
                days=days_ago
            )
            changes.append(
                OwnershipChangeSpec(
                    customer.code,
                    "sales",
                    customer.owner,
                    "gm",
                    "客户升级为大客户，移交大客户部",
                    at,
                )
            )
    key_accounts = [c for c in customers if c.owner != "sales"]
    if not changes and key_accounts:  # every company has at least one hand-over on record
        at = datetime.combine(config.anchor, datetime.min.time(), tzinfo=UTC) - timedelta(days=200)
        changes.append(
            OwnershipChangeSpec(
                key_accounts[0].code, "sales", key_accounts[0].owner, "gm", "大客户部接管", at
            )
        )
    return changes
