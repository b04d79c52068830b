"""Fixtures of the Dask tests: skipped without the ``dask`` extra (``pip install -e '.[dask]'``).

``cluster`` is a ``distributed.LocalCluster`` of 2 worker processes (1 thread each) on the
loopback interface only, started once for the test session and closed at its end; ``client``
is a client of it.  Dask's threaded scheduler needs no fixture (``scheduler="threads"``).
"""

from __future__ import annotations

import pytest

pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="session")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, silence_logs=40,
        # the scheduler's HTTP server (health routes) on a free loopback port, not 8787
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    ) as c:
        yield c


@pytest.fixture()
def client(cluster):
    with distributed.Client(cluster) as c:
        yield c
