"""Every lazynp.random test runs twice: ``"numpy"`` (the default: small requests on a
NumPy-backed bit generator run NumPy's own methods on the same NumPy object) and ``"kernels"``
(generators built with ``_generator.NUMPY_SMALL[0] = False`` run lazynp's compiled kernels for
every request, so the kernels stay checked against NumPy at small sizes too)."""

from __future__ import annotations

import pytest

from lazynp.random import _generator, _legacy


@pytest.fixture(autouse=True, params=["numpy", "kernels"])
def small_path(request):
    if request.param == "numpy":
        yield request.param
        return
    saved = list(_legacy._global)
    _generator.NUMPY_SMALL[0] = False
    try:
        if saved:  # the global RandomState of this mode, in the same state
            rs = _legacy.RandomState(saved[0]._bit_generator)
            rs.set_state(saved[0].get_state(legacy=False))
            _legacy._set_global(rs)
        yield request.param
    finally:
        _generator.NUMPY_SMALL[0] = True
        if saved:
            st = _legacy._global[0].get_state(legacy=False)
            _legacy._set_global(saved[0])
            saved[0].set_state(st)
        else:  # a global RandomState made in this mode is not kept
            _legacy._global.clear()
            _legacy._NPRS = _legacy._NPRS_MT = None
