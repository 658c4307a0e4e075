"""The SQL store (SQLite or PostgreSQL): an engine, its traits, units of work on it, its schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from tracklog.adapters.store.collection_cache import CollectionCache
from tracklog.adapters.store.idle_readers import IdleReaders
from tracklog.adapters.store.traits import StoreTraits, traits_for
from tracklog.adapters.store.unit_of_work import SqlUnitOfWork
from tracklog.adapters.store.writer_gate import WriterGate
from tracklog.domain.errors import StoreUnavailable
from tracklog.services.ports import Clock

MIGRATIONS = Path(__file__).with_name("migrations")


class SqlStore:
    def __init__(self, engine: Engine, clock: Clock):
        self.engine = engine
        self.clock = clock
        self.traits: StoreTraits = traits_for(engine.dialect.name)
        self._gate = WriterGate() if self.traits.single_writer else None
        self._collections = CollectionCache()  # shared by its units of work
        # Readers keep their connections where taking one costs a tenth of a read (decision 0509)
        self._readers = (
            IdleReaders(engine) if self.traits.inline_reads and _pooled(engine) else None
        )
        self.schema = SqlSchema(engine)

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.engine,
            self.traits,
            self.clock,
            write=True,
            gate=self._gate,
            collections=self._collections,
        )

    def reader(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.engine,
            self.traits,
            self.clock,
            write=False,
            collections=self._collections,
            readers=self._readers,
        )

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def masked_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        if self._readers is not None:
            self._readers.close()
        self.engine.dispose()


def _pooled(engine: Engine) -> bool:
    """Whether connections are really pooled (an in-memory database shares one: not kept)."""
    return not isinstance(engine.pool, StaticPool)


class SqlSchema:
    """The Alembic revision of the database and of this release; upgrades on request only."""

    def __init__(self, engine: Engine):
        self._engine = engine

    def _config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        return config

    def exists(self) -> bool:
        """A SQLite file that is not there is not created by asking (a read-only command on a
        mistyped path must not leave an empty database behind); a server is asked."""
        url = self._engine.url
        if url.get_backend_name() == "sqlite":
            database = make_url(url).database
            return database in (None, "", ":memory:") or Path(database).exists()
        return True

    def upgrade(self) -> None:
        self._require_folder()
        config = self._config()
        with self._engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def _require_folder(self) -> None:
        folder = self._sqlite_folder()
        if folder is not None and not folder.is_dir():
            raise StoreUnavailable(
                f"the folder {folder} of the SQLite file does not exist; create it or fix the path",
                field="store",
            )

    def _sqlite_folder(self) -> Path | None:
        url = self._engine.url
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(str(url.database)).parent

    def current_revision(self) -> str | None:
        self._require_folder()
        with self._engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(self._config()).get_current_head()
