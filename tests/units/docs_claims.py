"""What docs/units.md and docs/schema.md claim, and the errors around it, checked on small samples:

  units.md   its Lennard-Jones dimer example in metal units runs as written (it once left out the
             cutoff and failed); without a cutoff the error names both ways to give one,
             -lj_cutoff and -lj_cutoff_sigma, and each of them then runs.
  schema.md  "every dataset carries a units attribute": every dataset of the outputs of rdf,
             convert (H5MD), spectrum, features (its cache too), fit and predict -o, the string
             datasets included (names: "1"; /structure/rdf/pairs, /dataset/feature_names, ...,
             /parameters/vitrum/type_names had none).
  ranges     -spectrum_nev above the dN - d non-translation modes names the range the option takes,
             [0, dN - d] (0: none; it said [1, ...] while 0 is accepted), with dN - d counted here."""
import glob
import os
import re

import h5py
import numpy as np

from vitrum_testlib import check, run, write_lammps_data

src = os.environ["SRC"]


def errors(p):
    return [line for line in (p.stdout + p.stderr).splitlines() if line.startswith("vitrum: error:")]


# units.md: the dimer example, as the page writes it (argon-like: sigma 2.3 A, epsilon 0.4 eV)
with open(os.path.join(src, "docs", "units.md")) as f:
    example = [line.split()[1:] for line in f if re.match(r"^\s+vitrum spectrum -sample dimer\.data ", line)]
check(len(example) == 1, "docs/units.md has the dimer example (%s)" % example)
r0 = 2 ** (1 / 6) * 2.3
write_lammps_data("dimer.data", np.eye(3) * 16.0, (0, 0, 0), [1, 1], np.array([[5.0, 5.0, 5.0], [5.0 + r0, 5.0, 5.0]]), masses=[39.948])
p = run(example[0], 1, check=False)
check(p.returncode == 0 and not errors(p) and os.path.exists("dimer.spectrum.h5"), "units.md's example runs as written: %s" % (errors(p) or "status %d" % p.returncode))
bare = [a for i, a in enumerate(example[0]) if a != "-lj_cutoff" and (i == 0 or example[0][i - 1] != "-lj_cutoff")]
p = run(bare + ["-o", "bare.h5"], 1, expect_fail=True)
check(len(errors(p)) == 1 and "-lj_cutoff" in errors(p)[0] and "-lj_cutoff_sigma" in errors(p)[0] and not os.path.exists("bare.h5"),
      "no cutoff in metal units: one error naming -lj_cutoff and -lj_cutoff_sigma (%s)" % errors(p))
p = run(bare + ["-lj_cutoff_sigma", "2.5", "-o", "sigma.h5"], 1)
check(os.path.exists("sigma.h5"), "-lj_cutoff_sigma 2.5 in its place runs")

# samples: 64 atoms on a jittered simple cubic lattice, two types (Kob-Andersen, lj units)
natoms = 64
for s in range(3):
    rng = np.random.default_rng(s)
    grid = np.array([(i, j, k) for i in range(4) for j in range(4) for k in range(4)], float) * 1.1
    write_lammps_data("s%d.data" % s, np.eye(3) * 4.4, (0, 0, 0), [1 + i % 2 for i in range(natoms)], grid + 0.05 * rng.standard_normal(grid.shape))

# -spectrum_nev: the range it names
nonzero = 3 * (natoms - 1)
p = run(["spectrum", "-sample", "s0.data", "-potential", "ka3d", "-spectrum_nev", nonzero + 1, "-o", "nev.h5"], 1, expect_fail=True)
check(len(errors(p)) == 1 and "-spectrum_nev %d: must lie in [0, %d]" % (nonzero + 1, nonzero) in errors(p)[0],
      "-spectrum_nev %d: the range [0, %d] (%s)" % (nonzero + 1, nonzero, errors(p)))

# every dataset has a units attribute
run(["rdf", "-sample", "s0.data", "-o", "s0.rdf.h5"])
run(["convert", "-sample", "s0.data", "-o", "s0.h5"])
run(["features", "-samples", "s?.data", "-potential", "ka3d", "-o", "ds.h5"], 2)
run(["fit", "-data", "ds.h5", "-fit_prior", "none", "-o", "m.h5"])
run(["predict", "-model", "m.h5", "-sample", "s1.data", "-o", "p.h5"])
outputs = ["dimer.spectrum.h5", "s0.rdf.h5", "s0.h5", "ds.h5", "m.h5", "p.h5"] + sorted(glob.glob("vitrum_cache/*.h5"))
strings = ["/structure/rdf/pairs", "/parameters/vitrum/type_names", "/dataset/feature_names", "/dataset/sample_names",
           "/dataset/target_names", "/model/feature_names", "/model/target_names", "/prediction/inputs", "/prediction/target_names"]
seen = set()
for path in outputs:
    missing = []
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                if "units" not in obj.attrs:
                    missing.append(name)
                elif "/" + name in strings:
                    seen.add("/" + name)
                    unit = obj.attrs["units"]
                    if (unit.decode() if isinstance(unit, bytes) else unit) != "1":
                        missing.append(name + " (units %s, not 1)" % unit)
        f.visititems(visit)
    check(not missing, "%s: every dataset has a units attribute (missing: %s)" % (path, " ".join(missing)))
check(seen == set(strings), "the string datasets were among them, with units 1 (not seen: %s)" % " ".join(sorted(set(strings) - seen)))
print("ok")
