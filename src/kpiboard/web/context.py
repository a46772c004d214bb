"""Template context for every page: the organisation's name and what the user may do."""

from __future__ import annotations

from .permissions import FULL, Role, role_of
from .store import site_row

#: Which menu item each page belongs under (the menu marks it as where the reader is).
MENU = {
    "dashboard": "dashboard",
    "indicator": "dashboard",
    "indicator_history": "dashboard",
    "override": "dashboard",
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
    "reports": "reports",
    "report_download": "reports",
}


def site(request) -> dict:
    manifest = site_row(request)[1]
    role = role_of(request.user) if hasattr(request, "user") else None
    match = getattr(request, "resolver_match", None)
    page = match.url_name if match is not None else ""
    return {
        "section_nav": MENU.get(page, ""),
        "nav_page": page in MENU.values(),  # the menu's own page, not one beneath it
        "organisation": manifest.get("organisation", "kpiboard"),
        "site_title": manifest.get("title", "Performance"),
        "user_role": role,
        "can_enter": role in (*FULL, Role.OWNER, Role.APPROVER),
        "can_import": role in (*FULL, Role.OWNER),
        "can_administer": role is Role.ADMINISTRATOR,
    }
