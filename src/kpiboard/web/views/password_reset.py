"""Forgotten password: Django's own reset views and signed, expiring links, with GOV.UK pages.

The request page says the same whatever address is typed and however often (see
:func:`..accounts.reset_recipients`, which also limits how many emails go out and records every
request); only active people with a usable password are sent a link. Setting the new password
goes through :func:`..accounts.complete_password_reset`, which records it. Open to everyone, signed
in or not; with no email server in production the pages are not there (404)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.urls import reverse_lazy

from .. import throttle
from ..accounts import complete_password_reset, reset_recipients
from ..people_forms import error_pairs


class _EmailEnabled:
    def dispatch(self, request, *args, **kwargs):
        if not settings.EMAIL_ENABLED:
            raise Http404("Password reset by email is not set up on this site")
        return super().dispatch(request, *args, **kwargs)


class ResetRequestForm(auth_forms.PasswordResetForm):
    address = ""  # the client's address, set by the view

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].error_messages = {
            "required": "Enter your email address",
            "invalid": "Enter an email address like name@example.org",
        }

    def get_users(self, email):
        return reset_recipients(email, list(super().get_users(email)), self.address)


class NewPasswordForm(auth_forms.SetPasswordForm):
    address = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "Type the new password again"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Type the new password again"
        self.error_messages["password_mismatch"] = "The two passwords are not the same"

    def save(self, commit=True):
        complete_password_reset(self.user, self.cleaned_data["new_password1"], address=self.address)
        return self.user


class _GovukErrors:
    """The error summary's (field, message) pairs, and 400 for a form with errors."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        context["errors"] = error_pairs(form) if form is not None and form.is_bound else []
        return context

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class RequestReset(_EmailEnabled, _GovukErrors, auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "kpiboard/password_reset_form.html"
    email_template_name = "kpiboard/email/password_reset.txt"
    subject_template_name = "kpiboard/email/password_reset_subject.txt"
    success_url = reverse_lazy("kpiboard:password_reset_done")

    def form_valid(self, form):
        form.address = throttle.client_address(self.request)
        return super().form_valid(form)


class ResetSent(_EmailEnabled, auth_views.PasswordResetDoneView):
    template_name = "kpiboard/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            link_days=max(1, settings.PASSWORD_RESET_TIMEOUT // 86400), **kwargs
        )


class ChooseNewPassword(_EmailEnabled, _GovukErrors, auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "kpiboard/password_reset_confirm.html"
    success_url = reverse_lazy("kpiboard:password_reset_complete")

    def form_valid(self, form):
        form.address = throttle.client_address(self.request)
        return super().form_valid(form)


class ResetComplete(_EmailEnabled, auth_views.PasswordResetCompleteView):
    template_name = "kpiboard/password_reset_complete.html"
