"""The Jinja2 environment of the site's few Jinja2 templates (web/jinja2/).

Django's template language costs several times as much as Jinja2 to render a long table, and
the revision history is the longest the indicator page has: its rows took two thirds of the
rendering time of a page asked for the first time. Its template (shared by the indicator page
and the full history page) is written in Jinja2, with autoescaping on. The filters are the very
functions the Django templates use, so a value prints the same in either.
"""

from __future__ import annotations

from typing import Any

import jinja2
from django.template.defaultfilters import pluralize, truncatewords

from .templatetags.kpiboard_tags import timestamp


def environment(**options: Any) -> jinja2.Environment:
    """The environment Django's Jinja2 backend renders with (settings.TEMPLATES)."""
    options["undefined"] = jinja2.StrictUndefined  # a misspelt name fails, never prints blank
    options["keep_trailing_newline"] = True  # as Django's templates end
    env = jinja2.Environment(**options)
    env.filters.update(pluralize=pluralize, truncatewords=truncatewords, timestamp=timestamp)
    return env
