"""WSGI entry point: ``gunicorn kpiboard.web.wsgi``.

Settings that refuse to start (see settings.py) print their one-line reason and exit 1.
"""

import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiboard.web.settings")
try:
    application = get_wsgi_application()
except ImproperlyConfigured as exc:
    print(f"kpiboard: {exc}", file=sys.stderr)
    sys.exit(1)
