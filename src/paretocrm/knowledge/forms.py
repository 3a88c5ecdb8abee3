"""Forms of the knowledge pages: the article editor and a new category."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from paretocrm.knowledge.models import Article, ArticleCategory
from paretocrm.knowledge.services import ARTICLE_FIELDS, parse_tag_names


class ArticleForm(forms.ModelForm):
    """Write or change an article; ``version`` travels hidden so a stale save is refused."""

    tags_text = forms.CharField(
        label=_("keywords"),
        required=False,
        max_length=500,
        help_text=_("Separated by commas; a case that mentions one is offered this article."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = Article
        fields = ARTICLE_FIELDS
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 16, "class": "editor"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        originals = Article.objects.filter(translation_of__isnull=True).order_by("title", "id")
        if self.instance.pk:
            originals = originals.exclude(pk=self.instance.pk)
            if not self.is_bound:
                self.initial["version"] = self.instance.version
                self.initial["tags_text"] = ", ".join(t.name for t in self.instance.tags.all())
        field = self.fields["translation_of"]
        field.queryset = originals
        field.empty_label = _("— none: this is the first version —")
        self.fields["body"].help_text = _(
            "Plain text or Markdown: **bold**, # heading, - list, [link](https://…). "
            "HTML is shown as text."
        )

    def tag_names(self) -> list[str]:
        """The keywords typed, one per tag."""
        return parse_tag_names(self.cleaned_data.get("tags_text", ""))


class CategoryForm(forms.Form):
    """A new article category, optionally under another one."""

    name = forms.CharField(label=_("name"), max_length=100)
    parent = forms.ModelChoiceField(
        label=_("parent category"), queryset=ArticleCategory.objects.all(), required=False
    )
