"""One dataset, one unit system and one potential (docs/fit.md, "One ensemble"):
* features refuses a sample whose unit style (its file's 'units =' declaration, else -units, else
  the potential's default) is not the first sample's, with one line naming both samples and both
  styles, also where the samples are cached (their declaration recorded in the rdf output); the style is recorded in the dataset (units_style of /dataset/structure/density) and by
  fit in the model (/model units_style);
* with a pair -potential, features refuses a sample whose Pair Coeffs differ from the first
  sample's (one line naming the sample, the coefficient, the pair and both values), except in the
  coefficients an -lj_* option sets for all (a sample without the section beside one with it: both
  sections described, "has no Pair Coeffs section, the first sample ... has a PairIJ Coeffs section"); without a potential (the rdf features do not depend
  on it) or with a many-body one (which reads no Pair Coeffs) they are accepted;
* with a pair -potential, features refuses a sample whose Masses differ from the first sample's
  (relative 1e-12; one line naming the sample, the type, both masses and the first sample);
  masses 1e-13 apart are accepted; both also where the sample is cached (not read again: its
  file's masses and Pair Coeffs recorded in its rdf output, /structure/rdf/declared/*), a matching
  cached set is accepted and not recomputed, and an output without the record (older vitrum) is
  used as it is;
* an error raised while one sample is computed (here: -potential ka3d has no metal-unit
  parameters) names the sample (VitUserErrorContext);
* predict refuses a sample declared in other units than the model's training samples (of the same
  density: the density check alone would pass it), and predicts one in the model's units.
Every error on 1 and 2 ranks, with no output left."""
import os

import h5py
import numpy as np

from fitlib import run

rng = np.random.default_rng(5)
L, n = 6.0, 150


def sample(path, units="lj", cutoff=2.5, eps12=1.5, coeffs=True, mass2="1"):
    x = rng.uniform(0, L, (n, 3))
    types = rng.integers(1, 3, n)
    with open(path, "w") as f:
        f.write(f"LAMMPS data file via write_data, version 29 Sep 2021, timestep = 0, units = {units}\n\n")
        f.write(f"{n} atoms\n2 atom types\n\n0 {L} xlo xhi\n0 {L} ylo yhi\n0 {L} zlo zhi\n\nMasses\n\n1 1\n2 {mass2}\n\n")
        if coeffs:
            f.write(f"PairIJ Coeffs # lj/cut\n\n1 1 1.0 1.0 {cutoff}\n1 2 {eps12} 0.8 2.0\n2 2 0.5 0.88 2.2\n\n")
        f.write("Atoms # atomic\n\n")
        f.writelines(f"{i + 1} {types[i]} {x[i, 0]} {x[i, 1]} {x[i, 2]}\n" for i in range(n))


for i in range(3):
    sample(f"lj{i}.data")
sample("metal.data", units="metal")
sample("cut2.data", cutoff=2.0)
sample("eps12.data", eps12=1.2)
sample("nocoeffs.data", coeffs=False)
sample("mass2.data", mass2="1.5")
sample("mass2near.data", mass2="1.0000000000001")  # 1e-13 relative: the same mass
base = ["-features_targets", "none", "-rdf_rmax", 2.5, "-rdf_dr", 0.1, "-features_drop_constant", 0]


def refused(command, args, expected):
    for nranks in (1, 2):
        if os.path.exists("out.h5"):
            os.remove("out.h5")
        proc = run(command, args + ["-o", "out.h5"], nranks, check=False)
        lines = [l for l in proc.stderr.splitlines() if l.startswith("vitrum: error:")]
        assert proc.returncode == 1 and len(lines) == 1, (proc.returncode, proc.stderr)
        for e in expected:
            assert e in lines[0], (e, lines[0])
        assert not os.path.exists("out.h5")
    print(f"{command} refused: {lines[0]}")


refused("features", ["-samples", "lj0.data", "lj1.data", "metal.data"] + base,
        ["metal.data: in metal units (declared by its file), the sample lj0.data in lj units", "one unit style"])
refused("features", ["-samples", "lj0.data", "lj1.data", "cut2.data", "eps12.data", "-potential", "lj/cut"] + base,
        ["cut2.data: cutoff of the pair 1-1 is 2 in its PairIJ Coeffs, 2.5 in that of lj0.data", "share the potential's parameters"])
refused("features", ["-samples", "lj0.data", "eps12.data", "-potential", "lj/cut"] + base,
        ["eps12.data: epsilon of the pair 1-2 is 1.2", "1.5 in that of lj0.data"])
# a sample without the section beside one with it: both described in words (until this release
# "has no Pair Coeffs #  with 0 values a line")
refused("features", ["-samples", "nocoeffs.data", "lj0.data", "-potential", "lj/cut"] + base,
        ["lj0.data has a PairIJ Coeffs section (# lj/cut, 3 values a line), the first sample nocoeffs.data has no Pair Coeffs section:"])
refused("features", ["-samples", "lj0.data", "nocoeffs.data", "-potential", "lj/cut"] + base,
        ["nocoeffs.data has no Pair Coeffs section, the first sample lj0.data has a PairIJ Coeffs section (# lj/cut, 3 values a line):"])
run("features", ["-samples", "lj0.data", "cut2.data", "-o", "nopot.h5"] + base, 2)  # no potential: rdf features only
# a coefficient every sample gets from an option is not read from the files: they may differ in it
# (a fresh cache: a sample whose outputs are all cached is not read, so not compared)
run("features", ["-samples", "lj0.data", "eps12.data", "-features_cache", "fresh", "-potential", "lj/cut", "-lj_epsilon", "1,1.5,0.5", "-o", "eps_given.h5"] + base, 2)
refused("features", ["-samples", "lj0.data", "cut2.data", "-potential", "lj/cut", "-lj_epsilon", "1,1.5,0.5", "-features_cache", "fresh2"] + base,
        ["cut2.data: cutoff of the pair 1-1 is 2 in its PairIJ Coeffs"])
# masses: /dataset/structure/type_mass (fit's exact kernels, -fit_prior auto) is the first
# sample's, so a sample with other masses is refused (it was accepted silently); they agree to 1e-12
refused("features", ["-samples", "lj0.data", "lj1.data", "mass2.data", "-potential", "lj/cut"] + base,
        ["mass2.data: the mass of atom type 2 is 1.5, 1 in the first sample lj0.data", "share the species' masses"])
run("features", ["-samples", "lj0.data", "mass2near.data", "-features_cache", "fresh_mass", "-potential", "lj/cut", "-o", "mass_near.h5"] + base, 2)
run("features", ["-samples", "lj0.data", "mass2.data", "-features_cache", "fresh_mass2", "-o", "mass_nopot.h5"] + base, 1)  # no potential: no kernel
# a many-body potential reads no Pair Coeffs
run("features", ["-samples", "lj0.data", "cut2.data", "-features_cache", "fresh_eam", "-potential", "eam", "-potential_file", "Cu_u3.eam", "-o", "manybody.h5"] + base, 1)
# samples whose outputs are cached are not read again: their unit style comes from what their
# cached rdf output records (a metal sample added to a cached lj ensemble was accepted before)
run("features", ["-samples", "lj0.data", "lj1.data", "-features_cache", "cached", "-o", "cached.h5"] + base, 2)
refused("features", ["-samples", "lj0.data", "lj1.data", "metal.data", "-features_cache", "cached"] + base,
        ["metal.data: in metal units (declared by its file), the sample lj0.data in lj units"])
run("features", ["-samples", "lj0.data", "lj1.data", "-features_cache", "cached", "-o", "cached2.h5"] + base, 1)
with h5py.File("cached2.h5", "r") as f:  # every sample cached: the style still recorded
    assert f["/dataset/structure/density"].attrs["units_style"] in (b"lj", "lj")
# likewise their masses and Pair Coeffs, as their files declared them, from what the cached rdf
# output records (/structure/rdf/declared/*): set B, cached first, joined set A with its own masses
# and coefficients (before, set B was not read, so not compared, and the dataset took set A's)
run("features", ["-samples", "mass2.data", "cut2.data", "nocoeffs.data", "-features_cache", "setB", "-o", "setB.h5"] + base, 1)
refused("features", ["-samples", "lj0.data", "lj1.data", "mass2.data", "-features_cache", "setB", "-potential", "lj/cut"] + base,
        ["mass2.data: the mass of atom type 2 is 1.5, 1 in the first sample lj0.data", "share the species' masses"])
refused("features", ["-samples", "lj0.data", "cut2.data", "-features_cache", "setB", "-potential", "lj/cut"] + base,
        ["cut2.data: cutoff of the pair 1-1 is 2 in its PairIJ Coeffs, 2.5 in that of lj0.data", "share the potential's parameters"])
refused("features", ["-samples", "lj0.data", "nocoeffs.data", "-features_cache", "setB", "-potential", "lj/cut"] + base,
        ["nocoeffs.data has no Pair Coeffs section, the first sample lj0.data has a PairIJ Coeffs section (# lj/cut, 3 values a line):"])
with h5py.File("setB/mass2.data.rdf.h5", "r") as f:  # the record: the file's Masses and its section as written
    assert np.array_equal(f["/structure/rdf/declared/type_mass"][()], [1, 1.5])
    coeffs = f["/structure/rdf/declared/pair_coeffs"]
    assert coeffs.attrs["section"] in (b"PairIJ Coeffs", "PairIJ Coeffs") and coeffs.attrs["style"] in (b"lj/cut", "lj/cut")
    pair12 = [1.5, 0.8, 2.0]
    assert np.array_equal(coeffs[()], [[[1.0, 1.0, 2.5], pair12], [pair12, [0.5, 0.88, 2.2]]])
with h5py.File("setB/nocoeffs.data.rdf.h5", "r") as f:  # no section: no dataset
    assert "pair_coeffs" not in f["/structure/rdf/declared"]


def cache_stamps(folder, names):
    return [(os.stat(f"{folder}/{s}.rdf.h5").st_ino, os.stat(f"{folder}/{s}.rdf.h5").st_mtime_ns) for s in names]


# a cached set that agrees (masses 1e-13 apart agree) is accepted and not recomputed
run("features", ["-samples", "lj1.data", "mass2near.data", "-features_cache", "setA", "-o", "setA.h5"] + base, 1)
stamps = cache_stamps("setA", ["lj1.data", "mass2near.data"])
run("features", ["-samples", "lj0.data", "lj1.data", "mass2near.data", "-features_cache", "setA", "-potential", "lj/cut", "-o", "setA2.h5"] + base, 2)
assert cache_stamps("setA", ["lj1.data", "mass2near.data"]) == stamps
# an output without the record (an older vitrum) is accepted as it is: not compared, not recomputed
with h5py.File("setA/lj1.data.rdf.h5", "a") as f:
    del f["/structure/rdf/declared"]
stamps = cache_stamps("setA", ["lj1.data"])
run("features", ["-samples", "lj0.data", "lj1.data", "-features_cache", "setA", "-potential", "lj/cut", "-o", "setA3.h5"] + base, 1)
assert cache_stamps("setA", ["lj1.data"]) == stamps
# an error raised while one sample of the ensemble is computed names that sample
sample("m1.data", units="metal")
sample("m2.data", units="metal")
refused("features", ["-samples", "m1.data", "m2.data", "-potential", "ka3d", "-features_targets", "omega2_mean", "-rdf_rmax", 2.5],
        ["error: m1.data: -potential ka3d in metal units: give -lj_epsilon"])

run("features", ["-samples", "lj0.data", "lj1.data", "lj2.data", "-potential", "lj/cut", "-o", "lj.h5"] + base, 2)
with h5py.File("lj.h5", "a") as f:
    assert f["/dataset/structure/density"].attrs["units_style"] in (b"lj", "lj")
    for name in ("Y", "target_names"):
        del f["/dataset/" + name]
    f["/dataset/Y"] = f["/dataset/X"][:, :1] * 2.0 + 1.0
    f["/dataset/target_names"] = np.array([b"y"])
run("fit", ["-data", "lj.h5", "-o", "lj.model.h5", "-fit_lambda", 1, "-fit_test_fraction", 0], 1)
with h5py.File("lj.model.h5", "r") as f:
    assert f["/model"].attrs["units_style"] in (b"lj", "lj"), dict(f["/model"].attrs)
refused("predict", ["-model", "lj.model.h5", "-sample", "metal.data", "-rdf_rmax", 2.5],
        ["metal.data: in metal units (declared by its file), but the model lj.model.h5 was fitted on samples in lj units"])
proc = run("predict", ["-model", "lj.model.h5", "-sample", "lj2.data"], 2)
assert "lj2.data" in proc.stdout, proc.stdout
print("ok")
