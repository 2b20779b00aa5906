"""Chunked, parallel Dijkstra (access/routing/dijkstra.py): scipy's answer, in bounded memory, on one core or two."""

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from access.routing.dijkstra import CHUNK_BYTES, chunk_rows, default_workers, source_target_times


@pytest.fixture(scope="module")
def problem(city_walk_network):
    rng = np.random.default_rng(3)
    graph = city_walk_network.reverse
    sources = rng.choice(graph.shape[0], 11, replace=False)
    targets = rng.integers(0, graph.shape[0], 500)
    return graph, sources, targets, dijkstra(graph, directed=True, indices=sources)[:, targets]


@pytest.mark.parametrize(("workers", "rows"), [(1, None), (1, 3), (2, 3)])
def test_chunks_give_scipy_answer_to_the_bit(problem, workers, rows):
    graph, sources, targets, expected = problem
    seen = []
    got = source_target_times(graph, sources, targets, workers=workers, rows=rows,
                              on_chunk=lambda done, total: seen.append((done, total)))
    assert np.array_equal(got, expected)
    chunks = 1 if rows is None else 4  # 11 sources, 3 a chunk
    assert seen == [(i, chunks) for i in range(1, chunks + 1)]


def test_a_chunk_fits_its_memory_budget_whatever_the_network():
    for n_nodes in (2_000, 100_000, 2_000_000, 50_000_000, 10**9):
        for n_sources in (1, 77, 10_000):
            rows = chunk_rows(n_nodes, n_sources)
            assert 1 <= rows <= n_sources
            assert rows * n_nodes * 8 <= CHUNK_BYTES or rows == 1
    # on a small network every source fits one chunk, but two workers each get a share
    assert chunk_rows(2_000, 10) == 10 and chunk_rows(2_000, 10, workers=2) == 5


def test_small_work_stays_in_this_process():
    assert default_workers(2, 2_000) == 1
    assert default_workers(1, 10**9) == 1


CTRL_C_SCRIPT = """
import signal
import sys
import numpy as np
from scipy import sparse
from access.routing.dijkstra import source_target_times
n = 400_000
rng = np.random.default_rng(0)
graph = sparse.csr_matrix((rng.random(3 * n) + 0.1, (np.repeat(np.arange(n), 3), rng.integers(0, n, 3 * n))),
                          shape=(n, n))
def answer(signum, frame):  # as a command line does: its own handler, inherited by forked workers
    raise KeyboardInterrupt
signal.signal(signal.SIGINT, answer)
print("ready", flush=True)
try:
    source_target_times(graph, np.arange(60), np.arange(10), workers=2, rows=20)  # three chunks of ~3 s
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(130)
print("finished", flush=True)
"""


def test_ctrl_c_stops_the_workers_at_once_and_quietly():
    """Ctrl-C reaches every process of the group: the workers leave it to the parent, which stops them now."""
    import os
    import signal
    import subprocess
    import sys
    import time

    child = subprocess.Popen([sys.executable, "-c", CTRL_C_SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
    assert child.stdout.readline().strip() == "ready"
    time.sleep(4.0)  # one worker is on the third chunk, the other waits for work
    os.killpg(child.pid, signal.SIGINT)
    sent = time.perf_counter()
    out, err = child.communicate(timeout=60)
    assert time.perf_counter() - sent < 1.5, "the workers were not stopped: their chunk ran on"
    assert child.returncode == 130 and out.strip() == "interrupted", (out, err)
    assert "Traceback" not in err, err  # no worker printed its own KeyboardInterrupt
    time.sleep(0.5)
    try:
        os.killpg(child.pid, 0)
        left = True
    except ProcessLookupError:
        left = False
    assert not left, "a worker process outlived the run"
