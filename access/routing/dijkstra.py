"""Shortest paths from many sources to a fixed set of targets, in chunks, on one core or several.

``scipy.sparse.csgraph.dijkstra`` from *k* sources returns a dense *k* ×
*all nodes* array: 77 counters on a network of two million nodes would be
1.2 GB, for the few hundred thousand columns (the origins' nodes) that are
wanted.  :func:`source_target_times` runs the sources in chunks of at most
:func:`chunk_rows` rows, so that a chunk's array stays within
:data:`CHUNK_BYTES` whatever the network's size, and keeps only the targets'
columns of each: memory is bounded however many sources there are.

scipy holds Python's GIL while it runs, so threads cannot share the work;
when the work is big enough to repay starting them (:data:`PARALLEL_MIN_WORK`),
the chunks go to worker processes, one per core (at most :data:`MAX_WORKERS`).
On Linux they are forked, so they share the graph without copying it and a
script needs no ``if __name__ == "__main__"`` guard; elsewhere they are
spawned and given the graph once.  The answer is the same either way, to the bit.

Example
-------
>>> import numpy as np
>>> from scipy import sparse
>>> graph = sparse.csr_matrix(([1.0, 2.0, 4.0], ([0, 1, 0], [1, 2, 2])), shape=(3, 3))
>>> source_target_times(graph, np.array([0, 1]), np.array([2, 0]))
array([[ 3.,  0.],
       [ 2., inf]])
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

__all__ = ["source_target_times", "chunk_rows", "default_workers", "CHUNK_BYTES", "PARALLEL_MIN_WORK",
           "MAX_WORKERS"]

CHUNK_BYTES = 256 * 1024**2
"""The most one chunk's dense array (chunk rows × all nodes, float64) may take."""

PARALLEL_MIN_WORK = 20_000_000
"""Sources × nodes below which the chunks run in this process (about two seconds of work)."""

MAX_WORKERS = 8
"""The most worker processes used, however many cores there are."""

ChunkCallback = Callable[[int, int], None]
"""Called with (chunks done, chunks in all) after each chunk: for a progress bar."""


def chunk_rows(n_nodes: int, n_sources: int, workers: int = 1) -> int:
    """Return the sources per chunk: as many as fit in :data:`CHUNK_BYTES`, and enough chunks to keep ``workers`` busy.

    >>> chunk_rows(2_000_000, 77), chunk_rows(2_000, 2), chunk_rows(2_000_000, 77, workers=2)
    (16, 2, 16)
    """
    fit = max(1, CHUNK_BYTES // (8 * max(n_nodes, 1)))
    share = -(-n_sources // max(workers, 1))  # ceil: each worker gets a chunk at least
    return int(max(1, min(fit, share, n_sources)))


def default_workers(n_sources: int, n_nodes: int) -> int:
    """Return the worker processes for this much work: 1 (this process) when small, else one per core.

    At most :data:`MAX_WORKERS`.
    """
    if n_sources * n_nodes < PARALLEL_MIN_WORK or n_sources < 2:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_WORKERS, n_sources))


_GRAPH: sparse.csr_matrix | None = None
_TARGETS: np.ndarray | None = None


def _start_worker(graph: sparse.csr_matrix | None, targets: np.ndarray | None) -> None:
    global _GRAPH, _TARGETS
    _GRAPH, _TARGETS = graph, targets


def _quiet_worker(graph: sparse.csr_matrix | None, targets: np.ndarray | None) -> None:
    """Start a worker that leaves Ctrl-C to the parent (which stops it), given the graph when spawned."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if graph is not None:
        _start_worker(graph, targets)


def _chunk(sources: np.ndarray) -> np.ndarray:
    return dijkstra(_GRAPH, directed=True, indices=sources)[:, _TARGETS]


def source_target_times(graph: sparse.csr_matrix, sources: np.ndarray, targets: np.ndarray, *,
                        workers: int | None = None, rows: int | None = None,
                        on_chunk: ChunkCallback | None = None) -> np.ndarray:
    """Shortest-path lengths from every source node to every target node (sources × targets).

    Parameters
    ----------
    graph
        The graph as a CSR matrix of edge weights (directed).
    sources, targets
        Node indices.
    workers
        Processes to use: ``None`` chooses (:func:`default_workers`), 1 runs here.
    rows
        Sources per chunk (default :func:`chunk_rows`).
    on_chunk
        Called with (chunks done, chunks in all) as chunks finish.

    Returns
    -------
    numpy.ndarray
        ``len(sources)`` × ``len(targets)``; ``inf`` where a target cannot be reached.
    """
    sources = np.asarray(sources, dtype=np.int64)
    targets = np.asarray(targets, dtype=np.int64)
    n = graph.shape[0]
    if workers is None:
        workers = default_workers(len(sources), n)
    rows = rows or chunk_rows(n, len(sources), workers)
    chunks = [sources[i:i + rows] for i in range(0, len(sources), rows)]
    out = np.empty((len(sources), len(targets)))
    report = on_chunk or (lambda _done, _total: None)
    starts = np.cumsum([0] + [len(c) for c in chunks])
    if workers <= 1 or len(chunks) < 2:
        for i, chunk in enumerate(chunks):
            out[starts[i]:starts[i + 1]] = dijkstra(graph, directed=True, indices=chunk)[:, targets]
            report(i + 1, len(chunks))
        return out
    graph = graph.tocsr()
    forked = sys.platform == "linux"
    context = multiprocessing.get_context("fork" if forked else "spawn")
    _start_worker(graph, targets)  # forked workers inherit these; spawned ones are sent them
    pool = ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=context, initializer=_quiet_worker,
                               initargs=(None, None) if forked else (graph, targets))
    try:
        for i, result in enumerate(pool.map(_chunk, chunks)):
            out[starts[i]:starts[i + 1]] = result
            report(i + 1, len(chunks))
    except BaseException:  # Ctrl-C, or a failed chunk: stop the workers now rather than wait for their chunks
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        _start_worker(None, None)
    pool.shutdown(wait=True)
    return out
