"""A long-running process's start-up heap, set aside from the cyclic garbage collector.

Everything a process builds before it serves (imported modules, the wired instance, the app and
its routes, compiled statements) lives as long as the process. CPython's collector still walks
all of it at every full (generation 2) collection: on the hosts measured that was 50 to 120 ms for
the ~150,000 start-up objects, with the GIL held, so every request in flight waited that long
(decision 0516). ``gc.freeze`` moves those objects to a permanent generation the collector does
not scan; objects made later are collected as before, and a frozen object whose last reference
goes is still freed by its reference count.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> int:
    """Collect what start-up left behind, then freeze the rest; the number of objects frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
