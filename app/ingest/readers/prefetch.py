"""A bounded producer thread: the next batch is prepared while the current one is used."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def prefetch(items: Iterable[T], depth: int) -> Iterator[T]:
    """Produce `items` in a worker thread, `depth` ahead of the consumer.

    pyarrow kernels release the GIL, so parsing (or cleaning) the next batch runs on the other
    core while the caller works on this one. Errors reach the consumer; closing the consumer
    stops the worker.
    """
    out: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in items:
                while not stop.is_set():
                    try:
                        out.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            out.put(_DONE)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            out.put(exc)

    worker = threading.Thread(target=produce, name="ingest-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = out.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            with contextlib.suppress(queue.Empty):
                out.get(timeout=0.1)
        worker.join()


_DONE = object()
