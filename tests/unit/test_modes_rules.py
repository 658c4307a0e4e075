"""Key resolution (SPEC §4.1) and mode compatibility, as properties over any ids."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tracklog.domain.model import RecordKey, RequestedKey
from tracklog.domain.modes import Mode, read_scopes, resolve_write, same_shape

ids = st.text(alphabet="abcxyz-12", min_size=1, max_size=6)
maybe = st.none() | ids
modes = st.sampled_from(list(Mode))


@given(content=ids, collection=maybe, context=maybe)
def test_full_carry_forward_stores_every_write_under_the_content_itself(
    content: str, collection: str | None, context: str | None
) -> None:
    key = resolve_write(Mode.FULL_CARRY_FORWARD, "u", RequestedKey(content, collection, context))
    assert key == RecordKey("u", content, content, content)


@given(content=ids, collection=maybe, context=maybe)
def test_collection_carry_forward_ignores_the_context(
    content: str, collection: str | None, context: str | None
) -> None:
    key = resolve_write(
        Mode.COLLECTION_CARRY_FORWARD, "u", RequestedKey(content, collection, context)
    )
    assert key == RecordKey("u", collection or content, collection or content, content)


@given(mode=st.sampled_from([Mode.STRICT, Mode.COPY, Mode.MOVE]), content=ids, c=maybe, k=maybe)
def test_strict_copy_and_move_store_where_the_request_says(
    mode: Mode, content: str, c: str | None, k: str | None
) -> None:
    key = resolve_write(mode, "u", RequestedKey(content, c, k))
    assert key == RecordKey("u", c or content, k or c or content, content)


@given(leaves=st.frozensets(ids, max_size=5), k1=ids, k2=ids)
def test_carry_forward_reads_do_not_depend_on_the_context(
    leaves: frozenset[str], k1: str, k2: str
) -> None:
    for mode in (Mode.FULL_CARRY_FORWARD, Mode.COLLECTION_CARRY_FORWARD):
        assert read_scopes(mode, "c", k1, leaves) == read_scopes(mode, "c", k2, leaves)


def test_a_full_carry_forward_read_assembles_each_leafs_own_record() -> None:
    scopes = read_scopes(Mode.FULL_CARRY_FORWARD, "c", "k", frozenset({"b", "a"}))
    assert [(s.collection_id, s.context_id, s.content_ids) for s in scopes] == [
        ("a", "a", frozenset({"a"})),
        ("b", "b", frozenset({"b"})),
    ]


def test_strict_shaped_reads_look_at_the_requested_pair() -> None:
    for mode in (Mode.STRICT, Mode.COPY, Mode.MOVE):
        (scope,) = read_scopes(mode, "c", "k", frozenset({"a"}))
        assert (scope.collection_id, scope.context_id) == ("c", "k")


@given(a=modes, b=modes)
def test_mode_compatibility_is_symmetric_and_reflexive(a: Mode, b: Mode) -> None:
    assert same_shape(a, a)
    assert same_shape(a, b) == same_shape(b, a)


def test_only_strict_copy_and_move_share_a_shape() -> None:
    assert same_shape(Mode.STRICT, Mode.MOVE)
    assert same_shape(Mode.COPY, Mode.STRICT)
    assert not same_shape(Mode.STRICT, Mode.FULL_CARRY_FORWARD)
    assert not same_shape(Mode.COLLECTION_CARRY_FORWARD, Mode.FULL_CARRY_FORWARD)


@given(leaves=st.frozensets(ids, max_size=5), asked=st.frozensets(ids, max_size=5))
def test_a_full_carry_forward_read_never_reaches_outside_the_collections_leaves(
    leaves: frozenset[str], asked: frozenset[str]
) -> None:
    scopes = read_scopes(Mode.FULL_CARRY_FORWARD, "c", "k", leaves, asked)
    assert {s.collection_id for s in scopes} == leaves & asked
