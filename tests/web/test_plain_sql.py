"""The reads every request makes, written as plain SQL, answer as the query sets they replace."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from kpiboard.web.models import Profile
from kpiboard.web.permissions import role_of
from kpiboard.web.plain_sql import PlainQuery
from kpiboard.web.two_factor import has_two_factor, has_two_factor_and_role


def test_plain_query_takes_table_and_column_names_from_the_models(db):
    query = PlainQuery("SELECT {p__role} FROM {p} WHERE {p__user_id} = %s", p=Profile)
    assert query.sql() == 'SELECT "role" FROM "kpiboard_profile" WHERE "user_id" = %s'


def test_plain_query_runs_with_parameters(demo_site):
    query = PlainQuery("SELECT {p__role} FROM {p} WHERE {p__user_id} = %s", p=Profile)
    assert query.one([demo_site["owner"].pk]) == ("owner",)
    assert query.all([-1]) == []


def test_role_and_two_factor_in_one_read_agree_with_the_two_reads(demo_site):
    TOTPDevice.objects.create(user=demo_site["approver"], name="phone", confirmed=True)
    TOTPDevice.objects.create(user=demo_site["viewer"], name="phone", confirmed=False)
    users = get_user_model().objects
    for name, person in demo_site.items():
        one_read, two_reads = users.get(pk=person.pk), users.get(pk=person.pk)
        assert has_two_factor_and_role(one_read) == has_two_factor(two_reads), name
        assert role_of(one_read) == role_of(two_reads), name
    assert has_two_factor_and_role(users.get(pk=demo_site["approver"].pk))
    assert not has_two_factor_and_role(users.get(pk=demo_site["viewer"].pk))


def test_role_and_two_factor_of_a_person_without_a_profile_is_a_viewer_without_an_app(db):
    person = get_user_model().objects.create_user("no-profile", password="x" * 20)
    Profile.objects.filter(user=person).delete()
    person = get_user_model().objects.get(pk=person.pk)
    assert has_two_factor_and_role(person) is False
    assert role_of(person).value == "viewer"
