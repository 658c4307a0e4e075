"""``python -m tracklog`` is the ``tracklog`` command."""

from tracklog.entrypoints.cli.main import app

app()
