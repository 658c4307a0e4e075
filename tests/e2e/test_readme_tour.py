"""The README's tour, run as written (in a scratch folder with the test's virtualenv as ``.venv``)
and checked against its ``#=>`` lines: each is a piece of what the commands print, in order."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tracklog.testing.backends import free_port

README = Path(__file__).resolve().parents[2] / "README.md"
TOUR_PORT = "8090"


def tour_script() -> str:
    text = README.read_text()
    section = text[text.index("## A five-minute tour") :]
    match = re.search(r"```bash\n(.*?)```", section, re.S)
    assert match is not None, "the tour's bash block"
    return match.group(1)


def expectations(script: str) -> list[str]:
    return [line[len("#=>") :].strip() for line in script.splitlines() if line.startswith("#=>")]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.skipif(shutil.which("curl") is None and os.environ.get("CI") != "true", reason="curl")
def test_the_readme_tour_works_as_written(tmp_path: Path) -> None:
    script = tour_script()
    wanted = expectations(script)
    assert len(wanted) >= 10  # the tour shows its outputs
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    port = str(free_port())
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKLOG_")}
    run = subprocess.run(
        # the trap stops the tour's server even when a command fails before its `kill %1`
        [
            "bash",
            "-c",
            "trap 'kill $(jobs -p) 2>/dev/null' EXIT\n" + script.replace(TOUR_PORT, port),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one stream, in the order things were printed
        text=True,
        timeout=240,
        check=False,
    )
    output = squeezed(run.stdout)
    position = 0
    for piece in wanted:
        found = output.find(squeezed(piece), position)
        assert found >= 0, f"the tour did not print {piece!r} (after what came before):\n{output}"
        position = found + len(squeezed(piece))
    assert (tmp_path / "tour" / "tracklog.db").exists()  # its own data, in its own folder
    assert not (tmp_path / "tracklog.db").exists()
