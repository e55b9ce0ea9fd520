"""Independent units of work — one manuscript to read and extract, one source text to search
— run in order-preserving maps: in this process (one job), in a pool of worker processes
(`--jobs`, by default the machine's cores), or on a dask.distributed cluster (`--scheduler
tcp://HOST:PORT`, or DASK_SCHEDULER_ADDRESS) when one machine is not enough.

    with Executor(jobs=4) as ex:
        documents = ex.map(extract_unit, paths, shared=known_names)

`fn` is a module-level function `fn(item, shared)`; `shared` (a bibliography's names, the
source texts' index) is sent to each worker once — to a pool's workers when they start, to a
cluster's workers by `scatter` — not once per item. Results come back in the order of the
items whatever the number of workers, so the report is byte-identical to a serial run's.

dask is an optional extra (`pip install citeaudit[dask]`), imported only when a scheduler
is named.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from .errors import CiteauditError

#: Below this many items a pool costs more than it saves: the work is done in this process.
MIN_PARALLEL = 2

_SHARED: Any = None  # what a pool worker was given once, at its start


def _init(shared: Any) -> None:
    global _SHARED
    _SHARED = shared


def _call(fn: Callable[[Any, Any], Any], item: Any) -> Any:
    return fn(item, _SHARED)


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def scheduler_address(given: str | None) -> str | None:
    """`--scheduler`, else DASK_SCHEDULER_ADDRESS, else None (the local pool)."""
    return given or os.environ.get("DASK_SCHEDULER_ADDRESS") or None


class Executor:
    """Maps over units of work: serially, in a process pool, or on a Dask cluster."""

    def __init__(self, jobs: int | None = None, scheduler: str | None = None) -> None:
        self.scheduler = scheduler_address(scheduler)
        self.jobs = jobs if jobs is not None else default_jobs()
        if self.jobs < 1:
            raise CiteauditError(f"--jobs must be 1 or more, not {self.jobs}")
        self._client = None
        if self.scheduler:
            self._client = _dask_client(self.scheduler)

    @property
    def parallel(self) -> bool:
        return self._client is not None or self.jobs > 1

    def map(self, fn: Callable[[Any, Any], Any], items: Iterable[Any], shared: Any = None,
            progress: Callable[[int, int], None] | None = None) -> list[Any]:
        """fn(item, shared) for each item, in order; `progress(done, total)` as results come."""
        items = list(items)
        total = len(items)
        if self._client is not None and items:
            return _dask_map(self._client, fn, items, shared, progress)
        out = []
        if self.jobs == 1 or total < MIN_PARALLEL:
            for item in items:
                out.append(fn(item, shared))
                if progress is not None:
                    progress(len(out), total)
            return out
        from concurrent.futures import ProcessPoolExecutor  # (a run of one manuscript needs none)

        workers = min(self.jobs, total)
        chunk = max(1, min(16, total // (workers * 4)))
        with ProcessPoolExecutor(max_workers=workers, initializer=_init, initargs=(shared,)) as pool:
            for result in pool.map(_call, [fn] * total, items, chunksize=chunk):
                out.append(result)
                if progress is not None:
                    progress(len(out), total)
        return out

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _dask_client(address: str):
    try:
        from distributed import Client
    except ImportError:
        raise CiteauditError("a Dask scheduler was named but dask.distributed is not installed "
                             "(pip install 'citeaudit[dask]')") from None
    try:
        return Client(address, timeout=5, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise CiteauditError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def _call_many(items: list[Any], fn: Callable[[Any, Any], Any], shared: Any) -> list[Any]:
    """A batch of items on a Dask worker: one task, as a pool sends a chunk (a unit's
    function takes the shared value second, whatever it names it)."""
    return [fn(item, shared) for item in items]


def _dask_map(client, fn, items: list[Any], shared: Any, progress=None) -> list[Any]:
    """The items on the cluster, `shared` scattered to every worker once; in batches of a
    few items (about four batches a worker), since each task costs the scheduler a round."""
    from distributed import as_completed

    shared_future = client.scatter(shared, broadcast=True, hash=False) if shared is not None else None
    workers = max(1, sum(client.nthreads().values()))
    size = max(1, min(16, len(items) // (workers * 4)))
    batches = [items[i:i + size] for i in range(0, len(items), size)]
    # (the batches travel in the task graph, so that the scheduler gives each to whichever
    # worker is free; scattered beforehand, each would run where it was sent)
    futures = client.map(_call_many, batches, fn=fn, shared=shared_future, pure=False)
    try:
        if progress is not None:
            sizes = {future.key: len(batch) for future, batch in zip(futures, batches)}
            done = 0
            for future in as_completed(futures):
                done += sizes[future.key]
                progress(done, len(items))
        return [result for batch in client.gather(futures) for result in batch]
    except Exception as exc:  # noqa: BLE001 - a worker's error comes back as itself
        if isinstance(exc, CiteauditError):
            raise
        raise CiteauditError(f"the Dask cluster at {client.scheduler.address} failed: {type(exc).__name__}: {exc}") from None
