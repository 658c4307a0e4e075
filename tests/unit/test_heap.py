"""The start-up heap is frozen; what is made afterwards is still collected."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from tracklog.entrypoints.heap import freeze_startup_heap


@pytest.fixture
def thawed_afterwards() -> Iterator[None]:
    yield
    gc.unfreeze()


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_the_start_up_heap_is_frozen_and_later_cycles_are_still_collected(
    thawed_afterwards: None,
) -> None:
    before = Node()
    before.other = before  # a live cycle made at "start-up"

    frozen = freeze_startup_heap()

    assert frozen == gc.get_freeze_count() > 0
    assert all(obj is not before for obj in gc.get_objects())  # no longer scanned
    later = Node()
    later.other = later
    gone = weakref.ref(later)
    del later
    gc.collect()
    assert gone() is None  # garbage made after start-up is collected as before
