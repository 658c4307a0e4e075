"""``collections.jsonl``: the course trees an export may carry (Tracklog's extension of the
Sunbird export, since Cassandra holds progress but not the hierarchy). One JSON object a line:
``{"collectionId", "leafNodes": [...], "optionalNodes"?, "name"?, "type"?, "moduleTypes"?}``."""

from __future__ import annotations

from typing import Any, NamedTuple

from tracklog.domain.legacy import MAX_ID_LENGTH, BadRow


class LegacyCollection(NamedTuple):
    collection_id: str
    leaf_nodes: tuple[str, ...]
    optional_nodes: frozenset[str]
    name: str | None
    type: str | None
    module_types: dict[str, str]
    line: int = 0


def _id(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadRow(field, "must be a non-empty string")
    if len(value) > MAX_ID_LENGTH:
        raise BadRow(field, f"is longer than {MAX_ID_LENGTH} characters")
    return value


def _ids(value: Any, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadRow(field, "must be a list of content ids")
    return tuple(_id(item, f"{field}[{i}]") for i, item in enumerate(value))


def _text(value: Any, field: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise BadRow(field, "must be a string")


def collection_from_json(value: Any, line: int = 0) -> LegacyCollection:
    if not isinstance(value, dict):
        raise BadRow("collection", "must be a JSON object")
    types = value.get("moduleTypes") or {}
    if not isinstance(types, dict) or not all(isinstance(v, str) for v in types.values()):
        raise BadRow("moduleTypes", "must map content ids to module type names")
    leaves = _ids(value.get("leafNodes"), "leafNodes")
    if not leaves:
        raise BadRow("leafNodes", "must list at least one leaf")
    return LegacyCollection(
        collection_id=_id(value.get("collectionId"), "collectionId"),
        leaf_nodes=tuple(dict.fromkeys(leaves)),
        optional_nodes=frozenset(_ids(value.get("optionalNodes"), "optionalNodes")),
        name=_text(value.get("name"), "name"),
        type=_text(value.get("type"), "type"),
        module_types={str(k): v for k, v in types.items()},
        line=line,
    )
