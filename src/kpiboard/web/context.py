"""Template context for every page: the organisation's name and what the user may do."""

from __future__ import annotations

from .permissions import FULL, Role, role_of
from .store import site_row


def site(request) -> dict:
    manifest = site_row(request)[1]
    role = role_of(request.user) if hasattr(request, "user") else None
    return {
        "organisation": manifest.get("organisation", "kpiboard"),
        "site_title": manifest.get("title", "Performance"),
        "user_role": role,
        "can_enter": role in (*FULL, Role.OWNER, Role.APPROVER),
        "can_import": role in FULL,
    }
