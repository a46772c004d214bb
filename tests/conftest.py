"""Shared fixtures: the demo pack, built by the same builder the demo command uses, and the demo
site in the test database.

Loading the demo site (the pack and six people) takes most of a second, so it is loaded once per
session, under every test's transaction. Each test then starts from exactly one of two states:

* ``demo_site``: the demo site as loaded, whatever earlier tests did (their transactions are
  rolled back; after a transactional test's flush it is loaded again, committed, at once);
* any other test using the database: the empty database the migrations leave, as pytest-django
  gives (the demo rows are deleted inside the test's transaction, so the rollback brings them
  back; in a transactional test the flush at its end removes them anyway).
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import override_settings
from pytest_django.plugin import blocking_manager_key

from kpiboard.demo import pack_source, write_demo
from kpiboard.packs.loader import load_pack
from kpiboard.web import dashboard_cache
from kpiboard.web.accounts import create_person
from kpiboard.web.approval import REVISION_ENTRIES
from kpiboard.web.models import Role
from kpiboard.web.store import clear_cache, load_pack_into_db

PASSWORD = "correct-horse-battery-staple"

#: Who is who on the demo site: an owner of ASC01 only, an approver of the ASC section.
PEOPLE = {
    "admin": (Role.ADMINISTRATOR, {"name": ("Priya", "Shah")}),
    "analyst": (Role.ANALYST, {"name": ("Tom", "Whitfield")}),
    "owner": (Role.OWNER, {"name": ("Grace", "Adeyemi"), "indicators": ["ASC01"]}),
    "section_owner": (Role.OWNER, {"name": ("Owen", "Price"), "sections": ["scs"]}),
    "approver": (Role.APPROVER, {"name": ("Helen", "Barker"), "sections": ["asc"]}),
    "viewer": (Role.VIEWER, {"name": ("Marek", "Nowak")}),
}

#: Rows per model as the demo site leaves them (the models it writes, children before parents),
#: filled in when the session loads it.
_DEMO_ROWS: dict[type, int] = {}


@pytest.fixture(scope="session")
def demo_pack_dir(tmp_path_factory):
    return write_demo(tmp_path_factory.mktemp("demo") / "pack")


@pytest.fixture(scope="session")
def demo_pack(demo_pack_dir):
    return load_pack(demo_pack_dir)


def _row_counts() -> dict[type, int]:
    return {m: m._default_manager.count() for m in apps.get_models(include_auto_created=True)}


def _load_demo_site() -> None:
    # A fast hasher: the real one costs a second a person, and the web tests sign in with it.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        load_pack_into_db(pack_source(), reason="Demo pack")
        for name, (role, links) in PEOPLE.items():
            first, last = links["name"]
            scope = {k: v for k, v in links.items() if k != "name"}
            email = f"{first}.{last}@example.org".lower()
            create_person(
                name,
                role,
                password=PASSWORD,
                first_name=first,
                last_name=last,
                email=email,
                **scope,
            )


def _children_first(models: list[type]) -> list[type]:
    """``models`` ordered so that none comes after a model it is referenced by."""
    ordered, left = [], list(models)
    while left:
        free = [
            m
            for m in left
            if not any(
                f.related_model is m for other in left if other is not m for f in other._meta.fields
            )
        ]
        assert free, f"circular references among {left}"
        ordered += free
        left = [m for m in left if m not in free]
    return ordered


def _remove_demo_site() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for model in _DEMO_ROWS:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def _ensure_demo_site() -> None:
    """Load the demo site unless the database holds it as loaded (a flush empties it)."""
    if all(model._default_manager.count() == n for model, n in _DEMO_ROWS.items()):
        return
    _remove_demo_site()
    _load_demo_site()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, with the demo site loaded once (committed)."""
    with django_db_blocker.unblock():
        before = _row_counts()
        people = get_user_model()
        crowded = sorted(
            m.__name__
            for m, n in before.items()
            if n and (m is people or m._meta.app_label == "kpiboard")
        )
        if crowded:  # a kept database (--reuse-db) that an interrupted run left full
            pytest.exit(f"the test database already holds {crowded}: run with --create-db", 2)
        _load_demo_site()
        written = [m for m, n in _row_counts().items() if n != before[m]]
        after = _row_counts()
        _DEMO_ROWS.update((m, after[m]) for m in _children_first(written))
    yield
    with django_db_blocker.unblock():
        _remove_demo_site()  # a database kept for the next run (--reuse-db) is left empty


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush, load the demo site again, committed, for the tests
    after it (loaded inside a later test's transaction, it would be rolled back with it); none
    after the last test, whose teardown has already destroyed the test database."""
    result = yield
    marker = item.get_closest_marker("django_db")
    flushed = (marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )
    if _DEMO_ROWS and flushed and nextitem is not None:  # after the last, the database is gone
        with item.config.stash[blocking_manager_key].unblock():
            _ensure_demo_site()
    return result


@pytest.fixture(autouse=True)
def _database_contents(request):
    """The demo site for tests that use ``demo_site``, the empty database for other database
    tests (see the module docstring)."""
    names = request.fixturenames
    if request.node.get_closest_marker("django_db") is None and not (
        {"db", "transactional_db"} & set(names)
    ):
        return
    request.getfixturevalue("db")  # transactional if the test asked for it (pytest-django)
    if "demo_site" not in names:
        _remove_demo_site()


@pytest.fixture
def demo_site(db):
    """The demo pack in the database and its people, by username (see ``PEOPLE``)."""
    _ensure_demo_site()
    users = get_user_model().objects.in_bulk(list(PEOPLE), field_name="username")
    return {name: users[name] for name in PEOPLE}


def _forget_built_pages() -> None:
    clear_cache()
    dashboard_cache.clear()
    REVISION_ENTRIES.clear()  # row ids come round again once a test's inserts are rolled back


@pytest.fixture(autouse=True)
def _fresh_caches():
    """The built pack, dashboard and page parts are kept per process for a ``Site.version``,
    which every test starts from (its changes rolled back): each test starts without them."""
    _forget_built_pages()
    yield
    _forget_built_pages()
