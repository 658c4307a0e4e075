"""The instance's mode stamp: what the database was written in, and switching it when safe."""

from __future__ import annotations

from dataclasses import dataclass

from tracklog.domain.errors import Conflict
from tracklog.domain.modes import Mode, same_shape
from tracklog.services.deps import Deps


@dataclass(frozen=True, slots=True)
class ModeStamp:
    stamped: Mode | None
    configured: Mode


def current(deps: Deps) -> ModeStamp:
    with deps.store.reader() as uow:
        stamped = uow.registry.stamp("mode")
    return ModeStamp(Mode(stamped) if stamped else None, deps.mode)


def adopt(deps: Deps, actor: str) -> ModeStamp:
    """Stamp the database with the configured mode, when the data reads the same under it."""
    with deps.store.unit_of_work() as uow:
        value = uow.registry.stamp("mode")
        stamped = Mode(value) if value else None
        if stamped is not None and not same_shape(stored=stamped, wanted=deps.mode):
            raise Conflict(
                f"data written in mode '{stamped.value}' is stored under other keys than mode "
                f"'{deps.mode.value}' reads; start a new database in the new mode and re-import",
                field="TRACKLOG_MODE",
            )
        uow.registry.set_stamp("mode", deps.mode.value)
        uow.registry.audit(
            actor,
            "mode.adopt",
            {"mode": deps.mode.value},
            {"from": stamped.value if stamped else None},
        )
        uow.commit()
    return ModeStamp(stamped, deps.mode)
