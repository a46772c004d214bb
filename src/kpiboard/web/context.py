"""Template context for every page: the organisation's name and what the user may do."""

from __future__ import annotations

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from .permissions import FULL, Role, role_of
from .store import site_row

#: Which menu item each page belongs under (the menu marks it as where the reader is).
MENU = {
    "dashboard": "dashboard",
    "team": "team",
    "messages": "messages",
    "indicator": "dashboard",
    "indicator_history": "dashboard",
    "override": "dashboard",
    "reporting_month": "dashboard",
    "entry": "entry",
    "entry_form": "entry",
    "signoff": "entry",
    "entry_grid": "entry",
    "check_answers": "entry",
    "review": "entry",
    "withdraw_figure": "entry",
    "import": "import",
    "import_preview": "import",
    "changes": "changes",
    "security_events": "security_events",
    "people": "people",
    "person_add": "people",
    "person_edit": "people",
    "person_deactivate": "people",
    "person_reactivate": "people",
    "reports": "reports",
    "plan": "plan",
    "priorities": "plan",
    "action_update": "plan",
    "risk_review": "plan",
    "report_download": "reports",
}


#: The pages every page's menu and account bar link to (base.html), by URL name.
NAV_PAGES = (
    "home", "dashboard", "entry", "team", "import", "changes", "plan", "reports", "people",
    "security_events", "messages", "two_factor", "api_tokens", "logout",
)  # fmt: skip
_nav: dict[tuple, dict[str, str]] = {}


def nav_urls() -> dict[str, str]:
    """The addresses of :data:`NAV_PAGES`, worked out once per process (and URL prefix):
    reversing them on every page took a tenth of what the lightest pages cost."""
    key = (get_script_prefix(), get_urlconf())
    found = _nav.get(key)
    if found is None:
        found = _nav[key] = {name: reverse(f"kpiboard:{name}") for name in NAV_PAGES}
    return found


def site(request) -> dict:
    manifest = site_row(request)[1]
    role = role_of(request.user) if hasattr(request, "user") else None
    match = getattr(request, "resolver_match", None)
    page = match.url_name if match is not None else ""
    if page == "home":  # an owner's home is their task list; everyone else's the dashboard
        page = "home" if role is Role.OWNER else "dashboard"
    menu = {**MENU, "home": "home"}
    return {
        "section_nav": menu.get(page, ""),
        "nav_page": page in menu.values(),  # the menu's own page, not one beneath it
        "organisation": manifest.get("organisation", "kpiboard"),
        "site_title": manifest.get("title", "Performance"),
        "user_role": role,
        "can_enter": role in (*FULL, Role.OWNER, Role.APPROVER),
        "can_import": role in (*FULL, Role.OWNER),
        "can_administer": role is Role.ADMINISTRATOR,
        "has_tasks": role is Role.OWNER,
        "sees_team": role in (*FULL, Role.APPROVER),
        "can_reset_password": settings.EMAIL_ENABLED,
        "nav": nav_urls(),
    }
