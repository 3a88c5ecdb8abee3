"""Orders and order lines, with revenue, cost and margin."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from paretocrm.core.bounds import validate_amount, validate_business_date, validate_quantity
from paretocrm.core.constraints import range_check
from paretocrm.core.models import VersionedModel
from paretocrm.core.money import currency_field, quantize_money, rate_field, unit_price_field
from paretocrm.sales.choices import OrderChannel, OrderStatus
from paretocrm.sales.models.catalog import Product
from paretocrm.sales.querysets import OrderLineQuerySet, OrderQuerySet

HUNDRED = Decimal(100)


class Order(VersionedModel):
    """A customer order; ``number`` is the external (ERP) id that imports upsert on.

    Amounts live on the lines; :meth:`revenue`, :meth:`cost` and :meth:`margin` sum them
    (use ``Order.objects.with_totals()`` for lists, one query).
    """

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    number = models.CharField(_("order number"), max_length=64)
    ordered_at = models.DateTimeField(_("ordered at"), validators=[validate_business_date])
    currency = currency_field()
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.CONFIRMED
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=OrderChannel.choices, default=OrderChannel.DIRECT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales rep"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    contract = models.ForeignKey(
        "sales.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ("-ordered_at", "number")
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = (
            models.Index(fields=("customer", "ordered_at"), name="sales_order_cust_date_idx"),
            models.Index(fields=("ordered_at",), name="sales_order_date_idx"),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("number",),
                name="sales_order_number_unique",
                violation_error_message=_("An order with this number already exists."),
            ),
        )

    def __str__(self) -> str:
        return self.number

    def revenue(self) -> Decimal:
        """Sum of the lines' net revenue (after discount), in the order currency."""
        return quantize_money(sum((line.revenue() for line in self.lines.all()), Decimal(0)))

    def cost(self) -> Decimal | None:
        """Sum of the lines' cost; ``None`` when any line's cost is unknown."""
        costs = [line.cost() for line in self.lines.all()]
        if any(c is None for c in costs):
            return None
        return quantize_money(sum((c for c in costs if c is not None), Decimal(0)))

    def margin(self) -> Decimal | None:
        """Revenue minus cost; ``None`` when the cost is unknown."""
        cost = self.cost()
        return None if cost is None else self.revenue() - cost


class OrderLine(models.Model):
    """One line of an order: quantity x unit price less a percentage discount.

    ``unit_cost`` is the cost of goods per unit at the time of sale (copied from the product
    so later cost changes do not rewrite history); NULL when unknown.
    """

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines"
    )
    line_number = models.PositiveIntegerField(_("line number"), default=1)
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=18, decimal_places=4, validators=[validate_quantity]
    )
    unit_price = unit_price_field(_("unit price"), validators=[validate_amount])
    unit_cost = unit_price_field(
        _("unit cost"), null=True, blank=True, validators=[validate_amount]
    )
    discount = rate_field(_("discount (%)"), default=0)

    objects = OrderLineQuerySet.as_manager()

    class Meta:
        ordering = ("order", "line_number", "id")
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        indexes = (models.Index(fields=("product",), name="sales_orderline_product_idx"),)
        constraints = (
            models.UniqueConstraint(
                fields=("order", "line_number"),
                name="sales_orderline_order_line_unique",
                violation_error_message=_("This order already has a line with this number."),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="sales_orderline_quantity_positive",
                violation_error_message=_("The quantity must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0),
                name="sales_orderline_unit_price_not_negative",
                violation_error_message=_("The unit price cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__isnull=True) | Q(unit_cost__gte=0),
                name="sales_orderline_unit_cost_not_negative",
                violation_error_message=_("The unit cost cannot be negative."),
            ),
            range_check(
                "discount",
                0,
                100,
                name="sales_orderline_discount_0_to_100",
                message=_("The discount must be between 0 and 100 percent."),
                nullable=False,
            ),
        )

    def __str__(self) -> str:
        return f"{self.order_id}#{self.line_number}"

    def revenue(self) -> Decimal:
        """quantity x unit price x (1 - discount/100), rounded to cents."""
        gross = Decimal(self.quantity) * Decimal(self.unit_price)
        return quantize_money(gross * (HUNDRED - Decimal(self.discount)) / HUNDRED)

    def cost(self) -> Decimal | None:
        """quantity x unit cost rounded to cents; ``None`` when the cost is unknown."""
        if self.unit_cost is None:
            return None
        return quantize_money(Decimal(self.quantity) * Decimal(self.unit_cost))

    def margin(self) -> Decimal | None:
        """Revenue minus cost; ``None`` when the cost is unknown."""
        cost = self.cost()
        return None if cost is None else self.revenue() - cost
