"""Forms of the work pages: account plans, their goals and actions."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib.auth import get_user_model

from paretocrm.customers.models import AccountPlan, AccountPlanAction, AccountPlanGoal


def _assignees(customer_id: int | None) -> Any:
    """Active staff who may see the plan's customer (never a portal login)."""
    users = get_user_model().objects
    if customer_id is None:
        return users.none()
    return users.assignable_for(customer_id).order_by("username")


class AccountPlanForm(forms.ModelForm):
    """Create or edit an account plan; ``version`` travels hidden to detect lost updates."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = AccountPlan
        fields = (
            "title",
            "status",
            "period_start",
            "period_end",
            "review_date",
            "owner",
            "customer_strategy",
            "customer_goals",
            "our_objectives",
        )
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "period_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "period_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "review_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "customer_strategy": forms.Textarea(attrs={"rows": 3}),
            "customer_goals": forms.Textarea(attrs={"rows": 3}),
            "our_objectives": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, customer: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        customer_id = customer.pk if customer is not None else self.instance.customer_id
        self.fields["owner"].queryset = _assignees(customer_id)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version


class GoalForm(forms.ModelForm):
    """A goal added on the plan page."""

    class Meta:
        model = AccountPlanGoal
        fields = ("description", "metric", "target_value", "due_date", "status")
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class ActionForm(forms.ModelForm):
    """An action added on the plan page: owner and due date are required."""

    class Meta:
        model = AccountPlanAction
        fields = ("description", "goal", "owner", "due_date")
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, plan: AccountPlan | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _assignees(plan.customer_id if plan else None)
        self.fields["owner"].required = True
        self.fields["due_date"].required = True
        goals = (
            AccountPlanGoal.objects.filter(plan=plan) if plan else AccountPlanGoal.objects.none()
        )
        self.fields["goal"].queryset = goals
