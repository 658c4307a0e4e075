"""Caches: in-process (embedded) and Redis (server), behind one small port."""
