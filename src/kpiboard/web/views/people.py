"""People and roles, for administrators only (everyone else gets 403): the list, adding a person,
changing their name, email, role and what they own or approve, and deactivating or reactivating
them. The changes are made by :mod:`..accounts`, which records each in the audit trail."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from ..accounts import (
    PersonRefused,
    create_person,
    display_name,
    record_invitation,
    set_active,
    update_person,
)
from ..models import Indicator, Role, Section
from ..people_forms import AddPersonForm, PasswordWay, PersonForm, error_pairs
from ..permissions import can_administer, role_of
from ..store import site_row

logger = logging.getLogger("kpiboard.web")


def _require_administrator(request) -> None:
    if not can_administer(request.user):
        raise PermissionDenied("Only administrators can manage people")


@require_safe
def people(request):
    _require_administrator(request)
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    section = request.GET.get("section", "")
    sections = list(Section.objects.order_by("position", "code").values_list("code", "title"))
    section = section if section in dict(sections) else ""
    found = (
        get_user_model()
        .objects.select_related("kpi_profile")
        .prefetch_related(
            Prefetch("kpi_profile__sections", queryset=Section.objects.order_by("position")),
            Prefetch("kpi_profile__indicators", queryset=Indicator.objects.order_by("code")),
        )
    )
    if role == Role.ADMINISTRATOR:
        found = found.filter(Q(is_superuser=True) | Q(kpi_profile__role=role))
    elif role:
        found = found.filter(kpi_profile__role=role, is_superuser=False)
    if section:
        found = found.filter(
            Q(kpi_profile__sections__code=section)
            | Q(kpi_profile__indicators__section__code=section)
        ).distinct()
    rows = sorted(found, key=lambda u: (not u.is_active, display_name(u).lower()))
    return render(
        request,
        "kpiboard/people.html",
        {
            "rows": [_row(u) for u in rows],
            "role": role,
            "roles": Role.choices,
            "section": section,
            "sections": sections,
            "filtered": bool(role or section),
        },
    )


def _row(user) -> dict:
    profile = getattr(user, "kpi_profile", None)
    return {
        "user": user,
        "name": display_name(user),
        "role": role_of(user),
        "sections": list(profile.sections.all()) if profile else [],
        "indicators": list(profile.indicators.all()) if profile else [],
    }


@never_cache  # the page that shows a new password must not be kept by a browser or proxy
@require_http_methods(["GET", "HEAD", "POST"])
def person_add(request):
    _require_administrator(request)
    form = AddPersonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = create_person(
                data["username"],
                Role(data["role"]),
                sections=data["sections"],
                indicators=data["indicators"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                by=request.user,
            )
        except PersonRefused as exc:
            form.add_error(exc.field or None, str(exc))
        else:
            if data["password_way"] == PasswordWay.EMAIL and _sent(request, user):
                messages.success(
                    request,
                    f"{display_name(user)} was added. We have emailed them a link to set "
                    "their password.",
                )
                return redirect("kpiboard:people")
            return render(
                request,
                "kpiboard/person_added.html",
                {
                    "person": user,
                    "name": display_name(user),
                    "password": password,
                    "not_sent": data["password_way"] == PasswordWay.EMAIL,
                },
            )
    return render(
        request,
        "kpiboard/person_form.html",
        {"form": form, "errors": error_pairs(form), "adding": True},
        status=400 if form.errors else 200,
    )


def _sent(request, user) -> bool:
    """Email the new person a set-password link; False (and logged) if the mail server fails,
    when the page shows a password instead, so they are never left without a way in."""
    try:
        _send_set_password_email(request, user)
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not send the set-password email to %s", user.get_username())
        return False
    record_invitation(user, by=request.user)
    return True


def _send_set_password_email(request, user) -> None:
    """A link to the password reset page (Django's token, valid for PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    context = {
        "name": display_name(user),
        "username": user.get_username(),
        "organisation": site_row(request)[1].get("organisation", "kpiboard"),
        "link": request.build_absolute_uri(
            reverse("kpiboard:password_reset_confirm", args=[uid, token])
        ),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    send_mail(
        f"Set your password for {context['organisation']}'s performance reporting",
        render_to_string("kpiboard/email/set_password.txt", context),
        None,
        [user.email],
    )


@require_http_methods(["GET", "HEAD", "POST"])
def person_edit(request, pk: int):
    _require_administrator(request)
    person = get_object_or_404(get_user_model(), pk=pk)
    form = PersonForm(
        request.POST if request.method == "POST" else None, person=person, initial=_initial(person)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changes = update_person(
                person,
                by=request.user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                role=Role(data["role"]),
                sections=data["sections"],
                indicators=data["indicators"],
            )
        except PersonRefused as exc:
            form.add_error(exc.field or None, str(exc))
        else:
            person.refresh_from_db()
            name = display_name(person)
            if changes:
                said = "; ".join(f"{c.get_kind_display().lower()}: {c.detail}" for c in changes)
                messages.success(request, f"Saved changes to {name} ({said}).")
            else:
                messages.info(request, f"Nothing changed for {name}.")
            return redirect("kpiboard:people")
    return render(
        request,
        "kpiboard/person_form.html",
        {"form": form, "errors": error_pairs(form), "person": person, "name": display_name(person)},
        status=400 if form.errors else 200,
    )


def _initial(person) -> dict:
    """The form as the person is now (someone made by createsuperuser has no profile yet:
    :func:`..accounts.update_person` makes it on their first change)."""
    profile = getattr(person, "kpi_profile", None)
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "role": (role_of(person) or Role.VIEWER).value,
        "sections": list(profile.sections.values_list("code", flat=True)) if profile else [],
        "indicators": list(profile.indicators.values_list("code", flat=True)) if profile else [],
    }


@require_http_methods(["GET", "HEAD", "POST"])
def person_set_active(request, pk: int, active: bool):
    """GET asks to confirm; POST deactivates (``active`` False) or reactivates the person."""
    _require_administrator(request)
    person = get_object_or_404(get_user_model(), pk=pk)
    name = display_name(person)
    back = reverse("kpiboard:person_edit", args=[person.pk])
    if request.method == "POST":
        try:
            set_active(person, active, by=request.user)
        except PersonRefused as exc:
            messages.error(request, str(exc))
            return redirect(back)
        done = "reactivated: they can sign in again" if active else "deactivated"
        messages.success(request, f"{name} was {done}.")
        return redirect("kpiboard:people")
    return render(
        request,
        "kpiboard/person_active.html",
        {"person": person, "name": name, "active": active, "back": back},
    )
