"""The adapters under the ports, for tests and tools that look at them directly (the tables,
the engine, the Prometheus registry)."""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from tracklog.adapters.metrics import PrometheusMetrics
from tracklog.adapters.store.store import SqlStore
from tracklog.adapters.store.unit_of_work import SqlUnitOfWork
from tracklog.services.deps import Deps
from tracklog.services.ports import Store, UnitOfWork


def sql(uow: UnitOfWork) -> Connection:
    """The connection of a unit of work of the SQL store."""
    assert isinstance(uow, SqlUnitOfWork), "not a unit of work of the SQL store"
    return uow.connection


def engine(store: Store) -> Engine:
    assert isinstance(store, SqlStore), "not the SQL store"
    return store.engine


def prometheus(deps: Deps) -> PrometheusMetrics:
    """The Prometheus registry behind the ``Telemetry`` port."""
    assert isinstance(deps.telemetry, PrometheusMetrics), "not the Prometheus telemetry"
    return deps.telemetry
