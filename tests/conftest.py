"""pytest configuration shared by the whole test tree.

Hypothesis profiles (pick one with ``HYPOTHESIS_PROFILE=...``, default ``ci``):

* ``ci``: deterministic (derandomized), no deadline, modest example counts so the suite stays
  fast on a two-core machine;
* ``thorough``: 2000 examples per property, for hunting bugs locally.

Fixture ``lazy_mode`` runs a test twice: ``"lazy"`` sets ``eager_threshold=0`` so that even
tiny arrays go through the graph (and the fused kernels), ``"eager"`` keeps lazynp's defaults
(small results computed eagerly through NumPy).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=100,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
settings.register_profile(
    "thorough",
    max_examples=2000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# The tests run with the eager threshold at 4096 elements, so that both tiers (NumPy's own
# small arrays, lazynp's lazy ones) are exercised on arrays that are cheap to make; the
# default (calibrated for speed, far larger) is covered by the runner tests, which run
# scripts in subprocesses with the default settings.
TEST_EAGER_THRESHOLD = 4096


@pytest.fixture(autouse=True)
def _test_tiers():
    import lazynp as lnp

    with lnp.config(eager_threshold=TEST_EAGER_THRESHOLD):
        yield


@pytest.fixture(params=["lazy", "eager"])
def lazy_mode(request):
    """``"lazy"``: every operation is recorded (eager_threshold=0); ``"eager"``: defaults."""
    import lazynp as lnp

    if request.param == "lazy":
        with lnp.config(eager_threshold=0):
            yield "lazy"
    else:
        yield "eager"


@pytest.fixture
def always_lazy():
    """Force the graph path for tests that only make sense with pending nodes."""
    import lazynp as lnp

    with lnp.config(eager_threshold=0):
        yield
