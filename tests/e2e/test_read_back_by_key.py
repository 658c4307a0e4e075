"""A read by the key a write returned finds the record, in every mode (issue 10, item 2).

``view/start|update|end`` answer the key the record is stored under; a ``view/read`` with that
``collectionId``, ``contextId`` and ``contentIds: [contentId]`` must find it — also when that
key names no registered collection (full-carry-forward stores every write under (X, X)) or names
a collection that is the content itself.
"""

from __future__ import annotations

import pytest

from tests.conftest import MakeTracklog
from tests.e2e.modes_world import C1, SDA, world_of

MODES = ["strict", "full-carry-forward", "collection-carry-forward", "copy", "move"]

WRITES = [
    (SDA, C1, "batch-1"),  # a leaf, in a batch of its registered collection
    (SDA, None, None),  # organically
    ("loose-page", "not-registered", "nowhere"),  # ids the registry does not know
    (C1, C1, None),  # the collection's own content id
    ("fractions", C1, None),  # a leaf of another collection, not of this one
]


@pytest.mark.parametrize("mode", MODES)
def test_a_read_by_the_key_a_write_returned_finds_the_record(
    make_tracklog: MakeTracklog, mode: str
) -> None:
    with world_of(make_tracklog, mode) as w:
        w.enrol(C1, "batch-1")
        for content, collection, context in WRITES:
            ended = w.complete(content, collection, context)
            key = ended["key"]
            row = w.row(key["contentId"], key["collectionId"], key["contextId"])
            assert row, (mode, content, collection, context, key)
            assert (row["contentId"], row["status"]) == (content, ended["status"])
