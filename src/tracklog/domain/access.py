"""Who may act for whom (SPEC §3.1): learners for themselves, admins for anyone."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from tracklog.domain.errors import Forbidden, MissingInput, UserMismatch


class Role(enum.StrEnum):
    LEARNER = "learner"
    ADMIN = "admin"
    REPORTER = "reporter"
    OPS = "ops"


class Action(enum.Enum):
    WRITE = "write"  # tracking writes, enrol
    READ = "read"  # reads of one user's data
    DOWNLOAD = "download"
    ADMINISTER = "administer"  # registry changes, deleting a user's data
    OPERATE = "operate"  # bulk jobs and pipeline controls


_ALLOWED_FOR_OTHERS: dict[Action, frozenset[Role]] = {
    Action.WRITE: frozenset({Role.ADMIN}),
    Action.READ: frozenset({Role.ADMIN, Role.REPORTER}),
    Action.DOWNLOAD: frozenset({Role.ADMIN, Role.REPORTER}),
    Action.ADMINISTER: frozenset({Role.ADMIN}),
    Action.OPERATE: frozenset({Role.OPS, Role.ADMIN}),
}

# What each action is, in words, for the 403 that refuses it: (may not ..., ... needs).
_IN_WORDS: dict[Action, tuple[str, str]] = {
    Action.WRITE: ("write tracking data", "writing"),
    Action.READ: ("read tracking data", "reading"),
    Action.DOWNLOAD: ("download summaries", "downloading"),
    Action.ADMINISTER: ("change the registry or delete users' data", "this"),
    Action.OPERATE: ("use the operations API (jobs, pipeline)", "this"),
}


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    roles: frozenset[Role]

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))


def acting_user(principal: Principal, requested: str | None, action: Action) -> str:
    """The user a request acts for: the body's ``userId`` if allowed, else the token's subject."""
    if requested is None and not principal.user_id:
        raise MissingInput(
            "userId is required when the caller has no user of its own", field="userId"
        )
    if requested is None or requested == principal.user_id:
        if principal.has(Role.LEARNER, *_ALLOWED_FOR_OTHERS[action]):
            return principal.user_id
        what, doing = _IN_WORDS[action]
        others = _words(_ALLOWED_FOR_OTHERS[action], " or ")
        raise Forbidden(
            f"{_holder(principal)} may not {what}; {doing} needs learner (for oneself) or {others}"
        )
    if principal.has(*_ALLOWED_FOR_OTHERS[action]):
        return requested
    raise UserMismatch(
        f"userId '{requested}' does not match the token's user '{principal.user_id}'",
        field="userId",
    )


def require(principal: Principal, action: Action) -> None:
    """Actions that are not about one user's own data (registry, ops)."""
    if not principal.has(*_ALLOWED_FOR_OTHERS[action]):
        what, doing = _IN_WORDS[action]
        needed = _words(_ALLOWED_FOR_OTHERS[action], " or ")
        raise Forbidden(f"{_holder(principal)} may not {what}; {doing} needs {needed}")


def _words(roles: frozenset[Role], joiner: str) -> str:
    """Role names as words, in the order roles are declared (``admin or ops``)."""
    return joiner.join(role.value for role in Role if role in roles)


def _holder(principal: Principal) -> str:
    if not principal.roles:
        return "a token without any known role"
    return "the roles " + _words(principal.roles, ", ")
