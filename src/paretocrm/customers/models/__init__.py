"""Models of the customers app, split by sub-domain and re-exported here."""

from paretocrm.customers.models.accounts import (
    AccountTeamMember,
    CountryNote,
    Customer,
    OwnershipChange,
    Tag,
)
from paretocrm.customers.models.contacts import Contact, ContactConsent, Interaction
from paretocrm.customers.models.plans import AccountPlan, AccountPlanAction, AccountPlanGoal
from paretocrm.customers.models.savedviews import SavedView

__all__ = [
    "AccountPlan",
    "AccountPlanAction",
    "AccountPlanGoal",
    "AccountTeamMember",
    "Contact",
    "ContactConsent",
    "CountryNote",
    "Customer",
    "Interaction",
    "OwnershipChange",
    "SavedView",
    "Tag",
]
