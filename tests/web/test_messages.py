"""Messages sent to you: each person sees the reminders emailed to them, and only theirs."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.urls import reverse

MESSAGES = reverse("kpiboard:messages")


def send(demo_site) -> None:
    for name in ("owner", "approver"):
        demo_site[name].email = f"{name}@example.org"
        demo_site[name].save()
    call_command("remind", "--today", "2013-12-02", stdout=io.StringIO())


def test_messages_lists_what_was_sent_to_you(client_for, demo_site, mailoutbox):
    send(demo_site)
    html = client_for("owner").get(MESSAGES).content.decode()
    assert "Reminders 1 to 1 of 1." in html
    assert "ASC01 Percentage of adult social care clients" in html
    assert '<td class="govuk-table__cell">Overdue</td>' in html
    assert "14 November 2013" in html and "owner@example.org" in html
    assert '<td class="govuk-table__cell kpi-nowrap">Oct-13</td>' in html  # as pages write it
    approver = client_for("approver").get(MESSAGES).content.decode()
    assert "Reminders 1 to 20 of 20." in approver  # 10 indicators, 10 plan updates and reviews
    assert '<td class="govuk-table__cell">Progress update: ACT-DP</td>' in approver
    assert '<td class="govuk-table__cell">Risk review: R-IT</td>' in approver
    assert "Overdue: escalated to the approver" in approver
    assert "owner@example.org" not in approver


def test_messages_none_yet(client_for):
    html = client_for("viewer").get(MESSAGES).content.decode()
    assert "No reminders have been sent to you." in html


def test_messages_linked_from_every_page(client_for):
    html = client_for("viewer").get(reverse("kpiboard:dashboard")).content.decode()
    assert f'<a class="govuk-link" href="{MESSAGES}">Messages sent to you</a>' in html
