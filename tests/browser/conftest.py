"""Browser tests' fixtures: a Chromium page with axe-core loaded before the site's own scripts."""

from __future__ import annotations

import pytest

from tests.browser_support import AXE, CHROMIUM, CHROMIUM_ARGS, require_browser


@pytest.fixture
def browser_page():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(accept_downloads=True, locale="en-GB")
            context.set_default_timeout(30_000)
            # axe-core goes in before the page's own scripts, the way an extension would, since
            # the site's Content-Security-Policy rightly refuses a script tag added to the page.
            context.add_init_script(path=str(AXE))
            yield context.new_page()
        finally:
            browser.close()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Sign-in is checked with a fast hasher: the real one takes most of a second a person."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def _allow_orm_beside_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own database reads are
    # plain synchronous code, so Django's guard against ORM calls in async code does not apply.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
