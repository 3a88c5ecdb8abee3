"""Admin of portal accounts, invitations, case replies and attachments, inbound e-mail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from paretocrm.portal.models import (
    CaseAttachment,
    CaseReply,
    InboundMessage,
    PortalAccount,
    PortalInvitation,
)


@admin.register(PortalAccount)
class PortalAccountAdmin(admin.ModelAdmin):
    """Who has portal access (invite through the portal-access page, not here)."""

    list_display = ("user", "contact", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("user__username", "contact__name", "contact__customer__name")
    autocomplete_fields = ("user", "contact", "invited_by")


@admin.register(PortalInvitation)
class PortalInvitationAdmin(admin.ModelAdmin):
    """Invitations sent (the token itself is never stored)."""

    list_display = ("email", "contact", "expires_at", "used_at", "invited_by")
    search_fields = ("email", "contact__name")
    readonly_fields = ("token_hash",)
    autocomplete_fields = ("contact", "invited_by")

    def has_add_permission(self, request: Any) -> bool:
        # Invitations need the e-mail with the one-time token: the service sends it.
        return False


class CaseAttachmentInline(admin.TabularInline):
    """Files of a reply."""

    model = CaseAttachment
    extra = 0
    fields = ("original_name", "content_type", "size", "file")
    readonly_fields = fields


@admin.register(CaseReply)
class CaseReplyAdmin(admin.ModelAdmin):
    """Messages on cases from customers and staff."""

    list_display = ("case", "channel", "contact", "author", "created_at")
    list_filter = ("channel",)
    search_fields = ("case__number", "body")
    autocomplete_fields = ("case", "author", "contact")
    inlines = (CaseAttachmentInline,)


@admin.register(CaseAttachment)
class CaseAttachmentAdmin(admin.ModelAdmin):
    """Files sent with cases (checked for size and type when uploaded)."""

    list_display = ("original_name", "case", "content_type", "size", "created_at")
    search_fields = ("original_name", "case__number")
    autocomplete_fields = ("case", "reply", "uploaded_by")

    def has_add_permission(self, request: Any) -> bool:
        # Uploads go through the checks of portal.validators (portal pages, inbound e-mail).
        return False


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    """Inbound e-mail and the triage queue (status "waiting in triage")."""

    list_display = ("received_at", "sender", "subject", "status", "customer", "case")
    list_filter = ("status",)
    search_fields = ("sender", "subject", "message_id")
    autocomplete_fields = ("customer", "case")
    date_hierarchy = "received_at"
