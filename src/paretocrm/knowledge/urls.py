"""Routes of the knowledge-base pages."""

from django.urls import path

from paretocrm.knowledge import views

app_name = "knowledge"

urlpatterns = [path("", views.ArticleListView.as_view(), name="articles")]
