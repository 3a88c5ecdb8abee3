"""Sample data for the API tests: one maker and one create body per endpoint.

Every maker takes a user and returns a record inside that user's scope (for customer-owned
records: under a new customer the user owns).
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from paretocrm.customers.models import AccountPlan, AccountTeamMember, Customer, Interaction
from paretocrm.customers.tests.factories import (
    make_contact,
    make_customer,
    make_invoice,
    make_order,
    make_payment,
    make_user,
)
from paretocrm.insights.models import CustomerScore, ScoreRun
from paretocrm.knowledge.models import Article
from paretocrm.marketing.models import Campaign
from paretocrm.sales.models import Contract, Opportunity, PriceList, Product
from paretocrm.service.models import CareRecord, Case, SurveyResponse
from paretocrm.users.models import Team, User
from paretocrm.work.calllists import create_call_list
from paretocrm.work.models import CallList, Task

_seq = itertools.count(1)
TODAY = dt.date(2025, 6, 30)


def new_user(role: str, team: Team | None = None) -> User:
    """A user of ``role`` in ``team`` (a fresh team of their own by default)."""
    if team is None:
        team = Team.objects.create(name=f"Team {next(_seq)}")
    return make_user(role=role, team=team)


def own_customer(user: User) -> Customer:
    """A new customer owned by ``user``."""
    return make_customer(owner=user)


def make_interaction(user: User) -> Interaction:
    return Interaction.objects.create(customer=own_customer(user), kind="call", subject="Call")


def make_plan(user: User) -> AccountPlan:
    return AccountPlan.objects.create(
        customer=own_customer(user),
        title="2025 plan",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
    )


def make_product(_user: User) -> Product:
    return Product.objects.create(sku=f"SKU{next(_seq)}", name="Dried longan")


def make_price_list(_user: User) -> PriceList:
    return PriceList.objects.create(name=f"List {next(_seq)}", valid_from=TODAY)


def make_opportunity(user: User) -> Opportunity:
    return Opportunity.objects.create(customer=own_customer(user), name="Q3 tender")


def make_contract(user: User) -> Contract:
    return Contract.objects.create(
        customer=own_customer(user), number=f"CT{next(_seq)}", start_date=TODAY
    )


def make_case(user: User) -> Case:
    return Case.objects.create(
        number=f"CS{next(_seq)}", customer=own_customer(user), case_type="inquiry", subject="Q"
    )


def make_care(user: User) -> CareRecord:
    return CareRecord.objects.create(customer=own_customer(user), kind="visit")


def make_survey(user: User) -> SurveyResponse:
    return SurveyResponse.objects.create(customer=own_customer(user), kind="csat", score=4)


def make_campaign(_user: User) -> Campaign:
    return Campaign.objects.create(
        name=f"Spring {next(_seq)}", campaign_type="product", start_date=TODAY
    )


def make_article(_user: User) -> Article:
    return Article.objects.create(
        title=f"退货流程 {next(_seq)}", body="如何办理退货", status="published"
    )


def current_run() -> ScoreRun:
    """The current (latest successful) scoring run, created once."""
    run = ScoreRun.objects.current()
    if run is None:
        run = ScoreRun.objects.create(
            as_of=TODAY, status="succeeded", finished_at=timezone.now(), overview={"hhi": 0.1}
        )
    return run


def make_run(_user: User) -> ScoreRun:
    return current_run()


def make_score(user: User, customer: Customer | None = None, **fields: Any) -> CustomerScore:
    """A score in the current run for a customer of ``user``."""
    values: dict[str, Any] = {
        "tier": "core",
        "rating": 80.0,
        "rating_breakdown": {},
        "current_value": 70.0,
        "potential_value": 60.0,
        "clv": Decimal("1000.00"),
        "p_alive": 0.9,
        "expected_purchases": 2.0,
        "lifecycle_stage": "stable",
        "r_score": 5,
        "f_score": 4,
        "m_score": 5,
        "rfm_segment": "champions",
        "abc_class": "A",
        "profitability_class": "high",
        "revenue": Decimal("5000.00"),
        "gross_profit": Decimal("1500.00"),
        "net_profit": Decimal("900.00"),
        "churn_risk": 0.1,
        "value_at_risk": Decimal("100.00"),
    }
    values.update(fields)
    return CustomerScore.objects.create(
        run=current_run(), customer=customer or own_customer(user), **values
    )


def make_task(user: User) -> Task:
    return Task.objects.create(
        customer=own_customer(user), owner=user, kind="manual", reason="Call", due_on=TODAY
    )


def make_call_list(user: User) -> CallList:
    own_customer(user)
    return create_call_list(name=f"Calls {next(_seq)}", params={}, created_by=user)


def make_team(_user: User) -> Team:
    return Team.objects.create(name=f"Directory team {next(_seq)}")


def unique(prefix: str) -> str:
    """A unique code for create bodies."""
    return f"{prefix}{next(_seq):06d}"


MAKERS = {
    "customer": own_customer,
    "contact": lambda u: make_contact(own_customer(u), phone="13812345678", email="z@x.cn"),
    "interaction": make_interaction,
    "accountplan": make_plan,
    "product": make_product,
    "pricelist": make_price_list,
    "opportunity": make_opportunity,
    "contract": make_contract,
    "order": lambda u: make_order(own_customer(u)),
    "invoice": lambda u: make_invoice(own_customer(u), "100.00", TODAY, TODAY),
    "payment": lambda u: make_payment(own_customer(u), "50.00", TODAY),
    "case": make_case,
    "carerecord": make_care,
    "surveyresponse": make_survey,
    "campaign": make_campaign,
    "article": make_article,
    "scorerun": make_run,
    "customerscore": make_score,
    "user": lambda u: u,
    "team": make_team,
    "task": make_task,
    "call-list": make_call_list,
    "account-team-member": lambda u: AccountTeamMember.objects.create(
        customer=own_customer(u), user=u, role="sales"
    ),
}

PAYLOADS = {
    "customer": lambda u: {"code": unique("N"), "name": "新客户有限公司"},
    "contact": lambda u: {"customer": own_customer(u).pk, "name": "王经理"},
    "interaction": lambda u: {"customer": own_customer(u).pk, "kind": "call", "subject": "Hi"},
    # Plans are for core and key customers of the current analysis (work.plans).
    "accountplan": lambda u: {
        "customer": make_score(u).customer_id,
        "title": "Plan",
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
    },
    "product": lambda u: {"sku": unique("P"), "name": "Lychee"},
    "pricelist": lambda u: {"name": unique("PL"), "valid_from": "2025-01-01"},
    "opportunity": lambda u: {"customer": own_customer(u).pk, "name": "Tender"},
    "contract": lambda u: {
        "customer": own_customer(u).pk,
        "number": unique("CT"),
        "start_date": "2025-01-01",
    },
    "order": lambda u: {
        "customer": own_customer(u).pk,
        "number": unique("SO"),
        "ordered_at": "2025-06-01T08:00:00Z",
        "lines": [{"quantity": "2", "unit_price": "10.00", "unit_cost": "6.00"}],
    },
    "invoice": lambda u: {
        "customer": own_customer(u).pk,
        "number": unique("INV"),
        "issued_on": "2025-06-01",
        "due_on": "2025-07-01",
        "amount": "120.00",
    },
    "payment": lambda u: {
        "customer": own_customer(u).pk,
        "number": unique("PAY"),
        "received_on": "2025-06-02",
        "amount": "60.00",
    },
    "case": lambda u: {
        "customer": own_customer(u).pk,
        "number": unique("CS"),
        "case_type": "complaint",
        "subject": "Late delivery",
    },
    "carerecord": lambda u: {"customer": own_customer(u).pk, "kind": "visit"},
    "surveyresponse": lambda u: {"customer": own_customer(u).pk, "kind": "nps", "score": 9},
    "campaign": lambda u: {
        "name": unique("Campaign "),
        "campaign_type": "product",
        "start_date": "2025-03-01",
    },
    "article": lambda u: {"title": "FAQ", "body": "Answer"},
    "task": lambda u: {"customer": own_customer(u).pk, "reason": "Visit", "due_on": "2025-07-01"},
    "call-list": lambda u: {"name": "Renewals", "filter_params": {"tier": "core"}},
    "account-team-member": lambda u: {"customer": own_customer(u).pk, "user": u.pk},
}
