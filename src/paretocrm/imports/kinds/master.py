"""Master data kinds: customers, contacts, products (small files, ORM upsert)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import pandas as pd
from django.contrib.auth import get_user_model
from django.db import IntegrityError

from paretocrm.core.iso import COUNTRY_CODES, CURRENCY_CODES, currency_code
from paretocrm.customers.choices import (
    BuyingRole,
    CooperationLevel,
    CreditRating,
    CustomerScale,
    CustomerScope,
    SalesChannel,
)
from paretocrm.customers.masking import CONTACT_MASKS
from paretocrm.customers.models import Contact, Customer
from paretocrm.imports import validation as check
from paretocrm.imports.kinds.base import (
    ImportKind,
    ProgressCallback,
    WriteCounts,
    choice_map,
    column,
    existing_keys,
    key_to_id,
    lookup,
    upsert,
)
from paretocrm.sales.models import Product, ProductCategory

#: Every masked personal value holds this run of stars (core.masking).
MASK_MARK = "***"

BOOLEANS = {
    "1": "1", "true": "1", "yes": "1", "y": "1", "是": "1", "有效": "1",
    "0": "0", "false": "0", "no": "0", "n": "0", "否": "0", "无效": "0",
}  # fmt: skip


def code_check(
    values: pd.Series, name: str, report: check.Report, codes: frozenset[str], what: str
) -> pd.Series:
    """Upper-case ISO codes; unknown ones reported."""
    upper = values.astype(str).str.strip().str.upper()
    bad = (upper != "") & ~upper.isin(list(codes))
    if bool(bad.any()):
        per_row = {"value": upper[bad].map(repr)}
        check.flag_code(report, bad, name, "not_iso_code", {"standard": what}, per_row)
    return upper.where(~bad, "")


def currency_check(values: pd.Series, name: str, report: check.Report) -> pd.Series:
    """ISO 4217 codes, with the usual ways of writing them (RMB, 人民币, US$) accepted."""
    return code_check(values.astype(str).map(currency_code), name, report, CURRENCY_CODES, "4217")


def decimal_or_none(text: str) -> Decimal | None:
    """Canonical decimal text (from ``validation.decimal``) to a Decimal or None."""
    return Decimal(text) if text else None


def records(rows: pd.DataFrame, present: set[str]) -> list[dict[str, Any]]:
    """Row dicts restricted to the columns the file actually had."""
    keep = [c for c in rows.columns if c in present]
    return rows[keep].to_dict("records")


class CustomerKind(ImportKind):
    """Customers (accounts), matched on their code (the ERP customer number)."""

    name = "customers"
    model = Customer
    key_column = "code"
    key_label = "customer code"
    out_of_scope_code = "customer_out_of_scope"
    columns: ClassVar[dict[str, tuple[str, ...]]] = {
        "code": ("customer_code", "客户编号", "客户代码", "客户编码"),
        "name": ("customer_name", "客户名称", "名称", "公司名称"),
        "industry": ("行业",),
        "region": ("区域", "地区"),
        "country": ("country_code", "国家", "国家代码"),
        "scale": ("规模",),
        "scope": ("范围", "经营范围"),
        "cooperation_level": ("cooperation", "合作层次", "合作级别"),
        "credit_rating": ("信用等级", "商誉"),
        "credit_limit": ("信用额度",),
        "channel": ("渠道",),
        "currency": ("币种", "货币"),
        "parent_code": ("parent", "上级客户", "母公司编号"),
        "owner": ("owner_username", "负责人", "客户经理"),
        "website": ("网站",),
        "address": ("地址",),
        "notes": ("备注",),
    }
    required = frozenset({"code", "name"})

    def prepare(self, frame: pd.DataFrame, report: check.Report) -> pd.DataFrame:
        """Validate customer rows; parent codes may point at the file or the database."""
        out = pd.DataFrame(index=frame.index)
        out["code"] = check.text(
            column(frame, "code"), "code", report, required=True, max_length=64
        )
        check.unique(out["code"], "code", report, what="customer code")
        out["name"] = check.text(
            column(frame, "name"), "name", report, required=True, max_length=200
        )
        for name in ("industry", "region"):
            out[name] = check.text(column(frame, name), name, report, max_length=100)
        out["country"] = code_check(
            column(frame, "country"), "country", report, COUNTRY_CODES, "3166"
        )
        out["scale"] = check.choice(
            column(frame, "scale"), "scale", report,
            choice_map(CustomerScale, {"微型": "micro", "小型": "small", "中型": "medium",
                                       "大型": "large", "特大型": "enterprise"}),
        )  # fmt: skip
        out["scope"] = check.choice(
            column(frame, "scope"), "scope", report,
            choice_map(CustomerScope, {"全球性": "global", "全国性": "national",
                                       "地区性": "regional"}),
        )  # fmt: skip
        out["cooperation_level"] = check.choice(
            column(frame, "cooperation_level"), "cooperation_level", report,
            choice_map(CooperationLevel, {"优先供应商": "preferred_supplier", "合作伙伴": "partner",
                                          "战略合作伙伴": "strategic_partner"}),
        )  # fmt: skip
        out["credit_rating"] = check.choice(
            column(frame, "credit_rating"), "credit_rating", report, choice_map(CreditRating)
        )
        limit = check.decimal(column(frame, "credit_limit"), "credit_limit", report, min_value=0)
        out["credit_limit"] = limit.map(decimal_or_none)
        out["channel"] = check.choice(
            column(frame, "channel"), "channel", report,
            choice_map(SalesChannel, {"直销": "direct", "经销商": "distributor",
                                      "分销": "distributor"}),
            default="direct",
        )  # fmt: skip
        currency = currency_check(column(frame, "currency"), "currency", report)
        out["currency"] = currency.where(
            currency != "", Customer._meta.get_field("currency").get_default()
        )
        for name, length in (("website", 200), ("address", None), ("notes", None)):
            out[name] = check.text(column(frame, name), name, report, max_length=length)
        parent = check.text(column(frame, "parent_code"), "parent_code", report)
        check.reference(parent, "parent_code", report, self._parents(out["code"], parent),
                        what="parent customer code")  # fmt: skip
        own = (parent != "") & (parent == out["code"])
        if bool(own.any()):
            report.add_rows_coded(parent.index[own.to_numpy()], "parent_code", "own_parent")
        out["parent_code"] = parent
        out["owner_id"] = self._owners(column(frame, "owner"), report)
        self.present = {c for c in out.columns if c in set(frame.columns) or c in self.required}
        self.present |= {"owner_id"} if "owner" in frame.columns else set()
        self.present |= {"currency"} if "currency" in frame.columns else set()
        return out

    def _parents(self, codes: pd.Series, parents: pd.Series) -> set[str]:
        """Codes a parent may name: customers in the importer's scope, and those the file
        creates. An existing customer outside the scope is unknown, with the message of a
        code that does not exist (the API refuses the same parent; no existence leak).
        """
        in_file = set(codes) - self.hidden_keys(Customer, "code", codes)
        return in_file | existing_keys(self.scoped(Customer), "code", parents)

    def _owners(self, values: pd.Series, report: check.Report) -> pd.Series:
        """Owners are active members of staff: a portal login or a deactivated user is an
        unknown user name. Whom the importer may assign is ``permissions._check_owner``."""
        names = values.astype(str).str.strip()
        staff = get_user_model()._default_manager.staff().filter(is_active=True)
        ids = key_to_id(staff, "username", names)
        check.reference(names, "owner", report, ids.keys(), what="user name")
        return lookup(names, ids)

    def _owned(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows without an owner: a new customer is the importer's, an existing one keeps its.

        Without this a non-administrator's new customers would have no owner and fall out
        of the importer's own scope (IMP-5); a system import leaves them unowned.
        """
        existing = existing_keys(Customer, "code", [r["code"] for r in rows])  # any scope
        team = getattr(self.importer, "team_id", None)
        for row in rows:
            if row.get("owner_id") is not None:
                continue
            row.pop("owner_id", None)
            if row["code"] not in existing and self.importer is not None:
                row.update(owner_id=self.importer.pk, team_id=team)
        return rows

    def write(self, rows: pd.DataFrame, progress: ProgressCallback | None = None) -> WriteCounts:
        """Upsert customers first, then link parents (which may be in the same file)."""
        present = self.present - {"parent_code"}
        scope = self.scoped(Customer)
        counts = upsert(
            Customer, "code", self._owned(records(rows, present)), within=scope, progress=progress
        )
        with_parent = rows[rows["parent_code"] != ""]
        if "parent_code" in self.present and len(with_parent):
            # Looked up in the scope again: the new customers are the importer's by now.
            ids = key_to_id(scope, "code", list(with_parent["parent_code"]))
            missing = sorted(set(with_parent["parent_code"]) - set(ids))
            if missing:
                raise IntegrityError(f"parent customer codes not written: {', '.join(missing)}")
            links = [
                {"code": c, "parent_id": ids[p]}
                for c, p in zip(with_parent["code"], with_parent["parent_code"], strict=True)
            ]
            upsert(Customer, "code", links, within=scope)
        return counts


class ContactKind(ImportKind):
    """Contacts at customers, matched on external id, else on (customer, e-mail)."""

    name = "contacts"
    model = Contact
    key_column = "external_id"
    key_label = "contact id"
    columns: ClassVar[dict[str, tuple[str, ...]]] = {
        "external_id": ("contact_id", "联系人编号", "联系人编码"),
        "customer_code": ("customer", "客户编号", "客户代码"),
        "name": ("contact_name", "姓名", "联系人", "联系人姓名"),
        "title": ("job_title", "职务", "职位"),
        "department": ("部门",),
        "buying_role": ("role", "角色", "采购角色"),
        "influence": ("影响力",),
        "relationship_strength": ("relationship", "关系强度"),
        "phone": ("电话",),
        "mobile": ("手机",),
        "email": ("e_mail", "邮箱", "电子邮件"),
        "wechat": ("微信",),
        "notes": ("备注",),
    }
    required = frozenset({"customer_code", "name"})

    def prepare(self, frame: pd.DataFrame, report: check.Report) -> pd.DataFrame:
        """Validate contact rows; the customer must already exist."""
        out = pd.DataFrame(index=frame.index)
        out["external_id"] = check.text(
            column(frame, "external_id"), "external_id", report, max_length=64
        )
        check.unique(out["external_id"], "external_id", report, what="contact id")
        code = check.text(column(frame, "customer_code"), "customer_code", report, required=True)
        ids = key_to_id(self.scoped(Customer), "code", code)
        check.reference(code, "customer_code", report, ids.keys(), what="customer code")
        out["customer_id"] = lookup(code, ids)
        out["name"] = check.text(
            column(frame, "name"), "name", report, required=True, max_length=200
        )
        for name, length in (("title", 100), ("department", 100), ("phone", 32), ("mobile", 32),
                             ("wechat", 64), ("notes", None)):  # fmt: skip
            out[name] = check.text(column(frame, name), name, report, max_length=length)
        email = check.text(column(frame, "email"), "email", report, max_length=254).str.lower()
        bad = (email != "") & ~email.str.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+").fillna(
            False
        ).astype(bool)
        if bool(bad.any()):
            check.flag_code(
                report, bad, "email", "not_email", per_row={"value": email[bad].map(repr)}
            )
        out["email"] = email
        self._keep_stored_for_masked(out, report)
        no_key = (out["external_id"] == "") & (email == "")
        if bool(no_key.any()):
            check.flag_code(report, no_key, "external_id", "contact_key")
        pair = code + "\x1f" + email
        check.unique(
            pair.where((out["external_id"] == "") & (email != ""), ""),
            "email",
            report,
            what="customer + e-mail",
        )
        out["buying_role"] = check.choice(
            column(frame, "buying_role"), "buying_role", report,
            choice_map(BuyingRole, {"决策者": "decision_maker", "经济买家": "economic_buyer",
                                    "技术买家": "technical_buyer", "影响者": "influencer",
                                    "支持者": "champion", "使用者": "user", "把关者": "gatekeeper",
                                    "其他": "other"}),
        )  # fmt: skip
        for name in ("influence", "relationship_strength"):
            number = check.integer(column(frame, name), name, report, min_value=1, max_value=5)
            out[name] = number.astype(object).where(number.notna(), None)
        self.present = {c for c in out.columns if c in set(frame.columns) or c in self.required}
        self.present |= {"customer_id"}
        return out

    def _keep_stored_for_masked(self, out: pd.DataFrame, report: check.Report) -> None:
        """A value masked by an export (``138****5678``) stands for the stored one when it is
        that value's mask (an exported file edited and imported back); any other masked
        value is refused: importing it would overwrite a real number with stars."""
        ids = out["external_id"]
        known = set(ids) - {""}
        stored = {c.external_id: c for c in self.scoped(Contact).filter(external_id__in=known)}
        for name, mask in CONTACT_MASKS.items():
            masked = out[name].str.contains(MASK_MARK, regex=False)
            for index in out.index[masked.to_numpy()]:
                contact = stored.get(ids[index])
                value = getattr(contact, name, "") or ""
                if contact is not None and mask(value).lower() == out.at[index, name].lower():
                    out.at[index, name] = value
            left = out[name].str.contains(MASK_MARK, regex=False)
            check.flag_code(
                report, left, name, "masked_value", per_row={"value": out[name][left].map(repr)}
            )

    def write(self, rows: pd.DataFrame, progress: ProgressCallback | None = None) -> WriteCounts:
        """Upsert by external id; contacts without one are matched on (customer, e-mail)."""
        present = self.present - {"customer_code"}
        by_id = rows[rows["external_id"] != ""]
        scope = self.scoped(Contact)
        counts = upsert(
            Contact, "external_id", records(by_id, present), within=scope, progress=progress
        )
        by_email = rows[rows["external_id"] == ""]
        for record in records(by_email, present - {"external_id"}):
            match = scope.filter(customer_id=record["customer_id"], email=record["email"])
            contact = match.order_by("id").first()
            if contact is None:
                Contact.objects.create(**record)
                counts.created += 1
            elif any(getattr(contact, f) != v for f, v in record.items()):
                for f, v in record.items():
                    setattr(contact, f, v)
                contact.save()
                counts.updated += 1
            else:
                counts.unchanged += 1
        return counts


class ProductKind(ImportKind):
    """Products, matched on SKU; categories are created by name when new."""

    name = "products"
    model = Product
    key_column = "sku"
    key_label = "SKU"
    columns: ClassVar[dict[str, tuple[str, ...]]] = {
        "sku": ("product_code", "item_code", "产品编号", "产品编码", "物料编码", "货号"),
        "name": ("product_name", "产品名称", "品名", "名称"),
        "category": ("类别", "产品类别", "分类"),
        "unit": ("单位",),
        "unit_cost": ("cost", "成本", "单位成本"),
        "list_price": ("price", "unit_price", "单价", "标准价", "价格"),
        "currency": ("币种", "货币"),
        "active": ("是否有效", "有效"),
        "description": ("描述", "说明"),
    }
    required = frozenset({"sku", "name"})

    def prepare(self, frame: pd.DataFrame, report: check.Report) -> pd.DataFrame:
        """Validate product rows."""
        out = pd.DataFrame(index=frame.index)
        out["sku"] = check.text(column(frame, "sku"), "sku", report, required=True, max_length=64)
        check.unique(out["sku"], "sku", report, what="SKU")
        out["name"] = check.text(
            column(frame, "name"), "name", report, required=True, max_length=200
        )
        out["category"] = check.text(column(frame, "category"), "category", report, max_length=100)
        unit = check.text(column(frame, "unit"), "unit", report, max_length=20)
        out["unit"] = unit.where(unit != "", "pcs")
        for name in ("unit_cost", "list_price"):
            text = check.decimal(column(frame, name), name, report, decimal_places=4, min_value=0)
            out[name] = text.map(decimal_or_none)
        currency = currency_check(column(frame, "currency"), "currency", report)
        out["currency"] = currency.where(
            currency != "", Product._meta.get_field("currency").get_default()
        )
        active = check.choice(column(frame, "active"), "active", report, BOOLEANS, default="1")
        out["active"] = active == "1"
        out["description"] = check.text(column(frame, "description"), "description", report)
        self.present = {c for c in out.columns if c in set(frame.columns) or c in self.required}
        return out

    def write(self, rows: pd.DataFrame, progress: ProgressCallback | None = None) -> WriteCounts:
        """Create missing categories, then upsert products on SKU."""
        rows = rows.copy()
        if "category" in self.present:
            names = sorted(set(rows["category"]) - {""})
            known = key_to_id(ProductCategory, "name", names)
            ProductCategory.objects.bulk_create(
                [ProductCategory(name=n) for n in names if n not in known]
            )
            ids = key_to_id(ProductCategory, "name", names)
            rows["category_id"] = lookup(rows["category"], ids)
        present = (self.present - {"category"}) | (
            {"category_id"} if "category" in self.present else set()
        )
        return upsert(Product, "sku", records(rows, present), progress=progress)
