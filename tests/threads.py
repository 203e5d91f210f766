"""Starting several threads at one moment, for the tests of simultaneous writes."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_at_once(target: Callable[..., None], *calls: tuple, timeout: float = 30) -> None:
    """`target(*args)` for each `args` in `calls`, each in a thread of its own, all released
    together by one barrier; returns once every thread has finished (at most `timeout` seconds
    each)."""
    barrier = threading.Barrier(len(calls))

    def released(*args: object) -> None:
        barrier.wait()
        target(*args)

    threads = [threading.Thread(target=released, args=args) for args in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
