"""Routes of the knowledge-base pages."""

from django.urls import path

from paretocrm.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="articles"),
    path("new/", views.article_edit, name="article_new"),
    path("categories/", views.categories, name="categories"),
    path("<int:pk>/", views.article_detail, name="article"),
    path("<int:pk>/edit/", views.article_edit, name="article_edit"),
    path("<int:pk>/archive/", views.article_archive, name="article_archive"),
]
