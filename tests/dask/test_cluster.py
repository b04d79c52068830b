def test_cluster_runs_lazynp(client):
    import lazynp
    def f(n):
        import lazynp as np
        return float(np.ones(n).sum())
    assert client.submit(f, 3_000_000).result() == 3e6
    assert lazynp is not None
