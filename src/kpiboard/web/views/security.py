"""Sign-ins and people: the security audit trail (:mod:`..security_log`), newest first, for
administrators only. Everyone else is refused (403): the trail names who tried to sign in as
whom, and from where."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from ..models import SecurityEvent, SecurityEventKind
from ..permissions import can_administer

PER_PAGE = 50


@require_safe
def security_events(request):
    if not can_administer(request.user):
        raise PermissionDenied("Only administrators can see sign-ins and people")
    kind = request.GET.get("kind", "")
    kind = kind if kind in SecurityEventKind.values else ""
    events = SecurityEvent.objects.select_related("user", "actor").order_by("-created", "-pk")
    if kind:
        events = events.filter(kind=kind)
    paginator = Paginator(events, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))  # not a number: the first; too far: last
    return render(
        request,
        "kpiboard/security_events.html",
        {
            "page": page,
            "paginator": paginator,
            "kind": kind,
            "kinds": SecurityEventKind.choices,
            "query": urlencode({"kind": kind}) if kind else "",
        },
    )
