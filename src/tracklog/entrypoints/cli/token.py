"""``tracklog token create``: mint a JWT for a user and role; ``tracklog token hash-key``: the
``TRACKLOG_LEGACY_API_KEYS`` entry of a gateway API key."""

from __future__ import annotations

import re
import sys

import typer

from tracklog.domain.access import Role
from tracklog.entrypoints.cli.console import banner, fail, out, settings

app = typer.Typer(help="API tokens.", no_args_is_help=True)
_DURATION = re.compile(r"^(\d+)([smhd])$")


@app.command("create")
def create(
    sub: str = typer.Option(..., "--sub", help="The user id (token subject)."),
    role: list[Role] = typer.Option(..., "--role", help="learner, admin, reporter or ops."),
    ttl: str = typer.Option("1h", "--ttl", help="Lifetime: 30m, 1h, 7d..."),
) -> None:
    """Print a signed token (HS256, TRACKLOG_AUTH_JWT_SECRET)."""
    from tracklog.adapters.tokens import TokenCodec

    current = settings()
    banner(current)
    out.print(TokenCodec(current).mint(sub, role, parse_duration(ttl)), soft_wrap=True)


@app.command("hash-key")
def hash_key() -> None:
    """Read a gateway API key from stdin; print its TRACKLOG_LEGACY_API_KEYS entry (sha256:<hex>).

    Configure the printed hashes, comma-separated, never the keys themselves."""
    from tracklog.domain.api_keys import hash_key as entry_of

    banner(settings())
    key = sys.stdin.read().strip()
    if not key:
        fail("no key on stdin: pipe the key in, e.g. `tracklog token hash-key < key.txt`")
    out.print(entry_of(key), soft_wrap=True)


def parse_duration(text: str) -> int:
    match = _DURATION.match(text.strip())
    if not match:
        fail(f"--ttl '{text}' is not a duration like 30m, 1h or 7d")
    value, unit = int(match.group(1)), match.group(2)
    if value <= 0:
        fail(f"--ttl '{text}' must be longer than zero")
    return value * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
