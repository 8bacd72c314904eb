"""WSGI entry point for gunicorn and the development server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")

application = get_wsgi_application()

# Imported after setup: serving needs the app registry.
from recengine import serving  # noqa: E402

serving.run_in_web_worker()
