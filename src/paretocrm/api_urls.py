"""REST API routes (/api/): every app's router registered in one place."""

urlpatterns: list = []
