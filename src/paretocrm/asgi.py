"""ASGI entry point (gunicorn with sync workers is the recommended server)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paretocrm.settings")
application = get_asgi_application()
