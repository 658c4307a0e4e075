"""JWT bearer tokens (HS256 with a shared secret, or RS256 with a public key)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import jwt

from tracklog.domain.access import Principal, Role
from tracklog.domain.errors import Unauthorized
from tracklog.settings import Settings


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

    def mint(self, subject: str, roles: list[Role], ttl_s: int, **claims: Any) -> str:
        if self._algorithm != "HS256":
            raise ValueError(
                "tokens can only be minted here with HS256; RS256 keys stay with the IdP"
            )
        now = int(time.time())
        body = {"sub": subject, "roles": [r.value for r in roles], "iat": now, "exp": now + ttl_s}
        return jwt.encode({**claims, **body}, self._secret, algorithm="HS256")

    def decode(self, token: str) -> Principal:
        return self.inspect(token).principal

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
            raise Unauthorized(f"the token in {header} has expired", field=header) from None
        except jwt.InvalidTokenError as error:
            raise Unauthorized(
                f"the token in {header} is invalid ({error})", field=header
            ) from None
        roles = claims.get("roles") or []
        if not isinstance(roles, list):
            raise Unauthorized(
                f"the roles claim of the token in {header} must be a list", field=header
            )
        known = {r.value for r in Role}
        principal = Principal(
            user_id=str(claims["sub"]),
            roles=frozenset(Role(r) for r in roles if r in known),
        )
        expired = grace_s > 0 and float(claims["exp"]) < time.time()
        return Decoded(principal, claims, expired)
