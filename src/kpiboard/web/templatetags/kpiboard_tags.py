"""Template filters the site's pages share."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

register = template.Library()


@register.filter
def timestamp(moment: datetime) -> SafeString:
    """A ``<time>`` element: "26 Nov 2026, 13:24" in the site's time zone, machine-readable too.

    Written here rather than with the ``date`` filter, which costs far more and a revision
    history can have hundreds of them.
    """
    local = localtime(moment)
    return format_html(
        '<time datetime="{}">{} {}</time>', local.isoformat(), local.day, f"{local:%b %Y, %H:%M}"
    )


@register.filter
def person(user) -> str:
    """A person as the pages show them: their name, or their username if they have none."""
    from ..accounts import display_name

    return display_name(user)
