"""The Jinja2 environment of the site's few Jinja2 templates (web/jinja2/).

Django's template language costs several times as much as Jinja2 to render a page of tables:
the body of an indicator page (its trend table and revision history above all) took most of the
processor time of a page asked for the first time. The indicator page's body and the revision
history (shared by the indicator page and the full history page) are written in Jinja2, with
autoescaping on. The filters are the very functions the Django templates use, so a value prints
the same in either, and the small includes the dashboard shares with the indicator page stay
Django templates, drawn from Jinja2 by :func:`django_include`: each in one place.
"""

from __future__ import annotations

from typing import Any

import jinja2
from django.template.defaultfilters import pluralize, truncatewords
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from .templatetags.kpiboard_tags import rating_badge, timestamp


def url(name: str, *args: Any) -> str:
    """A page's address, as Django's ``{% url name arg ... %}`` gives it."""
    return reverse(name, args=args)


def django_include(name: str, **context: Any) -> SafeString:
    """A Django template rendered with ``context`` alone: an include shared with Django pages."""
    return mark_safe(render_to_string(name, context, using="django"))


def environment(**options: Any) -> jinja2.Environment:
    """The environment Django's Jinja2 backend renders with (settings.TEMPLATES)."""
    options["undefined"] = jinja2.StrictUndefined  # a misspelt name fails, never prints blank
    options["keep_trailing_newline"] = True  # as Django's templates end
    env = jinja2.Environment(**options)
    env.filters.update(
        pluralize=pluralize, truncatewords=truncatewords, timestamp=timestamp,
        rating_badge=rating_badge,
    )  # fmt: skip
    env.globals.update(url=url, django_include=django_include)
    return env
