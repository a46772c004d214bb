"""Template filters the site's pages share."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime

register = template.Library()


@register.filter
def timestamp(moment: datetime) -> SafeString:
    """A ``<time>`` element: "26 Nov 2026, 13:24" in the site's time zone, machine-readable too.

    Written here rather than with the ``date`` filter, which costs far more and a revision
    history can have hundreds of them. Nothing in it needs escaping (digits, an English month's
    abbreviation, punctuation), so it is put together directly rather than through
    ``format_html``, which costs as much again as the rest.
    """
    local = localtime(moment)
    shown = f"{local.day} {local:%b %Y, %H:%M}"
    return mark_safe(f'<time datetime="{local.isoformat()}">{shown}</time>')


@register.filter
def person(user) -> str:
    """A person as the pages show them: their name, or their username if they have none."""
    from ..accounts import display_name

    return display_name(user)


@register.filter
def rating_badge(r) -> SafeString:
    """A rating as the pages show it: its words in its colour, marked when an officer set it.

    A filter rather than an included template: the indicator page shows one a period, and an
    include costs several times as much to render.
    """
    if not getattr(r, "overridden", False):
        return format_html(
            '<strong class="kpi-rating kpi-rating--{}">{}</strong>', str(r.code).lower(), r.words
        )
    return format_html(
        '<strong class="kpi-rating kpi-rating--{}" title="Rating set by an officer; the computed '
        'rating was {}">{}<span class="kpi-rating__mark" aria-hidden="true">*</span>'
        '<span class="govuk-visually-hidden"> (override: computed rating {})</span></strong>',
        str(r.code).lower(), r.computed, r.words, r.computed,
    )  # fmt: skip
