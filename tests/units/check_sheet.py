"""Sheets (docs/structure.md): a flat graphene sheet (C-C 1.42 A) in a box 25 A high is a 3D sample
with vacuum, not a 2D one. Checks:
  rdf      auto-detected as a sheet (a note), g(r) = the numpy brute-force count normalised by the
           area density with 2 pi r shells, coordination 3 in the first shell, the same on 1 and 2 ranks;
           -rdf_geometry bulk gives the volume normalisation; sheet on a bulk sample is an error.
  spectrum tersoff (3D only) accepts it; masses from the element name C; every mode of the flat sheet
           is in-plane or out-of-plane (flexural): /spectrum/modes/out_of_plane is 0 or 1, N - 1 of them 1.
  stacks   a periodic stack of layers is bulk at any rmax, below and above its interlayer gap: AB
           graphite built by ASE (a = 2.46, c = 6.70 A) in cells of 2 and 4 layers, and an AA stack of
           one layer per cell; its g(r) = the numpy brute-force count with the volume normalisation, and
           a note says why it is not a sheet. Few-layer sheets with vacuum stay sheets: bilayer graphene
           in a 20 A box (g = the numpy area normalisation) and a MoS2-like trilayer with 15 A of vacuum."""
import os
import sys

import itertools

import ase.io
import h5py
import numpy as np
from ase.build import mx2
from ase.lattice.hexagonal import Graphite

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


# Periodic stacks of layers against few-layer sheets (docs/structure.md#sheets): a sheet's vacuum is
# wider than rmax and more than 3 times every other empty layer and its in-plane spacing (A/N)^(1/2).
def brute_counts(atoms, rmax, dr):
    """Pair counts of all periodic images (cells of -2..2 in the plane, -1..1 along c) in bins of dr."""
    pos, cell = atoms.positions, np.array(atoms.cell)
    shifts = np.array(list(itertools.product(range(-2, 3), range(-2, 3), range(-1, 2)))) @ cell
    d = pos[None, :, None, :] - pos[:, None, None, :] + shifts[None, None, :, :]
    r = np.linalg.norm(d, axis=-1).ravel()
    r = r[(r > 1e-9) & (r < rmax)]
    edges = r / dr
    assert np.min(np.abs(edges - np.round(edges))) > 1e-6, "a distance on a bin edge"
    return np.bincount(np.floor(edges).astype(int), minlength=int(rmax / dr + 1e-9))[: int(rmax / dr + 1e-9)]


def rdf_of(atoms, name, rmax, dr):
    ase.io.write(name, atoms, format="extxyz")
    p = run(["rdf", "-sample", name, "-rdf_rmax", rmax, "-rdf_dr", dr, "-o", name + ".h5"])
    with h5py.File(name + ".h5", "r") as h:
        g, geometry = h["/structure/rdf/g_total"][...], h["/structure/rdf/g"].attrs["geometry"]
    return p.stdout, g, geometry.decode() if isinstance(geometry, bytes) else geometry


def shells(nb, dr, dim):
    e = np.arange(nb + 1) * dr
    return np.pi * np.diff(e ** 2) if dim == 2 else 4 / 3 * np.pi * np.diff(e ** 3)


SDR = 0.007  # graphite's distances (1.42, 2.46, 2.84, 3.35, 3.64 A) lie away from the bin edges
graphite2 = Graphite(symbol="C", latticeconstant={"a": 2.46, "c": 6.70}, size=(4, 4, 1))  # AB, 2 layers
graphite4 = Graphite(symbol="C", latticeconstant={"a": 2.46, "c": 6.70}, size=(4, 4, 2))  # 4 layers, c = 13.4
aa = graphite2[graphite2.positions[:, 2] < 1]  # one layer per cell 3.35 A high: AA graphite
aa.set_cell(np.array(graphite2.cell) * [1, 1, 0.5])
for atoms, name, rmaxes in ((graphite2, "graphite2.xyz", (3.0, 3.35)), (graphite4, "graphite4.xyz", (3.0, 4.0)), (aa, "aa.xyz", (1.6,))):
    for rmax in rmaxes:
        out, g, geometry = rdf_of(atoms, name, rmax, SDR)
        counts = brute_counts(atoms, rmax, SDR)
        n = len(atoms)
        g_bulk = counts * atoms.get_volume() / (n * (n - 1) * shells(len(counts), SDR, 3))
        check(geometry == "bulk" and "as a sheet" not in out and np.allclose(g, g_bulk, rtol=1e-12, atol=0),
              "%s (%d atoms), rmax %g: bulk, g(r) = the numpy volume normalisation (first peak %.2f)" % (name, n, rmax, g.max()))
        if rmax < 3.3 and name != "aa.xyz":
            check("periodic stack of layers" in out and "-rdf_geometry sheet" in out, "%s, rmax %g below the 3.35 A gap: a note names the stack" % (name, rmax))
p = run(["rdf", "-sample", "graphite4.xyz", "-rdf_rmax", 3.0, "-rdf_dr", SDR, "-rdf_geometry", "sheet", "-o", "forced.h5"])
with h5py.File("forced.h5", "r") as h:
    check(h["/structure/rdf/g"].attrs["geometry"] in (b"sheet", "sheet"), "-rdf_geometry sheet still forces a sheet on a stack whose gap is wider than rmax")

bilayer = graphite2.copy()
bilayer.set_cell(np.array(graphite2.cell) * [1, 1, 20.0 / 6.7])
bilayer.positions[:, 2] += 8.0
out, g, geometry = rdf_of(bilayer, "bilayer.xyz", 4.0, SDR)
counts = brute_counts(bilayer, 4.0, SDR)
area = np.linalg.norm(np.cross(bilayer.cell[0], bilayer.cell[1]))
g_sheet = counts * area / (len(bilayer) * (len(bilayer) - 1) * shells(len(counts), SDR, 2))
check(geometry == "sheet" and "as a sheet" in out and np.allclose(g, g_sheet, rtol=1e-12, atol=0),
      "bilayer graphene in a 20 A box, rmax 4 (above its 3.35 A gap): a sheet, g(r) = the numpy area normalisation")
layer = mx2("MoS2", kind="2H", a=3.18, thickness=3.19, size=(3, 3, 1), vacuum=None)
trilayer = layer.copy()
for k in (1, 2):
    shifted = layer.copy()
    shifted.positions[:, 2] += 6.15 * k
    trilayer += shifted
trilayer.set_cell(np.array(layer.cell) + np.diag([0, 0, 2 * 6.15 + 3.19 + 15.0]))
trilayer.positions[:, 2] += 3.19 / 2 + 7.5
trilayer.pbc = True
out, g, geometry = rdf_of(trilayer, "mos2_trilayer.xyz", 4.0, 0.01)
check(geometry == "sheet" and "as a sheet" in out, "a MoS2-like trilayer (layers 6.15 A apart) with 15 A of vacuum: a sheet")
