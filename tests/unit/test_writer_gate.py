"""The SQLite writer gate: one writer at a time, re-entrant, and never a wait without end."""

from __future__ import annotations

import threading

from tracklog.adapters.store.writer_gate import WriterGate


def test_a_second_writer_waits_until_the_first_leaves() -> None:
    gate = WriterGate()
    order: list[str] = []

    def second() -> None:
        gate.enter()
        order.append("second")
        gate.leave()

    assert gate.enter()
    waiting = threading.Thread(target=second)
    waiting.start()
    order.append("first")
    gate.leave()
    waiting.join()
    assert order == ["first", "second"]


def test_the_same_thread_may_enter_again() -> None:
    gate = WriterGate(timeout_s=0.01)
    assert gate.enter()
    assert gate.enter()
    gate.leave()
    gate.leave()


def test_a_writer_kept_out_too_long_goes_on_ungated() -> None:
    gate = WriterGate(timeout_s=0.01)
    assert gate.enter()
    result: list[bool] = []
    other = threading.Thread(target=lambda: result.append(gate.enter()))
    other.start()
    other.join()
    gate.leave()
    assert result == [False]
