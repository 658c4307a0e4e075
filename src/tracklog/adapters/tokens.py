"""JWT bearer tokens (HS256 with a shared secret, or RS256 with a public key)."""

from __future__ import annotations

import time

import jwt

from tracklog.domain.access import Principal, Role
from tracklog.domain.errors import Unauthorized
from tracklog.settings import Settings


class TokenCodec:
    def __init__(self, settings: Settings):
        self._algorithm = settings.auth_jwt_algorithm
        self._secret = settings.auth_jwt_secret
        self._verify_key = settings.auth_jwt_public_key or settings.auth_jwt_secret

    def mint(self, subject: str, roles: list[Role], ttl_s: int) -> str:
        if self._algorithm != "HS256":
            raise ValueError(
                "tokens can only be minted here with HS256; RS256 keys stay with the IdP"
            )
        now = int(time.time())
        claims = {"sub": subject, "roles": [r.value for r in roles], "iat": now, "exp": now + ttl_s}
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def decode(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._verify_key,
                algorithms=[self._algorithm],
                options={"require": ["sub", "exp"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized(
                "the bearer token in Authorization has expired", field="Authorization"
            ) from None
        except jwt.InvalidTokenError as error:
            raise Unauthorized(
                f"the bearer token in Authorization is invalid ({error})", field="Authorization"
            ) from None
        roles = claims.get("roles") or []
        if not isinstance(roles, list):
            raise Unauthorized(
                "the roles claim of the token in Authorization must be a list",
                field="Authorization",
            )
        known = {r.value for r in Role}
        return Principal(
            user_id=str(claims["sub"]),
            roles=frozenset(Role(r) for r in roles if r in known),
        )
