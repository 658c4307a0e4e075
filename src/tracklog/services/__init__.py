"""Use cases: one handler per command, each in one unit of work."""
