"""Publishing open data: what the next publication would hold (each section up to its latest
approved period), a button that starts it as a background job, and every publication made so
far. Analysts and administrators only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .. import jobs
from ..background import publish_site
from ..models import JobKind, Publication
from ..permissions import can_publish
from ..publishing import NOTHING_APPROVED, plan
from ..writes import who

#: Publications the page lists, newest first.
HISTORY = 50


@require_http_methods(["GET", "HEAD", "POST"])
def publish(request):
    if not can_publish(request.user):
        raise PermissionDenied
    plans = plan()
    if request.method == "POST":
        if not plans:  # approved periods reopened since the page was shown
            messages.error(request, NOTHING_APPROVED)
            return redirect("kpiboard:publish")
        job = jobs.start(
            request.user,
            JobKind.PUBLISH,
            f"Open data publication, {timezone.localtime():%-d %B %Y}",
            publish_site,
            {},
        )
        return redirect("kpiboard:job", job_id=job.pk)
    rows = [
        {
            "title": item.section.title,
            "period": item.period.long_display,
            "approved_by": who(item.latest.author),
            "approved_at": item.approved_at,
            "withheld": [p.long_display for p in item.withheld],
        }
        for item in plans
    ]
    history = Publication.objects.select_related("author")[:HISTORY]
    return render(
        request,
        "kpiboard/publish.html",
        {
            "rows": rows,
            "nothing": NOTHING_APPROVED if not plans else "",
            "history": [(p, who(p.author)) for p in history],
        },
    )
