"""predict -sample on a sample whose species names are not the model's (Atom Type Labels Cu, Zr
against a model of the numbered types 1, 2): one error line that names the missing profile, lists
the sample's profiles and the model's, and says what to give (-potential_elements for a file that
leaves its types unnamed; a model fitted on samples named so); the same sample without labels is
predicted, and so is the labelled one by a model of Cu-Zr pairs."""
import h5py
import numpy as np

import vitrum_testlib as vt
from fitlib import correlated_data, run, strings, write_dataset

RMAX, DR, density, n = 3.0, 0.02, 1.2, 400


def model(path, species):
    """A model of the partials of two species, on bins of DR from r = 0.61 up to RMAX."""
    centres = DR * (np.arange(round(RMAX / DR)) + 0.5)
    centres = centres[centres > 0.6]
    pairs = ["%s-%s" % (a, b) for a, b in ((species[0], species[0]), (species[0], species[1]), (species[1], species[1]))]
    names = [f"g_{p}(r={x:.10g})" for p in pairs for x in centres]
    X, Y = correlated_data(40, len(names), 1, seed=3)
    write_dataset(path + ".data.h5", X, Y, feature_names=names, target_names=["omega2_mean"])
    with h5py.File(path + ".data.h5", "a") as f:
        f["/dataset/rdf_dr"], f["/dataset/rdf_rmax"] = [DR], [RMAX]
        f["/dataset/structure/dim"], f["/dataset/structure/density"] = [3.0], [density]
        f["/dataset/structure/density_range"] = [0.9 * density, 1.1 * density]
        f["/dataset/structure/type_fraction"] = [0.6, 0.4]
        f["/dataset/structure/type_names"] = strings(species)
    run("fit", ["-data", path + ".data.h5", "-o", path, "-fit_lambda", 0.01, "-fit_test_fraction", 0], 1)


side = (n / density) ** (1 / 3)
cell = np.diag([side] * 3)
pos, types = vt.random_sample(n, cell, fractions=(0.6, 0.4), seed=9)
vt.write_lammps_data("numbered.data", cell, (0, 0, 0), types, pos)
named = open("numbered.data").read().replace("\nAtoms", "\nAtom Type Labels\n\n1 Cu\n2 Zr\n\nAtoms")
open("named.data", "w").write(named)
model("numbers.h5", ["1", "2"])
model("cuzr.h5", ["Cu", "Zr"])
units = ["-units", "lj"]  # the labels are element names: lj units, not metal, as the model's samples

for nranks in (1, 2):
    proc = run("predict", ["-model", "numbers.h5", "-sample", "named.data"] + units, nranks, check=False)
    err = [line for line in proc.stderr.splitlines() if "has no profile" in line]
    print(err[0] if err else proc.stderr)
    assert proc.returncode == 1 and len(err) == 1, (proc.returncode, proc.stderr)
    assert "has no profile g_1-1 that the model numbers.h5 uses (its profiles: Cu-Cu, Cu-Zr, Zr-Zr; the model's: g_1-1, g_1-2, g_2-2)" in err[0], err[0]
    assert "-potential_elements" in err[0] and "fitted on samples named so" in err[0], err[0]
for m, sample in (("numbers.h5", "numbered.data"), ("cuzr.h5", "named.data"), ("cuzr.h5", "numbered.data")):
    extra = ["-potential_elements", "Cu,Zr"] if sample == "numbered.data" and m == "cuzr.h5" else []
    proc = run("predict", ["-model", m, "-sample", sample] + units + extra, 2)
    assert any(line.startswith(sample) for line in proc.stdout.splitlines()), proc.stdout
    print(f"{m} on {sample} {' '.join(extra)}: predicted")
