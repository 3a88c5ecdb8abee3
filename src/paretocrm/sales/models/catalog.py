"""Products, categories, price lists and customer-specific prices."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from paretocrm.core.bounds import validate_amount, validate_business_date, validate_quantity
from paretocrm.core.constraints import range_check
from paretocrm.core.models import CategoryTree, TimeStampedModel, VersionedModel
from paretocrm.core.money import currency_field, rate_field, unit_price_field
from paretocrm.sales.querysets import CustomerPriceQuerySet, ProductQuerySet


class ProductCategory(CategoryTree):
    """A product category (tree), used for sales and profit by category."""

    class Meta(CategoryTree.Meta):
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")


class Product(VersionedModel):
    """A product we sell; ``sku`` is the external id imports upsert on."""

    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
    )
    unit = models.CharField(_("unit"), max_length=20, default="pcs")
    unit_cost = unit_price_field(
        _("unit cost"), null=True, blank=True, validators=[validate_amount]
    )
    list_price = unit_price_field(
        _("list price"), null=True, blank=True, validators=[validate_amount]
    )
    currency = currency_field()
    active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ("sku",)
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = (
            models.UniqueConstraint(
                fields=("sku",),
                name="sales_product_sku_unique",
                violation_error_message=_("A product with this SKU already exists."),
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__isnull=True) | Q(unit_cost__gte=0),
                name="sales_product_unit_cost_not_negative",
                violation_error_message=_("The unit cost cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(list_price__isnull=True) | Q(list_price__gte=0),
                name="sales_product_list_price_not_negative",
                violation_error_message=_("The list price cannot be negative."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class PriceList(TimeStampedModel):
    """A named list of prices in one currency, valid for a period."""

    name = models.CharField(_("name"), max_length=100)
    currency = currency_field()
    valid_from = models.DateField(_("valid from"), validators=[validate_business_date])
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, validators=[validate_business_date]
    )
    is_default = models.BooleanField(_("default list"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ("name", "-valid_from")
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = (
            models.UniqueConstraint(
                fields=("name", "valid_from"),
                name="sales_pricelist_name_from_unique",
                violation_error_message=_("A price list with this name and start already exists."),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="sales_pricelist_validity_order",
                violation_error_message=_("A price list must end on or after its start."),
            ),
        )

    def __str__(self) -> str:
        return self.name


class PriceListItem(models.Model):
    """The price of one product in a price list, from a minimum quantity."""

    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="items"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="price_items"
    )
    unit_price = unit_price_field(_("unit price"), validators=[validate_amount])
    min_quantity = models.DecimalField(
        _("minimum quantity"),
        max_digits=18,
        decimal_places=4,
        default=1,
        validators=[validate_quantity],
    )

    class Meta:
        ordering = ("price_list", "product", "min_quantity")
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        constraints = (
            models.UniqueConstraint(
                fields=("price_list", "product", "min_quantity"),
                name="sales_pricelistitem_unique",
                violation_error_message=_("This product already has a price for this quantity."),
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0),
                name="sales_pricelistitem_price_not_negative",
                violation_error_message=_("A price cannot be negative."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.price_list_id}/{self.product_id}: {self.unit_price}"


class CustomerPrice(TimeStampedModel):
    """A customer-specific price or discount for a product, for a period."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="prices",
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="customer_prices",
    )
    unit_price = unit_price_field(
        _("unit price"), null=True, blank=True, validators=[validate_amount]
    )
    discount = rate_field(_("discount (%)"), null=True, blank=True)
    currency = currency_field()
    valid_from = models.DateField(_("valid from"), validators=[validate_business_date])
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, validators=[validate_business_date]
    )

    objects = CustomerPriceQuerySet.as_manager()

    class Meta:
        ordering = ("customer", "product", "-valid_from")
        verbose_name = _("customer price")
        verbose_name_plural = _("customer prices")
        constraints = (
            models.UniqueConstraint(
                fields=("customer", "product", "valid_from"),
                name="sales_customerprice_unique",
                violation_error_message=_("This customer already has a price from this date."),
            ),
            models.CheckConstraint(
                condition=Q(unit_price__isnull=False) | Q(discount__isnull=False),
                name="sales_customerprice_price_or_discount",
                violation_error_message=_("Give a unit price or a discount."),
            ),
            models.CheckConstraint(
                condition=Q(unit_price__isnull=True) | Q(unit_price__gte=0),
                name="sales_customerprice_price_not_negative",
                violation_error_message=_("A price cannot be negative."),
            ),
            range_check(
                "discount",
                0,
                100,
                name="sales_customerprice_discount_0_to_100",
                message=_("A discount must be between 0 and 100 percent."),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="sales_customerprice_validity_order",
                violation_error_message=_("A price must end on or after its start."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.product_id}"
