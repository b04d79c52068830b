"""Ziggurat tables: the shipped data and the generator recipe match the spec's SHA-256."""

from __future__ import annotations

import pytest

from lazynp.random import _ziggurat as Z
from lazynp.random._ziggurat_gen import SHA256, table_sha256


@pytest.mark.parametrize("name", sorted(SHA256))
def test_shipped_tables_checksums(name):
    values = getattr(Z, name)
    if not name.startswith("k"):
        values = [float.fromhex(v) for v in values]
    assert len(values) == 256
    assert table_sha256(name, values) == SHA256[name]


def test_recipe_regenerates_tables():
    pytest.importorskip("mpmath")
    from lazynp.random._ziggurat_gen import generate

    for name, values in generate().items():
        assert table_sha256(name, values) == SHA256[name], name
