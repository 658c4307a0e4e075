"""Adapters: the outside world behind small interfaces (store, cache, clock)."""
