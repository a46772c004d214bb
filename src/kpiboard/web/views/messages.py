"""Messages sent to you: the reminders ``kpiboard remind`` has emailed this person, newest
first. Everyone signed in can see their own (and only their own)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ...core.periods import PeriodError
from ..models import SentReminder
from ..writes import site_calendar

PER_PAGE = 50


@require_safe
def messages(request):
    sent = (
        SentReminder.objects.filter(user=request.user)
        .select_related("indicator")
        .order_by("-sent", "-pk")
    )
    paginator = Paginator(sent, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    calendar = site_calendar()
    for reminder in page.object_list:  # "Oct-13", as every other page writes a period
        try:
            reminder.period_display = calendar.parse(reminder.period).display
        except PeriodError:
            reminder.period_display = reminder.period
    return render(
        request, "kpiboard/messages.html", {"page": page, "paginator": paginator, "query": ""}
    )
