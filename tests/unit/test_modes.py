"""Key resolution by context mode (SPEC §4.1): where a write is stored, what a read looks at."""

from __future__ import annotations

import pytest

from tracklog.domain.model import RequestedKey
from tracklog.domain.modes import Mode, RecordScope, read_contents, read_scopes, resolve_write

X, C, K = "content-x", "course-c", "batch-k"

# (mode, collectionId sent, contextId sent) -> stored (collectionId, contextId), per SPEC §4.1.
WRITE_TABLE = [
    (Mode.STRICT, C, K, (C, K)),
    (Mode.STRICT, C, None, (C, C)),
    (Mode.STRICT, None, None, (X, X)),
    (Mode.STRICT, None, K, (X, K)),
    (Mode.FULL_CARRY_FORWARD, C, K, (X, X)),
    (Mode.FULL_CARRY_FORWARD, None, None, (X, X)),
    (Mode.COLLECTION_CARRY_FORWARD, C, K, (C, C)),
    (Mode.COLLECTION_CARRY_FORWARD, None, K, (X, X)),
    (Mode.COPY, C, K, (C, K)),
    (Mode.COPY, C, None, (C, C)),
    (Mode.MOVE, C, K, (C, K)),
    (Mode.MOVE, None, None, (X, X)),
]


@pytest.mark.parametrize(("mode", "collection", "context", "stored"), WRITE_TABLE)
def test_a_write_is_stored_under_the_key_its_mode_prescribes(
    mode: Mode, collection: str | None, context: str | None, stored: tuple[str, str]
) -> None:
    key = resolve_write(mode, "learner-1", RequestedKey(X, collection, context))
    assert (key.user_id, key.content_id) == ("learner-1", X)
    assert (key.collection_id, key.context_id) == stored


@pytest.mark.parametrize("mode", [Mode.STRICT, Mode.COPY, Mode.MOVE])
def test_a_read_of_c_in_k_looks_at_the_rows_of_c_and_k(mode: Mode) -> None:
    assert read_scopes(mode, C, K, frozenset({"a", "b"})) == (RecordScope(C, K),)


def test_strict_reads_can_be_narrowed_to_some_contents() -> None:
    scopes = read_scopes(Mode.STRICT, C, K, frozenset({"a", "b"}), frozenset({"a"}))
    assert scopes == (RecordScope(C, K, frozenset({"a"})),)


def test_collection_carry_forward_reads_the_collection_rows_whatever_the_context() -> None:
    assert read_scopes(Mode.COLLECTION_CARRY_FORWARD, C, K, frozenset()) == (RecordScope(C, C),)


def test_full_carry_forward_reads_each_leaf_from_its_own_row() -> None:
    scopes = read_scopes(Mode.FULL_CARRY_FORWARD, C, K, frozenset({"b", "a"}))
    assert scopes == (
        RecordScope("a", "a", frozenset({"a"})),
        RecordScope("b", "b", frozenset({"b"})),
    )


def test_a_read_is_made_of_the_collections_leaves() -> None:
    assert read_contents(C, frozenset({"a", "b"})) == {"a", "b"}
    assert read_contents(C, frozenset({"a", "b"}), frozenset({"a"})) == {"a", "b"}


def test_an_id_that_names_no_collection_is_read_as_that_content_on_its_own() -> None:
    assert read_contents(X, None) == {X}
    assert read_contents(X, None, frozenset({X})) == {X}


def test_a_read_that_names_the_collections_own_id_gets_its_own_record() -> None:
    assert read_contents(C, frozenset({"a"}), frozenset({C})) == {"a", C}


def test_full_carry_forward_finds_a_write_by_the_key_it_returned() -> None:
    """Every write of X is stored, and answered, as (X, X): reading that key finds it, whether
    X names no collection or is a registered collection's own id."""
    for leaves in (None, frozenset({"a", "b"})):
        key = resolve_write(Mode.FULL_CARRY_FORWARD, "u", RequestedKey(X, C, K))
        asked = frozenset({key.content_id})
        contents = read_contents(key.collection_id, leaves, asked)
        scopes = read_scopes(
            Mode.FULL_CARRY_FORWARD, key.collection_id, key.context_id, contents, asked
        )
        assert scopes == (RecordScope(X, X, frozenset({X})),)
