"""Web pages: every app's page routes included in one place."""

urlpatterns: list = []
