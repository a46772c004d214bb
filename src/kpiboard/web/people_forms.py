"""The add and edit person forms. They check what a form can (fields filled in, a username not
taken, scope that fits the role); :mod:`.accounts` makes the change and enforces the rules again,
and a refusal from it lands on the field it names."""

from __future__ import annotations

from django import forms
from django.conf import settings

from .accounts import (
    TAKES_INDICATORS,
    TAKES_SECTIONS,
    PersonRefused,
    Scope,
    UsernameRefused,
    check_email,
    check_new_username,
    check_scope,
)
from .models import ROLE_HINTS, Indicator, Role, Section


class PasswordWay:
    """How a new person gets their first password."""

    EMAIL = "email"
    SHOW = "show"
    CHOICES = (
        (EMAIL, "Email them a link to set their own password"),
        (SHOW, "Show a password now for me to give them"),
    )


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """The form's choice field ``name``, typed as one (``form.fields`` holds plain fields)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):  # pragma: no cover - a programming error
        raise TypeError(f"{name} is not a choice field")
    return field


def error_pairs(form: forms.Form) -> list[tuple[str, str]]:
    """(field id, message) for the error summary; ids are the field names (auto_id="%s")."""
    first = next(iter(form.fields), "")
    return [
        (first if name == "__all__" else name, str(message))
        for name, messages in form.errors.items()
        for message in messages
    ]


class PersonForm(forms.Form):
    """Name, email, role and what the person owns or approves (both pages)."""

    first_name = forms.CharField(
        label="First name", max_length=150, error_messages={"required": "Enter their first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, error_messages={"required": "Enter their last name"}
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        error_messages={"required": "Choose a role", "invalid_choice": "Choose a role"},
    )
    sections = forms.MultipleChoiceField(
        label="Sections",
        required=False,
        help_text="Only for indicator owners (who enter their figures) and approvers (who sign "
        "them off). Other roles have none: ticks here are dropped for them.",
        error_messages={"invalid_choice": "Choose sections from the list"},
    )
    indicators = forms.MultipleChoiceField(
        label="Indicators",
        required=False,
        help_text="Only for indicator owners. Other roles have none: ticks here are dropped.",
        error_messages={"invalid_choice": "Choose indicators from the list"},
    )

    def __init__(self, *args, person=None, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.person = person
        # Kept as typed lists too: the options properties read them (a field's ``choices`` is
        # typed as anything Django accepts, callables included).
        self.section_choices: list[tuple[str, str]] = list(
            Section.objects.order_by("position", "code").values_list("code", "title")
        )
        choice_field(self, "sections").choices = self.section_choices
        held = person.kpi_profile.indicators.all() if _has_profile(person) else []
        indicators = Indicator.objects.filter(archived=False) | Indicator.objects.filter(
            pk__in=[i.pk for i in held]
        )
        self.indicator_choices = [
            (i.code, f"{i.code} {i.title}") for i in indicators.distinct().order_by("code")
        ]
        choice_field(self, "indicators").choices = self.indicator_choices

    @property
    def role_options(self) -> list[tuple[str, str, str]]:
        return [(value, label, ROLE_HINTS[Role(value)]) for value, label in Role.choices]

    @property
    def section_options(self) -> list[tuple[str, str, str]]:
        return [(code, title, "") for code, title in self.section_choices]

    @property
    def indicator_options(self) -> list[tuple[str, str, str]]:
        return [(code, label, "") for code, label in self.indicator_choices]

    def clean_email(self) -> str:
        try:
            return check_email(self.cleaned_data["email"], exclude=self.person)
        except PersonRefused as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        data = super().clean()
        if "role" not in data:
            return data
        role = Role(data["role"])
        if role not in TAKES_SECTIONS:
            data["sections"] = []
        if role not in TAKES_INDICATORS:
            data["indicators"] = []
        scope = Scope(tuple(data.get("sections", ())), tuple(data.get("indicators", ())))
        try:
            check_scope(role, scope)
        except PersonRefused as exc:
            self.add_error(exc.field or None, str(exc))
        return data


def _has_profile(person) -> bool:
    return person is not None and hasattr(person, "kpi_profile")


class AddPersonForm(PersonForm):
    """A new person: a username too, and how they get their first password."""

    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="What they type to sign in. It cannot be changed later.",
        error_messages={"required": "Enter a username"},
    )
    password_way = forms.ChoiceField(
        label="How will they get their password?",
        choices=PasswordWay.CHOICES,
        error_messages={"required": "Choose how they will get their password"},
    )

    field_order = ("first_name", "last_name", "username", "email", "role", "sections",
                   "indicators", "password_way")  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.password_choices = list(PasswordWay.CHOICES)
        if not settings.EMAIL_ENABLED:  # no email server: the password is shown
            self.password_choices = self.password_choices[1:]
            choice_field(self, "password_way").choices = self.password_choices

    @property
    def password_options(self) -> list[tuple[str, str, str]]:
        return [(value, label, "") for value, label in self.password_choices]

    def clean_username(self) -> str:
        try:
            return check_new_username(self.cleaned_data["username"])
        except UsernameRefused as exc:
            message = str(exc)
            raise forms.ValidationError(message[0].upper() + message[1:]) from None

    def clean(self):
        data = super().clean()
        wants_email = data.get("password_way") == PasswordWay.EMAIL
        if wants_email and not data.get("email") and "email" not in self.errors:
            self.add_error("email", "Enter their email address to email them a link")
        return data
