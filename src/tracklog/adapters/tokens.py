"""JWT bearer tokens (HS256 with a shared secret, or RS256 with a public key)."""

from __future__ import annotations

import time
from typing import Any

import jwt

from tracklog.domain.access import Principal, Role
from tracklog.domain.errors import Unauthorized
from tracklog.settings import Settings

MAX_SUBJECT_CHARS = 256  # a user id, bounded like every id of the API
CACHED_TOKENS = 50_000  # verified tokens remembered until they expire (then forgotten)


class TokenCodec:
    def __init__(self, settings: Settings):
        self._algorithm = settings.auth_jwt_algorithm
        self._secret = settings.auth_jwt_secret
        self._verify_key = settings.auth_jwt_public_key or settings.auth_jwt_secret
        # A token already verified is not verified again until it expires: the signature check
        # costs ~45 µs a request, the lookup under a microsecond. Only good tokens are kept.
        self._verified: dict[str, tuple[Principal, float, float]] = {}

    def mint(self, subject: str, roles: list[Role], ttl_s: int) -> str:
        if self._algorithm != "HS256":
            raise ValueError(
                "tokens can only be minted here with HS256; RS256 keys stay with the IdP"
            )
        now = int(time.time())
        claims = {"sub": subject, "roles": [r.value for r in roles], "iat": now, "exp": now + ttl_s}
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def decode(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None:
            principal, expires, not_before = known
            if not_before <= time.time() < expires:
                return principal
        principal, claims = self._verify(token)
        if len(self._verified) >= CACHED_TOKENS:
            self._verified.clear()
        self._verified[token] = (principal, float(claims["exp"]), float(claims.get("nbf") or 0))
        return principal

    def _verify(self, token: str) -> tuple[Principal, dict[str, Any]]:
        try:
            claims = jwt.decode(
                token,
                self._verify_key,
                algorithms=[self._algorithm],
                options={"require": ["sub", "exp"]},
            )
        except jwt.ExpiredSignatureError:
            raise _expired() from None
        except jwt.InvalidTokenError as error:
            raise _invalid(str(error)) from None
        principal = _principal(claims)
        if float(claims["exp"]) <= time.time():  # one clock for verified and remembered tokens
            raise _expired()
        return principal, claims


def _expired() -> Unauthorized:
    return Unauthorized("the bearer token in Authorization has expired", field="Authorization")


def _invalid(problem: str) -> Unauthorized:
    return Unauthorized(
        f"the bearer token in Authorization is invalid ({problem})", field="Authorization"
    )


def _principal(claims: dict[str, Any]) -> Principal:
    """The caller named by well-formed claims. PyJWT checks the signature and the times but
    reads ``exp``, ``iat`` and ``nbf`` through ``int()``, so a numeric string passes it: here every
    claim must have its own JSON type. Unknown role names are ignored (an identity provider may
    issue roles of its own); a role that is not a string is malformed."""
    for name in ("exp", "iat", "nbf"):
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise _invalid(f"the {name} claim must be a number of seconds")
    subject = claims.get("sub")
    if (
        not isinstance(subject, str)
        or not 1 <= len(subject) <= MAX_SUBJECT_CHARS
        or "\x00" in subject  # a user id PostgreSQL could not store
    ):
        raise _invalid(f"the sub claim must be a user id of 1 to {MAX_SUBJECT_CHARS} characters")
    roles = claims.get("roles")
    if roles is None:
        roles = []
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise _invalid("the roles claim must be a list of role names")
    known = {r.value for r in Role}
    return Principal(user_id=subject, roles=frozenset(Role(r) for r in roles if r in known))
