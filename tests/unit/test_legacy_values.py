"""cqlsh text values of a legacy export (SPEC §6): each form parses, each wrong form says what was
expected, and what the generator formats reads back unchanged."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracklog.domain.legacy_fast_literals import parse_via_json
from tracklog.domain.legacy_format import (
    format_date,
    format_double,
    format_legacy_time,
    format_list,
    format_literal,
    format_map,
    format_set,
    format_timestamp,
    format_udt_list,
)
from tracklog.domain.legacy_literals import parse_with_tokens
from tracklog.domain.legacy_values import (
    LegacyValueError,
    parse_any_time,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_legacy_time,
    parse_list,
    parse_literal,
    parse_map,
    parse_timestamp,
    parse_udt_list,
)

MAY_20 = 1_747_735_872_345  # 2025-05-20 10:11:12.345 UTC


@pytest.mark.parametrize(
    "text",
    [
        "2025-05-20 10:11:12.345000+0000",
        "2025-05-20 10:11:12.345+0000",
        "2025-05-20 15:41:12.345000+0530",
        "2025-05-20 06:11:12.345-0400",
    ],
)
def test_a_cqlsh_timestamp_is_epoch_milliseconds_in_utc_whatever_its_offset(text: str) -> None:
    assert parse_timestamp(text) == MAY_20


def test_a_cqlsh_timestamp_without_fraction_is_a_whole_second() -> None:
    assert parse_timestamp("2025-05-20 10:11:12+0000") == MAY_20 - 345


def test_a_timestamp_cqlsh_could_not_format_is_read_as_the_epoch_milliseconds_it_wrote() -> None:
    assert parse_timestamp("253402300800000") == 253_402_300_800_000


def test_a_timestamp_before_1970_keeps_its_milliseconds() -> None:
    assert parse_timestamp("1969-12-31 23:59:59.500000+0000") == -500


@pytest.mark.parametrize(
    "text",
    [
        "2025/05/20",
        "2025-05-20T10:11:12+0000",
        "2025-05-20 10:11:12.345000",
        "2025-05-20 10:11:12,345+0000",
        "2025-02-30 10:11:12+0000",
        "",
    ],
)
def test_a_wrong_timestamp_says_which_form_was_expected(text: str) -> None:
    with pytest.raises(LegacyValueError) as raised:
        parse_timestamp(text)
    expected = "expected a cqlsh timestamp like 2025-05-20 10:11:12.345000+0000, got "
    assert str(raised.value) == expected + repr(text)


def test_a_legacy_text_time_is_read_with_its_offset() -> None:
    assert parse_legacy_time("2025-05-20 10:11:12:345+0000") == MAY_20
    assert parse_legacy_time("2025-05-20 15:41:12:345+0530") == MAY_20


def test_a_wrong_legacy_time_says_which_form_was_expected() -> None:
    with pytest.raises(
        LegacyValueError, match=r"expected a legacy time like 2025-05-20 10:11:12:345"
    ):
        parse_legacy_time("2025-05-20 10:11:12.345+0000")


def test_a_plain_date_is_midnight_utc_of_that_day() -> None:
    assert parse_date("2025-05-20") == MAY_20 - (10 * 3600 + 11 * 60 + 12) * 1000 - 345
    with pytest.raises(LegacyValueError, match="expected a date like 2025-05-20, got '20-05-2025'"):
        parse_date("20-05-2025")


@pytest.mark.parametrize(
    "text",
    [
        "2025-05-20 10:11:12.345000+0000",
        "2025-05-20 10:11:12:345+0000",
        "2025-05-20 15:41:12:345+0530",
    ],
)
def test_any_time_reads_timestamps_and_legacy_times(text: str) -> None:
    assert parse_any_time(text) == MAY_20


def test_any_time_reads_plain_dates_and_names_all_three_forms_when_wrong() -> None:
    assert parse_any_time("2025-05-20") == parse_date("2025-05-20")
    with pytest.raises(LegacyValueError) as raised:
        parse_any_time("yesterday")
    assert "2025-05-20 10:11:12.345000+0000, 2025-05-20 10:11:12:345+0000 or 2025-05-20" in str(
        raised.value
    )


def test_booleans_are_cqlsh_true_and_false() -> None:
    assert (parse_bool("True"), parse_bool("False"), parse_bool("true")) == (True, False, True)
    with pytest.raises(LegacyValueError, match="expected a boolean like True or False, got 'yes'"):
        parse_bool("yes")


@pytest.mark.parametrize("text", ["12x", "+1", " 1", "1_000", "١٢", "1.0"])
def test_an_integer_is_plain_ascii_digits(text: str) -> None:
    with pytest.raises(LegacyValueError, match="expected an integer like 42"):
        parse_int(text)


def test_integers_may_be_negative() -> None:
    assert (parse_int("42"), parse_int("-1")) == (42, -1)


@pytest.mark.parametrize(
    ("text", "value"), [("1", "1"), ("1.0", "1.0"), ("0.33", "0.33"), ("1e-05", "0.00001")]
)
def test_doubles_and_decimals_are_read_as_exact_decimals(text: str, value: str) -> None:
    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "1,5", "", "0x10"])
def test_a_number_that_is_not_finite_is_rejected(text: str) -> None:
    with pytest.raises(LegacyValueError, match=r"expected a finite number like 1, 0\.33 or 1e-05"):
        parse_decimal(text)


def test_a_map_keeps_its_text_keys_and_typed_values() -> None:
    parsed = parse_map("{'do_1': 2, 'it''s': 'a, b', 'x': 0.5, 'y': True, 'z': -3}")
    assert parsed == {"do_1": 2, "it's": "a, b", "x": Decimal("0.5"), "y": True, "z": -3}


def test_an_empty_map_is_empty() -> None:
    assert parse_map("{}") == {}


@pytest.mark.parametrize(
    "text", ["{'a': 1", "{'a' 1}", "{'a': 1,}", "['a']", "{'a': NaN}", "{'a': 1} x", "{1: 2}"]
)
def test_a_malformed_map_says_a_map_was_expected(text: str) -> None:
    with pytest.raises(LegacyValueError) as raised:
        parse_map(text)
    assert str(raised.value) == f"expected a cqlsh map like {{'do_1': 2}}, got {text!r}"


def test_lists_hold_texts_numbers_and_maps() -> None:
    assert parse_list("['a', 'b''c']") == ["a", "b'c"]
    assert parse_list("[{'name': 'x', 'url': 'y'}, {}]") == [{"name": "x", "url": "y"}, {}]
    assert parse_list("[]") == []
    with pytest.raises(LegacyValueError, match=r"expected a cqlsh list like \['a', 'b'\]"):
        parse_list("{'a': 1}")


def test_a_set_reads_as_a_list_of_its_items() -> None:
    assert parse_literal("{'a', 'b'}") == ["a", "b"]


def test_a_question_udt_list_keeps_field_order_quoted_times_and_null_fields() -> None:
    text = (
        "[{id: 'q1', assess_ts: '2025-05-20 10:11:12.345000+0000', max_score: 1, score: 0.5, "
        "type: 'mcq', title: 'What''s next, then?', resvalues: [{'1': '{\"text\":\"A\"}'}], "
        "params: [], description: , duration: 14}]"
    )
    (question,) = parse_udt_list(text)
    assert list(question) == [
        "id", "assess_ts", "max_score", "score", "type", "title", "resvalues", "params",
        "description", "duration",
    ]  # fmt: skip
    assert question["assess_ts"] == "2025-05-20 10:11:12.345000+0000"
    assert question["title"] == "What's next, then?"
    assert question["resvalues"] == [{"1": '{"text":"A"}'}]
    assert (question["score"], question["description"], question["duration"]) == (
        Decimal("0.5"),
        None,
        14,
    )


def test_a_value_that_is_not_a_udt_list_says_so() -> None:
    with pytest.raises(LegacyValueError, match="expected a cqlsh list of user-defined types"):
        parse_udt_list("['q1']")


def test_cqlsh_prints_doubles_with_few_digits_and_no_trailing_zero() -> None:
    assert [format_double(v) for v in (1.0, 0.5, 1e-05, 1 / 3)] == [
        "1",
        "0.5",
        "1e-05",
        "0.3333333333333",
    ]
    assert format_double(1 / 3, nested=True) == "0.333333"
    assert format_double(float("nan")) == "NaN"


def test_a_legacy_time_and_a_date_are_formatted_as_sunbird_wrote_them() -> None:
    assert format_legacy_time(MAY_20, offset_minutes=330) == "2025-05-20 15:41:12:345+0530"
    assert format_date(MAY_20) == "2025-05-20"


def test_maps_and_sets_are_formatted_sorted_as_cqlsh_does() -> None:
    assert format_map({"b": 1, "a": "x'y"}) == "{'a': 'x''y', 'b': 1}"
    assert format_set({"b", "a"}) == "{'a', 'b'}"
    assert format_list([1, "a", [True]]) == "[1, 'a', [True]]"


epoch_ms = st.integers(min_value=-62_135_596_800_000 + 86_400_000, max_value=253_402_214_400_000)
offsets = st.integers(min_value=-12 * 60, max_value=14 * 60)
texts = st.text(st.characters(codec="utf-8"), max_size=12)
scalars = st.none() | st.booleans() | st.integers(-(10**12), 10**12) | texts


@given(epoch_ms, offsets, st.sampled_from([6, 3]))
def test_a_formatted_timestamp_reads_back_unchanged(moment: int, offset: int, digits: int) -> None:
    text = format_timestamp(moment, offset_minutes=offset, fraction_digits=digits)
    assert parse_timestamp(text) == moment


@given(epoch_ms.map(lambda ms: ms // 1000 * 1000), offsets)
def test_a_timestamp_without_fraction_reads_back_to_the_second(moment: int, offset: int) -> None:
    assert parse_timestamp(format_timestamp(moment, offset_minutes=offset, fraction_digits=0)) == (
        moment
    )


@given(epoch_ms, offsets)
def test_a_formatted_legacy_time_reads_back_unchanged(moment: int, offset: int) -> None:
    assert parse_legacy_time(format_legacy_time(moment, offset_minutes=offset)) == moment


@given(st.dictionaries(texts, st.integers(-(10**6), 10**6) | texts, max_size=8))
def test_a_formatted_map_reads_back_unchanged_even_with_quotes_in_keys(
    mapping: dict[str, object],
) -> None:
    assert parse_map(format_map(mapping)) == mapping


@given(
    st.lists(
        st.lists(
            st.tuples(st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True), scalars),
            max_size=6,
            unique_by=lambda field: field[0],
        ),
        max_size=4,
    )
)
def test_a_formatted_udt_list_reads_back_unchanged(
    udts: list[list[tuple[str, object]]],
) -> None:
    parsed = parse_udt_list(format_udt_list(udts))
    assert [list(udt.items()) for udt in parsed] == udts


@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-1000, max_value=1000)
)
def test_a_formatted_double_reads_back_when_it_has_few_digits(value: Decimal) -> None:
    assert parse_decimal(format_double(value)) == value


no_nul_texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
json_safe_scalars = (
    st.booleans()
    | st.integers(-(10**15), 10**15)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1e6, max_value=1e6)
    | no_nul_texts
)
literals = st.recursive(
    json_safe_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(no_nul_texts, inner, max_size=4),
    max_leaves=12,
)


@given(literals.filter(lambda value: isinstance(value, list | dict)))
def test_the_fast_json_path_reads_collections_exactly_as_the_token_parser(value: object) -> None:
    text = format_literal(value)
    assert parse_via_json(text) == parse_with_tokens(text)


@given(
    st.sampled_from(["{1: 2}", "{'a', 'b'}", "[5f0c3b9e-1c7a]", "['a', NaN]", "[true]", "(1, 2)"])
)
def test_the_fast_json_path_declines_forms_it_cannot_read(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - any refusal sends the text to the token parser
        parse_via_json(text)
