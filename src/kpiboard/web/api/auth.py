"""Bearer-token authentication for the API: the token stands for its owner (``request.user``),
each request counts against the token's rate limit, and the first use each day is audited.
Sessions are not accepted here: a browser's cookie cannot reach the API, so it needs no CSRF
check, and every API call is traceable to one token."""

from __future__ import annotations

from ninja.security import HttpBearer

from ..api_tokens import find_token, note_use, within_rate
from ..models import ApiScope
from ..throttle import client_address


class ScopeError(Exception):
    """A read-only token used for a write."""


class RateLimited(Exception):
    """The token has made its allowance of requests this minute."""


class TokenAuth(HttpBearer):
    def __init__(self, scope: ApiScope) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request, token: str):
        found = find_token(token.strip())
        if found is None:
            return None
        if self.scope is ApiScope.WRITE and found.scope != ApiScope.WRITE:
            raise ScopeError
        if not within_rate(found):
            raise RateLimited
        note_use(found, client_address(request))
        request.user = found.user
        request.api_token = found
        return found


read_auth = TokenAuth(ApiScope.READ)
write_auth = TokenAuth(ApiScope.WRITE)
