"""Rendering the ops page's templates (packaged in ``templates/``; autoescape on everywhere)."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined


@cache
def environment() -> Environment:
    """Built on first use (nothing happens at import), then kept: templates compile once."""
    return Environment(
        loader=PackageLoader("tracklog.adapters.web", "templates"),
        autoescape=True,  # every value is escaped, whatever the template's file name
        undefined=StrictUndefined,  # a missing value is an error in the tests, not a blank
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
