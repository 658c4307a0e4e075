"""JWT bearer tokens (HS256 with a shared secret, or RS256 with a public key)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import jwt

from tracklog.domain.access import Principal, Role
from tracklog.domain.errors import Unauthorized
from tracklog.settings import Settings

MAX_SUBJECT_CHARS = 256  # a user id, bounded like every id of the API
CACHED_TOKENS = 50_000  # verified tokens remembered until they expire (then forgotten)


@dataclass(frozen=True, slots=True)
class Decoded:
    """A verified token: who it names, all its claims, and whether it was accepted only
    because of a grace period after its expiry."""

    principal: Principal
    claims: dict[str, Any]
    expired: bool = False


class TokenCodec:
    def __init__(self, settings: Settings):
        self._algorithm = settings.auth_jwt_algorithm
        self._secret = settings.auth_jwt_secret
        self._verify_key = settings.auth_jwt_public_key or settings.auth_jwt_secret
        # A token already verified is not verified again until it expires: the signature check
        # costs ~45 µs a request, the lookup under a microsecond. Only good tokens are kept.
        self._verified: dict[str, tuple[Decoded, float, float]] = {}

    def mint(self, subject: str, roles: list[Role], ttl_s: int, **claims: Any) -> str:
        if self._algorithm != "HS256":
            raise ValueError(
                "tokens can only be minted here with HS256; RS256 keys stay with the IdP"
            )
        now = int(time.time())
        body = {"sub": subject, "roles": [r.value for r in roles], "iat": now, "exp": now + ttl_s}
        return jwt.encode({**claims, **body}, self._secret, algorithm="HS256")

    def decode(self, token: str) -> Principal:
        return self.verify(token).principal

    def verify(self, token: str, *, grace_s: int = 0, header: str = "Authorization") -> Decoded:
        """``inspect``, remembering a good token until it expires (one accepted only through
        the grace period is checked again each time)."""
        known = self._verified.get(token)
        if known is not None:
            decoded, expires, not_before = known
            if not_before <= time.time() < expires:
                return decoded
        decoded = self.inspect(token, grace_s=grace_s, header=header)
        if not decoded.expired:
            if len(self._verified) >= CACHED_TOKENS:
                self._verified.clear()
            claims = decoded.claims
            self._verified[token] = (
                decoded,
                float(claims["exp"]),
                float(claims.get("nbf") or 0),
            )
        return decoded

    def inspect(self, token: str, *, grace_s: int = 0, header: str = "Authorization") -> Decoded:
        """Verify ``token``; with ``grace_s``, one that expired at most that long ago is still
        accepted (and says so). Errors name ``header``."""
        try:
            claims = jwt.decode(
                token,
                self._verify_key,
                algorithms=[self._algorithm],
                options={"require": ["sub", "exp"]},
                leeway=grace_s,
            )
        except jwt.ExpiredSignatureError:
            raise _expired(header) from None
        except jwt.InvalidTokenError as error:
            raise _invalid(header, str(error)) from None
        principal = _principal(claims, header)
        expired = float(claims["exp"]) <= time.time()  # one clock for verified and remembered
        if expired and grace_s <= 0:
            raise _expired(header)
        return Decoded(principal, claims, expired)


def _expired(header: str) -> Unauthorized:
    return Unauthorized(f"the token in {header} has expired", field=header)


def _invalid(header: str, problem: str) -> Unauthorized:
    return Unauthorized(f"the token in {header} is invalid ({problem})", field=header)


def _principal(claims: dict[str, Any], header: str) -> Principal:
    """The caller named by well-formed claims. PyJWT checks the signature and the times but
    reads ``exp``, ``iat`` and ``nbf`` through ``int()``, so a numeric string passes it: here every
    claim must have its own JSON type. Unknown role names are ignored (an identity provider may
    issue roles of its own); a role that is not a string is malformed."""
    for name in ("exp", "iat", "nbf"):
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise _invalid(header, f"the {name} claim must be a number of seconds")
    subject = claims.get("sub")
    if (
        not isinstance(subject, str)
        or not 1 <= len(subject) <= MAX_SUBJECT_CHARS
        or "\x00" in subject  # a user id PostgreSQL could not store
    ):
        raise _invalid(
            header, f"the sub claim must be a user id of 1 to {MAX_SUBJECT_CHARS} characters"
        )
    roles = claims.get("roles")
    if roles is None:
        roles = []
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise _invalid(header, "the roles claim must be a list of role names")
    known = {r.value for r in Role}
    return Principal(user_id=subject, roles=frozenset(Role(r) for r in roles if r in known))
