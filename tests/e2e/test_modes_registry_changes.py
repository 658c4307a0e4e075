"""A collection change (leaves added or removed) recomputes every affected summary, every mode."""

from __future__ import annotations

import pytest

from tests.conftest import MakeTracklog
from tests.e2e.modes_world import C1, DDA, SDA, TDA, World, world_of

NEW_LEAF = "place-value"

# Where the learner consumes the content that later becomes a leaf, so that each mode would count
# it once it is one: in the batch (strict-shaped modes), organically (full-carry-forward: one
# record per content; copy: copied in when it becomes a leaf), in the collection (collection-cf).
WHERE = {
    "strict": (C1, "batch-1"),
    "move": (C1, "batch-1"),
    "full-carry-forward": (None, None),
    "copy": (None, None),
    "collection-carry-forward": (C1, None),
}


def _summary(w: World) -> dict[str, object]:
    w.drain()
    stored = w.stored_summary(C1, "batch-1")
    assert stored is not None
    return stored


@pytest.mark.parametrize("mode", sorted(WHERE))
def test_an_added_leaf_counts_and_a_removed_leaf_stops_counting(
    make_tracklog: MakeTracklog, mode: str
) -> None:
    with world_of(make_tracklog, mode) as w:
        w.enrol(C1, "batch-1")
        w.complete(SDA, C1, "batch-1")
        collection, context = WHERE[mode]
        w.complete(NEW_LEAF, collection, context)
        before = _summary(w)
        assert (before["progress"], before["leafNodesCount"]) == (1, 3)
        assert w.status(NEW_LEAF, C1, "batch-1") in (0, 2)

        w.api.admin("PUT", "/v1/collection/" + C1, {"leafNodes": [SDA, DDA, TDA, NEW_LEAF]})
        w.drain()  # copy mode re-evaluates copies in the worker, with the recomputation
        assert w.status(NEW_LEAF, C1, "batch-1") == 2
        added = _summary(w)
        assert (added["progress"], added["leafNodesCount"]) == (2, 4)
        assert added["completionPercentage"] == 50

        w.api.admin("PUT", "/v1/collection/" + C1, {"leafNodes": [DDA, TDA, NEW_LEAF]})
        removed = _summary(w)
        assert (removed["progress"], removed["leafNodesCount"]) == (1, 3)
        assert removed["completionPercentage"] == 33


def test_an_optional_leaf_is_read_in_full_carry_forward(make_tracklog: MakeTracklog) -> None:
    with world_of(make_tracklog, "full-carry-forward") as w:
        w.enrol(C1, "batch-1")
        w.complete(NEW_LEAF)
        assert w.status(NEW_LEAF, C1, "batch-1") == 0
        body = {"leafNodes": [SDA, DDA, TDA, NEW_LEAF], "optionalNodes": [NEW_LEAF]}
        w.api.admin("PUT", "/v1/collection/" + C1, body)
        assert w.status(NEW_LEAF, C1, "batch-1") == 2
        assert _summary(w)["progress"] == 0  # optional: consumed, not counted
