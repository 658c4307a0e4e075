"""Who is calling: the bearer token (or, with ``--no-auth`` in development, nobody)."""

from __future__ import annotations

from starlette.requests import Request

from tracklog.adapters.logging import bind_user
from tracklog.adapters.tokens import Decoded, TokenCodec
from tracklog.domain.access import Principal, Role
from tracklog.domain.errors import Unauthorized

NO_AUTH_PRINCIPAL = Principal(user_id="", roles=frozenset(Role))


class Authenticator:
    def __init__(self, codec: TokenCodec, enabled: bool = True):
        self._codec = codec
        self.enabled = enabled

    def principal(self, request: Request) -> Principal:
        if not self.enabled:
            return NO_AUTH_PRINCIPAL
        token = _bearer(request)
        if token is None:
            raise Unauthorized(
                "missing token: send 'Authorization: Bearer <JWT>'", field="Authorization"
            )
        principal = self._codec.decode(token)
        bind_user(principal.user_id)  # the request's log records name who made it
        return principal

    def verify(self, token: str, where: str) -> Decoded:
        """A token given some other way than a header (the ops page's form or cookie); errors
        say where it came from."""
        return self._codec.inspect(token, header=where)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        raise Unauthorized("the Authorization header must be 'Bearer <JWT>'", field="Authorization")
    return request.headers.get("x-authenticated-user-token") or None
