"""The ``tracklog`` command line (Typer)."""
