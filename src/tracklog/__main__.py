"""``python -m tracklog`` is the ``tracklog`` command."""

from tracklog.entrypoints.cli.main import app

if __name__ == "__main__":  # not when a helper process (spawned) imports it
    app()
