"""Sheets (docs/structure.md): a flat graphene sheet (C-C 1.42 A) in a box 25 A high is a 3D sample
with vacuum, not a 2D one. Checks:
  rdf      auto-detected as a sheet (a note), g(r) = the numpy brute-force count normalised by the
           area density with 2 pi r shells, coordination 3 in the first shell, the same on 1 and 2 ranks;
           -rdf_geometry bulk gives the volume normalisation; sheet on a bulk sample is an error.
  spectrum tersoff (3D only) accepts it; masses from the element name C; every mode of the flat sheet
           is in-plane or out-of-plane (flexural): /spectrum/modes/out_of_plane is 0 or 1, N - 1 of them 1."""
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.environ["SRC"], "tests"))
from vitrum_testlib import check, run, write_lammps_data  # noqa: E402

D, NX, NY, LZ, RMAX, DR = 1.42, 4, 6, 25.0, 4.9, 0.007  # shells away from bin edges
base = np.array([[0, 0], [D, 0], [1.5 * D, np.sqrt(3) / 2 * D], [2.5 * D, np.sqrt(3) / 2 * D]])
lx, ly = NX * 3 * D, NY * np.sqrt(3) * D
xy = np.array([b + [i * 3 * D, j * np.sqrt(3) * D] for i in range(NX) for j in range(NY) for b in base])
N = len(xy)
pos = np.c_[xy + 0.1, np.full(N, LZ / 2)]
write_lammps_data("graphene.data", np.diag([lx, ly, LZ]), (0, 0, 0), [1] * N, pos)

# brute-force pair distances (minimum image in x, y; no pair across 25 A of vacuum)
d = xy[:, None, :] - xy[None, :, :]
d -= np.round(d / [lx, ly]) * [lx, ly]
r = np.hypot(d[..., 0], d[..., 1])[~np.eye(N, dtype=bool)]
nb = int(round(RMAX / DR))
counts = np.bincount(np.floor(r / DR).astype(int), minlength=nb + 1)[:nb]
edges = np.arange(nb + 1) * DR
g_sheet = counts * (lx * ly) / (N * (N - 1) * np.pi * (edges[1:] ** 2 - edges[:-1] ** 2))
g_bulk = counts * (lx * ly * LZ) / (N * (N - 1) * 4 / 3 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3))

gs = []
for nranks in (1, 2):
    p = run(["rdf", "-sample", "graphene.data", "-rdf_rmax", RMAX, "-rdf_dr", DR, "-o", "sheet%d.h5" % nranks], nranks)
    with h5py.File("sheet%d.h5" % nranks, "r") as h:
        g = h["/structure/rdf/g"][0]
        geometry = h["/structure/rdf/g"].attrs["geometry"]
        area = h["/structure/rdf/volume"][()]
    gs.append(g)
check("normalised as a sheet" in p.stdout and geometry in (b"sheet", "sheet") and abs(area / (lx * ly) - 1) < 1e-12,
      "auto: a sheet (note printed, area %.4g A^2)" % area)
check(np.allclose(gs[0], g_sheet, rtol=1e-12, atol=0), "g(r) = brute-force count / (area density 2 pi r dr)")
check(np.array_equal(gs[0], gs[1]), "sheet g bitwise the same on 1 and 2 ranks")
rk = (edges[:-1] + edges[1:]) / 2
first = rk < 0.5 * (D + np.sqrt(3) * D)
coordination = (N - 1) / (lx * ly) * np.sum((gs[0] * np.pi * (edges[1:] ** 2 - edges[:-1] ** 2))[first])
check(abs(coordination - 3) < 1e-9 and abs(rk[np.argmax(gs[0] > 0)] - D) < DR, "coordination 3, first shell at %.3f A" % rk[np.argmax(gs[0] > 0)])
run(["rdf", "-sample", "graphene.data", "-rdf_rmax", RMAX, "-rdf_dr", DR, "-rdf_geometry", "bulk", "-o", "bulk.h5"])
with h5py.File("bulk.h5", "r") as h:
    check(np.allclose(h["/structure/rdf/g"][0], g_bulk, rtol=1e-12, atol=0), "-rdf_geometry bulk: volume normalisation")

# a bulk sample has no vacuum: sheet is refused
rng = np.random.default_rng(2)
write_lammps_data("gas.data", np.diag([12.0, 12.0, 12.0]), (0, 0, 0), [1] * 200, rng.random((200, 3)) * 12)
p = run(["rdf", "-sample", "gas.data", "-rdf_rmax", 4, "-rdf_geometry", "sheet", "-o", "gas.h5"], expect_fail=True)
msg = [line for line in (p.stdout + p.stderr).splitlines() if line.startswith("vitrum: error")]
check(msg and "vacuum" in msg[0] and not os.path.exists("gas.h5"), "sheet on a bulk sample: %s" % (msg[0] if msg else p.stdout))

# tersoff on the sheet: 3D, masses of C, flexural modes
run(["spectrum", "-sample", "graphene.data", "-potential", "tersoff", "-potential_file", "/usr/share/lammps/potentials/BNC.tersoff",
     "-potential_elements", "C", "-spectrum_method", "dense", "-spectrum_inertia", 0, "-spectrum_kpm", 0, "-o", "modes.h5"], 2)
with h5py.File("modes.h5", "r") as h:
    f = h["/spectrum/modes/out_of_plane"][...]
    masses = h["/spectrum/moments"].attrs["masses"]
check(len(f) == 3 * N - 3 and np.all(np.minimum(f, 1 - f) < 1e-10) and np.sum(f > 0.5) == N - 1,
      "out_of_plane: %d flexural modes (N - 1 = %d), all others in-plane" % (np.sum(f > 0.5), N - 1))
check(b"element" in masses if isinstance(masses, bytes) else "element" in masses, "masses of C from the element name")
