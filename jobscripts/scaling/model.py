#!/usr/bin/python3
"""Performance model of vitrum's parallel stages, with the halo from the real decomposition.

Subcommands
  grid P [--dim D]                 the process grid vitrum uses for P ranks in a cubic box
  ghosts SAMPLE --width W --ranks 1,2,4,...
                                   owned and ghost atom counts per rank of vitrum's decomposition
                                   of SAMPLE for each P, computed here without running P ranks
                                   (same line format as `vitrum ... -domain_view`)
  predict --measured CSV --atoms N [--sample SAMPLE] [options]
                                   time per stage on P ranks (strong: N fixed; weak: N/P fixed),
                                   calibrated on measured 1-rank stage times (collect.py CSV),
                                   extrapolated to 10^4 ranks and 10^9 atoms, with a plot

The decomposition (src/domain/domain.c): the box is cut in fractional coordinates into a grid of
MPI_Dims_create(P, d) factors, the largest factor along the widest box direction; rank (i,j,k)
owns atoms with floor(s * g) = (i,j,k); ghosts arrive direction by direction, over as many hops
as needed, when s + image lies within the fractional width w_k = W / width_k of a face.
Stage model (alpha = network latency, beta = network bandwidth, B = memory bandwidth per rank):
  RDF, Hessian:  T = t_atom * (owned_max + ghost_max / 2)
                     + hops * 2d * (alpha + ghost_bytes / beta) + log2(P) * (alpha + reduced_bytes / beta)
  KPM VDOS:      T = M * [ matrix_bytes_max / B(P) + 2d * (alpha + R d 8 ghost_max / beta)
                           + log2(P) * alpha ]          (one allreduce of the moments per step)
  Low modes (twolevel, 3D), I LOBPCG iterations of a block of m vectors:
                 T = max(t_modes * (owned_max + ghost_max / 2), I * b_modes * owned_max / B(P))
                     + I * [ n_prod * hops * 2d * (alpha + m d 4 ghost_max / (2d) / beta)
                             + n_red * log2(P) * (alpha + 8 (3m)^2 / beta) + 20 (3m)^3 / F
                             + T_coarse(P) ]
                 (b_modes: the bytes an iteration moves per atom, so that ranks sharing a node's
                 memory bandwidth slow down as in the KPM)
                 T_coarse(P) = t_coarse_ref P_ref (n_c / n_c_ref)^(4/3) (s + (1 - s) / P)
                               + 2 log2(P) (alpha + 8 m sep / beta)
                 (the coarse solve of each iteration: a 3D nested-dissection factor holds ~n_c^(4/3)
                 entries; forward and backward sweeps pass a separator of sep = 12 (n_c/12)^(2/3)
                 unknowns per level of the distributed tree; n_c from vitrum's default aggregates;
                 s: the share of the solve that does not divide over the ranks, 0 by default)
  TSQR fit:      T = 2 n p^2 / (P F) + log2(P) * (alpha + 4 p^2 / beta + (4/3) p^3 / F)
B(P) = min(B_core, B_node / ranks_per_node): a node's memory bandwidth is shared by its ranks.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np


def prime_factors(n):
    out, f = [], 2
    while n > 1:
        while n % f == 0:
            out.append(f)
            n //= f
        f += 1 if f == 2 else 2
        if f * f > n and n > 1:
            out.append(n)
            break
    return out


def dims_create(p, d):
    """Open MPI's MPI_Dims_create: prime factors, largest first, each to the dimension with the
    smallest product so far; result non-increasing."""
    dims = [1] * d
    for f in sorted(prime_factors(p), reverse=True):
        dims[int(np.argmin(dims))] *= f
    return sorted(dims, reverse=True)


def process_grid(p, widths):
    """vitrum's grid: MPI_Dims_create's factors, the largest along the widest direction."""
    d = len(widths)
    factors = dims_create(p, d)
    order = list(range(d))
    for a in range(d):  # the same exchange sort as DomainSetGrid (ties keep the lower index first)
        for b in range(a + 1, d):
            if widths[order[b]] > widths[order[a]]:
                order[a], order[b] = order[b], order[a]
    grid = [1, 1, 1]
    for a in range(d):
        grid[order[a]] = factors[a]
    return grid


def read_sample(path, vitrum):
    """Fractional positions s (N, 3) wrapped to [0, 1), cell rows (3, 3), dimension: through
    `vitrum convert` (so every format vitrum reads is accepted) and h5py."""
    import h5py
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "s.h5")
        subprocess.run([vitrum, "convert", "-sample", path, "-o", out], check=True, stdout=subprocess.DEVNULL)
        with h5py.File(out, "r") as f:
            x = f["particles/all/position/value"][-1]
            edges = np.asarray(f["particles/all/box/edges"][()], dtype=float)
            lo = f["parameters/vitrum/box_lo"][()]
            dim = int(f["particles/all/box"].attrs["dimension"][0])
    cell = np.diag(edges) if edges.ndim == 1 else edges
    if cell.shape[0] < 3:
        c = np.zeros((3, 3))
        c[:cell.shape[0], :cell.shape[1]] = cell
        cell = c
    x3 = np.zeros((len(x), 3))
    x3[:, :x.shape[1]] = x
    lo3 = np.zeros(3)
    lo3[:len(lo)] = lo
    dd = dim
    s = np.zeros((len(x), 3))
    s[:, :dd] = np.linalg.solve(cell[:dd, :dd].T, (x3 - lo3)[:, :dd].T).T
    s -= np.floor(s)
    s[s >= 1.0] = 0.0
    return s, cell, dim


def widths_of(cell, dim):
    """Perpendicular widths: V / |b x c| etc. (2D: area / |b|, area / |a|)."""
    if dim == 2:
        area = abs(np.linalg.det(cell[:2, :2]))
        return [area / np.linalg.norm(cell[1]), area / np.linalg.norm(cell[0])]
    v = abs(np.linalg.det(cell))
    return [v / np.linalg.norm(np.cross(cell[(i + 1) % 3], cell[(i + 2) % 3])) for i in range(3)]


def copies_along(u, g, wk):
    """For coordinate u (array) in a grid of g slabs: the (slab, multiplicity) lists where an atom
    is present (owned or ghost), following the hop rules of GhostHop. Returns a list of arrays of
    slab indices, one per copy (owner first, then up and down hops)."""
    c0 = np.clip(np.floor(u * g).astype(int), 0, g - 1)
    copies = [c0]
    nhops = int(math.ceil(wk * g))
    for side in (1, 0):
        c, uu, alive = c0.copy(), u.copy(), np.ones(len(u), bool)
        for _ in range(nhops):
            if side:
                near = uu >= (c + 1) / g - wk
                shift = np.where(c == g - 1, -1.0, 0.0)
                cn = (c + 1) % g
            else:
                near = uu < c / g + wk
                shift = np.where(c == 0, 1.0, 0.0)
                cn = (c - 1) % g
            alive &= near
            uu = uu + shift
            c = cn
            copies.append(np.where(alive, c, -1))
    return copies


def halo_counts(s, widths, p, width, grid=None):
    """Owned and ghost atoms per rank of vitrum's decomposition with ghost width `width`
    (grid: an explicit process grid, as -domain_grid gives)."""
    d = len(widths)
    grid = list(grid) + [1] * (3 - len(grid)) if grid else process_grid(p, widths)
    per_dim = []
    for k in range(3):
        if k < d:
            wk = width / widths[k] * (1 + 1e-12)
            per_dim.append(copies_along(s[:, k], grid[k], wk))
        else:
            per_dim.append([np.zeros(len(s), int)])
    total = np.zeros(grid[0] * grid[1] * grid[2], dtype=np.int64)
    owned = np.zeros_like(total)
    for a, ca in enumerate(per_dim[0]):
        for b, cb in enumerate(per_dim[1]):
            for c, cc in enumerate(per_dim[2]):
                ok = (ca >= 0) & (cb >= 0) & (cc >= 0)
                rank = (ca[ok] * grid[1] + cb[ok]) * grid[2] + cc[ok]
                counts = np.bincount(rank, minlength=len(total))
                total += counts
                if a == b == c == 0:
                    owned += counts
    return grid, owned, total - owned


def cmd_grid(a):
    print(*process_grid(a.p, [1.0] * a.dim))


def cmd_ghosts(a):
    s, cell, dim = read_sample(a.sample, a.vitrum)
    widths = widths_of(cell, dim)
    user_grid = [int(x) for x in a.grid.split(",")] if a.grid else None
    volume = abs(np.linalg.det(cell[:dim, :dim]))
    for p in [int(x) for x in a.ranks.split(",")]:
        grid, owned, ghosts = halo_counts(s, widths, p, a.width, user_grid)
        g = grid + [1] * (3 - len(grid))
        print(f"P {p}: grid {g[0]}x{g[1]}x{g[2]}, ghost width {a.width:.17g}, owned min {owned.min()} mean {owned.mean():.6g} max {owned.max()}, "
              f"ghosts min {ghosts.min()} mean {ghosts.mean():.6g} max {ghosts.max()} total {ghosts.sum()}")
        if a.formula:  # the geometric halo the model extrapolates with, for a cubic box of this density
            formula, _ = geometric_halo(len(s), len(s) / volume, p, a.width, dim)
            print(f"P {p}: geometric halo {formula:.6g} ghosts per rank (model) vs mean {ghosts.mean():.6g} (real decomposition)")


def geometric_halo(n_atoms, density, p, width, dim=3):
    """Ghosts of the largest domain of a cubic box of n_atoms at `density` on p ranks:
    density * (prod (a_k + 2 W) - prod a_k), a_k = L / g_k (exact for a homogeneous sample when
    every domain is at least W thick; more hops are counted by the same formula)."""
    length = (n_atoms / density) ** (1.0 / dim)
    grid = process_grid(p, [length] * dim)
    a_k = [length / g for g in grid[:dim]]
    return density * (np.prod([x + 2 * width for x in a_k]) - np.prod(a_k)), max(int(math.ceil(width / x)) for x in a_k)


DEFAULTS = dict(alpha=2e-6, beta=12.5e9, node_bw=200e9, ranks_per_node=64, flops=10e9,
                matrix_bytes_per_atom=5062.0, kpm_moments=1000, kpm_vectors=10,
                rdf_width=5.0, hessian_width=2.5, density=1.2, dim=3, fit_rows=1e6, fit_features=300,
                # twolevel (docs/SCALING.md, 10^6 atoms, 2 ranks, session 33): 54 iterations of a
                # block of 32; per iteration 12 float products of the cycle and H X, about 6 sums of
                # Gram matrices over the ranks, and the coarse solves, 0.31 s per iteration at
                # 24,576 coarse unknowns on 2 ranks (16.5 s in all)
                modes_iterations=54, modes_block=32, modes_products=13, modes_reductions=6,
                coarse_solve_ref_s=0.31, coarse_unknowns_ref=24576, coarse_ranks_ref=2, coarse_serial=0.0,
                # bytes per atom and iteration (3D KA, m = 32): 12 float products (the float copy of H,
                # 2.5 kB/atom, and two float blocks, 0.8 kB) + H X in double (5.0 + 1.5 kB) + the
                # cycle's updates (4 float blocks a step, 18 kB) + Rayleigh-Ritz's passes (10 blocks,
                # 7.7 kB): about 72 kB
                modes_bytes_per_atom=72e3)


def coarse_unknowns(n):
    """twolevel's coarse unknowns for a 3D sample of n atoms with the default aggregates
    (src/spectrum/twolevel.c, DefaultAggregate): max(64, sqrt(n)/4) atoms asked per aggregate, the
    grid's cells hold up to twice that (1.95 x at 10^6 atoms), 12 affine functions each."""
    return 12.0 * n / (2.0 * max(64.0, math.sqrt(n) / 4.0))


def modes_serial(n, c):
    """Per LOBPCG iteration on one rank: the coarse solve and Rayleigh-Ritz's small dense problems
    (3m x 3m, ~20 (3m)^3 flops, replicated on every rank), the parts that are not per atom."""
    coarse = c["coarse_solve_ref_s"] * c["coarse_ranks_ref"] * (coarse_unknowns(n) / c["coarse_unknowns_ref"]) ** (4.0 / 3.0)
    return coarse, 20.0 * (3 * c["modes_block"]) ** 3 / c["flops"]


def modes_time(p, n, c, t_modes, serial_scale, bw, owned, ghosts, hops):
    """The low modes (twolevel) on p ranks: per-atom work (or the time to move its bytes at the
    rank's memory bandwidth bw, where that is longer), halos of every product, Gram sums, the
    coarse solve (its work divided over the ranks but for the share coarse_serial, one message per
    level of the distributed elimination tree each way) and the replicated dense problems (those
    two times serial_scale, from the calibration)."""
    d, m, its, s = c["dim"], c["modes_block"], c["modes_iterations"], c["coarse_serial"]
    coarse, dense = modes_serial(n, c)
    per_iteration = serial_scale * (coarse * (s + (1 - s) / p) + dense)
    if p > 1:
        lg = math.log2(p)
        sep = 12.0 * (coarse_unknowns(n) / 12.0) ** (2.0 / 3.0)
        per_iteration += c["modes_products"] * hops * 2 * d * (c["alpha"] + m * d * 4 * ghosts / (2 * d) / c["beta"])
        per_iteration += c["modes_reductions"] * lg * (c["alpha"] + 8 * (3 * m) ** 2 / c["beta"])
        per_iteration += 2 * lg * (c["alpha"] + 8 * m * sep / c["beta"])
    return max(t_modes * (owned + ghosts / 2), its * c["modes_bytes_per_atom"] * owned / bw) + its * per_iteration


def stage_times(p, n, c, t_atom):
    """Model times (s) of each stage on p ranks for n atoms; c: parameters, t_atom: calibrated
    per-atom costs at 1 rank {'Structure': s, 'Hessian': s, 'kpm_bw': B_core, 'Modes': s, ...}."""
    d, lg = c["dim"], math.log2(p) if p > 1 else 0.0
    owned = n / p
    out = {}
    for stage, width in (("Structure", c["rdf_width"]), ("Hessian", c["hessian_width"])):
        if stage not in t_atom:
            continue
        ghosts, hops = geometric_halo(n, c["density"], p, width, d)
        comm = (hops * 2 * d * (c["alpha"] + 96 * ghosts / (2 * d) / c["beta"]) if p > 1 else 0.0) + lg * c["alpha"]
        out[stage] = t_atom[stage] * (owned + ghosts / 2) + comm
    ghosts, hops = geometric_halo(n, c["density"], p, c["hessian_width"], d)  # the Hessian's halo: KPM and modes
    if "kpm_bw" in t_atom:
        bw = min(t_atom["kpm_bw"], c["node_bw"] / min(p, c["ranks_per_node"]))
        per_step = c["matrix_bytes_per_atom"] * owned / bw
        if p > 1:
            per_step += hops * 2 * d * (c["alpha"] + c["kpm_vectors"] * d * 8 * ghosts / (2 * d) / c["beta"]) + lg * c["alpha"]
        out["Spectrum"] = c["kpm_moments"] * per_step
    if "Modes" in t_atom and d == 3:
        bw = min(t_atom["modes_bw"], c["node_bw"] / min(p, c["ranks_per_node"]))
        out["Modes"] = modes_time(p, n, c, t_atom["Modes"], t_atom["modes_serial_scale"], bw, owned, ghosts, hops)
    f, nrow = c["fit_features"], c["fit_rows"]
    out["Fit (TSQR)"] = 2 * nrow * f * f / (p * c["flops"]) + lg * (c["alpha"] + 4 * f * f / c["beta"] + 4.0 / 3.0 * f ** 3 / c["flops"])
    return out


def calibrate(measured_csv, n_measured, c):
    """Per-atom costs from the 1-rank rows of a collect.py CSV (strong series at n_measured atoms)."""
    import csv
    rows = [r for r in csv.DictReader(open(measured_csv)) if int(r["ranks"]) == 1]
    if not rows:
        sys.exit(f"model.py: {measured_csv}: no 1-rank rows to calibrate on")
    t_atom, modes_1 = {}, None
    for r in rows:
        t = float(r["time_max"])
        if r["stage"] in ("Structure", "Hessian"):
            width = c["rdf_width"] if r["stage"] == "Structure" else c["hessian_width"]
            ghosts, _ = geometric_halo(n_measured, c["density"], 1, width, c["dim"])
            t_atom[r["stage"]] = t / (n_measured + ghosts / 2)
        elif r["stage"] == "Spectrum":
            t_atom["kpm_bw"] = c["kpm_moments_measured"] * c["matrix_bytes_per_atom"] * n_measured / t
        elif r["stage"] == "Modes" and c["dim"] == 3:
            modes_1 = t
    if modes_1 is not None:
        t_atom["Modes"], t_atom["modes_serial_scale"], t_atom["modes_bw"] = modes_calibration(modes_1, n_measured, c, t_atom.get("kpm_bw", 0.0))
    return t_atom


def modes_calibration(t, n, c, kpm_bw):
    """From a measured 1-rank time t of the low modes at n atoms: the per-atom time (t less the
    modelled coarse solves and dense problems); the scale of those, 1, or where they would exceed
    half of t (a sample too small to tell them apart; a note says so) the scale that makes them
    half; and a rank's memory bandwidth for them, the KPM's or what this run itself moved, if more.
    So the model gives t back at n atoms on 1 rank."""
    coarse, dense = modes_serial(n, c)
    serial, scale = c["modes_iterations"] * (coarse + dense), 1.0
    if serial > t / 2:
        print(f"model.py: note: the modelled coarse solves and dense problems ({serial:.3g} s) exceed half of the measured 1-rank modes ({t:.3g} s) at {n:.0f} atoms; "
              "they are scaled to half of it (calibrate on a larger sample)")
        serial, scale = t / 2, t / 2 / serial
    ghosts, _ = geometric_halo(n, c["density"], 1, c["hessian_width"], c["dim"])
    moved = c["modes_iterations"] * c["modes_bytes_per_atom"] * n / (t - serial)
    return (t - serial) / (n + ghosts / 2), scale, max(kpm_bw, moved)


def cmd_predict(a):
    c = dict(DEFAULTS)
    if a.params:
        c.update(json.load(open(a.params)))
    c["kpm_moments_measured"] = a.kpm_moments_measured
    t_atom = calibrate(a.measured, a.atoms, c)
    ranks = [2 ** k for k in range(0, 15) if 2 ** k <= 16384]
    series = [("strong 1e6 atoms", lambda p: 1e6), ("strong 1e9 atoms", lambda p: 1e9), ("weak 1e5 atoms per rank", lambda p: 1e5 * p)]
    table = []
    for name, n_of in series:
        for p in ranks:
            n = n_of(p)
            if n / p < 100 or n / p > 2e7:  # outside what a rank holds
                continue
            for stage, t in stage_times(p, n, c, t_atom).items():
                table.append(dict(series=name, ranks=p, atoms=n, stage=stage, model_s=t))
    with open(a.out_csv, "w") as f:
        f.write("series,ranks,atoms,stage,model_s\n")
        for r in table:
            f.write(f"{r['series']},{r['ranks']},{r['atoms']:.0f},{r['stage']},{r['model_s']:.6g}\n")
    print(f"model.py: calibration {json.dumps({k: float(v) for k, v in t_atom.items()})}")
    print(f"model.py: parameters {json.dumps({k: c[k] for k in DEFAULTS})}")
    print(f"model.py: {len(table)} rows -> {a.out_csv}")
    if a.plot:
        plot_model(table, a.measured, a.atoms, a.plot)


def plot_model(table, measured_csv, n_measured, path):
    import csv
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    meas = list(csv.DictReader(open(measured_csv)))
    names = sorted({r["series"] for r in table})
    stages = sorted({r["stage"] for r in table})
    colour = {stage: f"C{k}" for k, stage in enumerate(stages)}
    fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 4))
    for ax, name in zip(axes, names):
        for stage in stages:
            sel = [r for r in table if r["series"] == name and r["stage"] == stage]
            ax.loglog([r["ranks"] for r in sel], [r["model_s"] for r in sel], "-", color=colour[stage], label=f"{stage} (model)")
        ax.set(xlabel="MPI ranks", ylabel="time (s)", title=name)
    ax = axes[names.index("strong 1e6 atoms")]
    for stage in stages:  # measured points of the modelled stages, scaled to 1e6 atoms
        sel = [r for r in meas if r["stage"] == stage]
        if sel:
            ax.loglog([int(r["ranks"]) for r in sel], [float(r["time_max"]) * 1e6 / n_measured for r in sel], "o", color=colour[stage], ms=5,
                      label=f"{stage} (measured at {n_measured:.3g} atoms x {1e6 / n_measured:.3g})")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"model.py: plot -> {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("grid")
    g.add_argument("p", type=int)
    g.add_argument("--dim", type=int, default=3)
    h = sub.add_parser("ghosts")
    h.add_argument("sample")
    h.add_argument("--width", type=float, required=True)
    h.add_argument("--ranks", required=True)
    h.add_argument("--formula", action="store_true", help="also print the geometric halo of the model")
    h.add_argument("--grid", help="explicit process grid nx,ny[,nz] (as -domain_grid), one rank count")
    h.add_argument("--vitrum", default=os.environ.get("VITRUM", "vitrum"))
    m = sub.add_parser("predict")
    m.add_argument("--measured", required=True, help="collect.py CSV of a strong series (1-rank rows calibrate)")
    m.add_argument("--atoms", type=float, required=True, help="atoms of the measured sample")
    m.add_argument("--kpm-moments-measured", type=float, default=1000, help="KPM moments of the measured spectrum run")
    m.add_argument("--params", help="JSON overriding the machine/network parameters (see DEFAULTS)")
    m.add_argument("--out-csv", default="scaling_model.csv")
    m.add_argument("--plot")
    a = ap.parse_args()
    {"grid": cmd_grid, "ghosts": cmd_ghosts, "predict": cmd_predict}[a.cmd](a)


if __name__ == "__main__":
    main()
