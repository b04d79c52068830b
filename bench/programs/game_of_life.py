"""Conway's game of life on a torus: neighbour counts from rolled boolean grids."""

import json
import sys
import time

import numpy as np

SIZES = {"small": (100, 3000), "medium": (1000, 150)}  # n (n x n board), generations


def main():
    n, gens = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(17)
    board = rng.random((n, n)) < 0.3

    t0 = time.perf_counter()
    alive = []
    for _ in range(gens):
        b = board.astype(np.int8)
        nbrs = (np.roll(b, 1, 0) + np.roll(b, -1, 0) + np.roll(b, 1, 1) + np.roll(b, -1, 1)
                + np.roll(np.roll(b, 1, 0), 1, 1) + np.roll(np.roll(b, 1, 0), -1, 1)
                + np.roll(np.roll(b, -1, 0), 1, 1) + np.roll(np.roll(b, -1, 0), -1, 1))
        board = (nbrs == 3) | (board & (nbrs == 2))
        alive.append(int(board.sum()))
    checksum = [float(alive[-1]), float(sum(alive)), float(board[: n // 2].sum()),
                float(board[:, 0].sum())]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
