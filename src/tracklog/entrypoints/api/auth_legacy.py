"""Who is calling a legacy Sunbird route, from the headers Sunbird clients send.

- ``Authorization: Bearer <gateway API key>`` and ``X-Authenticated-User-Token: <JWT>``: the user
  token decides who acts; the key is checked against ``TRACKLOG_LEGACY_API_KEYS`` when that is
  set (hashes, constant-time comparison) and otherwise left to the gateway in front.
- A Tracklog JWT alone, in either header, works as on the viewer API.
- ``X-Authenticated-For: <JWT>``: a managed user's token. Its ``parentId`` claim must name the
  requester; the request then acts for the managed user, as a learner.
- ``TRACKLOG_LEGACY_TOKEN_GRACE``: where the route allows it (the update), a correctly signed user
  token that expired at most that long ago is accepted, for its own user only (docs/legacy-api.md).
"""

from __future__ import annotations

from starlette.requests import Request

from tracklog.adapters.logging import bind_user
from tracklog.adapters.tokens import TokenCodec
from tracklog.domain.access import Principal, Role
from tracklog.domain.api_keys import key_matches
from tracklog.domain.errors import Forbidden, Unauthorized
from tracklog.entrypoints.api.auth import NO_AUTH_PRINCIPAL
from tracklog.settings import Settings

USER_TOKEN = "X-Authenticated-User-Token"
MANAGED_TOKEN = "X-Authenticated-For"
PARENT_CLAIM = "parentId"


class LegacyAuthenticator:
    def __init__(self, codec: TokenCodec, settings: Settings, enabled: bool = True):
        self._codec = codec
        self._keys = settings.legacy_api_key_hashes
        self._grace_s = settings.legacy_token_grace
        self.enabled = enabled

    def principal(self, request: Request, *, allow_grace: bool = False) -> Principal:
        found = self._principal(request, allow_grace)
        bind_user(found.user_id)  # the request's log records name whom it acts for
        return found

    def _principal(self, request: Request, allow_grace: bool) -> Principal:
        if not self.enabled:
            return NO_AUTH_PRINCIPAL
        bearer = _bearer(request)
        user_token = request.headers.get(USER_TOKEN) or None
        checked = user_token is not None and bearer is not None and self._keys
        if checked and not key_matches(bearer or "", self._keys):
            raise Unauthorized(
                "the API key in Authorization is not one of TRACKLOG_LEGACY_API_KEYS",
                field="Authorization",
            )
        token, header = (user_token, USER_TOKEN) if user_token else (bearer, "Authorization")
        if token is None:
            raise Unauthorized(
                f"missing token: send '{USER_TOKEN}: <JWT>' (or 'Authorization: Bearer <JWT>')",
                field="Authorization",
            )
        grace = self._grace_s if allow_grace else 0
        decoded = self._codec.verify(token, grace_s=grace, header=header)
        principal = decoded.principal
        if decoded.expired:  # accepted only for its own user's writes
            principal = Principal(principal.user_id, frozenset({Role.LEARNER}))
        managed = request.headers.get(MANAGED_TOKEN)
        if not managed:
            return principal
        if decoded.expired:
            raise Unauthorized(
                f"the token in {header} has expired; it cannot act for a managed user",
                field=header,
            )
        return self._managed(managed, principal)

    def _managed(self, token: str, requester: Principal) -> Principal:
        decoded = self._codec.verify(token, header=MANAGED_TOKEN)
        parent = decoded.claims.get(PARENT_CLAIM)
        if parent != requester.user_id:
            raise Forbidden(
                f"the managed user's token in {MANAGED_TOKEN} must have a {PARENT_CLAIM} claim "
                f"equal to the requester '{requester.user_id}'",
                field=MANAGED_TOKEN,
            )
        return Principal(decoded.principal.user_id, frozenset({Role.LEARNER}))


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    raise Unauthorized(
        "the Authorization header must be 'Bearer <key or JWT>'", field="Authorization"
    )
