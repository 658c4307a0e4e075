"""How a running job hears the operator (Ctrl-C) and the crash tests (``TRACKLOG_TEST_*``)."""

from __future__ import annotations

import os
import signal
from types import FrameType
from typing import Any

from tracklog.entrypoints.cli.console import console
from tracklog.services.jobs.model import Hooks
from tracklog.settings import TestHooks


class CtrlC:
    """First Ctrl-C: stop after the batch in flight. Second: stop now (that batch rolls back)."""

    def __init__(self) -> None:
        self.requested = False
        signal.signal(signal.SIGINT, self._handle)

    def _handle(self, _signum: int, _frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        console.print("[yellow]stopping after the current batch[/] (Ctrl-C again: stop now)")


def runner_hooks(test: TestHooks) -> Hooks:
    stop = CtrlC()

    def kill_if(wanted: int | None) -> Any:
        def hook(batch: int) -> None:
            if wanted is not None and batch == wanted:
                os.kill(os.getpid(), signal.SIGKILL)

        return hook

    return Hooks(
        stop_requested=lambda: stop.requested,
        before_commit=kill_if(test.kill_before_commit),
        after_batch=kill_if(test.kill_after_batch),
    )
