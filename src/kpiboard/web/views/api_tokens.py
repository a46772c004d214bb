"""The API tokens page: a person makes and revokes their own personal API tokens; an
administrator also sees everyone's, makes them for anyone and revokes any. The rules and the
audit are in :mod:`..api_tokens`; a new token's secret is shown on the answer to the form that
made it and never again (the page is not cached and the secret is never in an address)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ..api_tokens import DEFAULT_DAYS, MAX_DAYS, MAX_NAME, TokenError, create_token, may_manage
from ..api_tokens import revoke_token as revoke
from ..models import ApiScope, ApiToken
from ..permissions import can_administer


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=MAX_NAME,
        error_messages={
            "required": "Enter what the token is for",
            "max_length": f"Name must be {MAX_NAME} characters or fewer",
        },
    )
    scope = forms.ChoiceField(
        choices=ApiScope.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the token may do"},
    )
    days = forms.IntegerField(
        min_value=1,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
        error_messages={
            "required": "Enter how many days the token lasts",
            "invalid": "Days must be a whole number, like 90",
            "min_value": f"Days must be between 1 and {MAX_DAYS}",
            "max_value": f"Days must be between 1 and {MAX_DAYS}",
        },
    )
    person = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": "Select a person who can sign in"},
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if can_administer(user):
            people = get_user_model().objects.filter(is_active=True).order_by("username")
            person = self.fields["person"]
            assert isinstance(person, forms.ModelChoiceField)
            person.queryset = people
            person.initial = user.pk
        else:
            del self.fields["person"]


def _tokens(user):
    tokens = ApiToken.objects.select_related("user")
    return tokens if can_administer(user) else tokens.filter(user=user)


def _page(request, form, secret: str = "", status: int = 200):
    errors = {f: e[0] for f, e in form.errors.items()} if form.is_bound else {}
    return render(
        request,
        "kpiboard/api_tokens.html",
        {
            "form": form,
            "errors": errors,
            "secret": secret,
            "tokens": _tokens(request.user)[:200],
            "now": timezone.now(),
            "admin": can_administer(request.user),
            "max_days": MAX_DAYS,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    if request.method != "POST":
        return _page(request, TokenForm(user=request.user))
    form = TokenForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    owner = data.get("person") or request.user
    try:
        made = create_token(
            owner, scope=data["scope"], days=data["days"], name=data["name"], actor=request.user
        )
    except TokenError as exc:
        form.add_error("name", str(exc))
        return _page(request, form, status=400)
    return _page(request, TokenForm(user=request.user), secret=made.secret)


@require_POST
def revoke_token(request, pk: int):
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk)
    if not may_manage(request.user, token):
        raise PermissionDenied
    if revoke(token, actor=request.user):
        messages.success(request, f"Token {token.prefix}… ({token.name}) revoked")
    return redirect("kpiboard:api_tokens")
