"""Direct-sum n-body: pairwise accelerations by broadcasting, leapfrog time steps."""

import json
import sys
import time

import numpy as np

RTOL = 1e-5

SIZES = {"small": (100, 2500), "medium": (1000, 12)}  # bodies, time steps


def accelerations(pos, mass, soft):
    dx = pos[None, :, 0] - pos[:, None, 0]
    dy = pos[None, :, 1] - pos[:, None, 1]
    dz = pos[None, :, 2] - pos[:, None, 2]
    inv_r3 = (dx**2 + dy**2 + dz**2 + soft**2) ** -1.5
    ax = (dx * inv_r3) @ mass
    ay = (dy * inv_r3) @ mass
    az = (dz * inv_r3) @ mass
    return np.stack([ax, ay, az], axis=1)


def main():
    n, steps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(12)
    pos = rng.standard_normal((n, 3))
    vel = rng.standard_normal((n, 3)) * 0.1
    mass = rng.random(n) / n + 1.0 / n
    dt, soft = 0.01, 0.1
    vel -= (mass[:, None] * vel).sum(axis=0) / mass.sum()

    t0 = time.perf_counter()
    acc = accelerations(pos, mass, soft)
    for _ in range(steps):
        vel += acc * (dt / 2)
        pos += vel * dt
        acc = accelerations(pos, mass, soft)
        vel += acc * (dt / 2)
    kinetic = 0.5 * (mass * (vel**2).sum(axis=1)).sum()
    checksum = [float(pos.sum()), float(np.abs(vel).sum()), float(kinetic), float(pos[0, 0])]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
