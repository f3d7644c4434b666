"""jobscripts/scaling/study.sh on a tiny glass (4^3 atoms, 2 ranks) in a folder whose name has a
space: LAMMPS writes the samples and the weak series' replicas there; the RDF's range is taken
down to half the box's shortest width (computed here from the data file) with a note, and the
model is given that range; the spectrum runs time the KPM path without the dense eigenvalues or the
inertia count; a LAMMPS that fails makes study.sh print the end of its log."""
import json
import os
import stat
import subprocess

import vitrum_testlib as vt

SRC = os.environ["SRC"]
STUDY = os.path.join(SRC, "jobscripts", "scaling", "study.sh")
env = dict(os.environ, CELLS="4", WEAK_CELLS="3", MOMENTS="20", VECTORS="2", NEV="4")
p = subprocess.run(["bash", STUDY, "st dy", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
vt.check(p.returncode == 0, "study.sh ran in 'st dy' (%s)" % p.stdout[-3000:])
vt.check(os.path.exists("st dy/weak_kpm/scaling.csv") and os.path.exists("st dy/model.csv"), "series and model written")


def widths(path):
    """Box widths of an orthogonal LAMMPS data file."""
    w = {}
    for line in open(path):
        words = line.split()
        if len(words) == 4 and words[2][1:] == "lo" and words[3][1:] == "hi":
            w[words[2][0]] = float(words[1]) - float(words[0])
    return [w[a] for a in "xyz"]


half = int(min(widths("st dy/ka3d_4.data")) / 2 * 1000) / 1000
vt.check(half < 5, "the 4^3 box is smaller than 2 x 5 (%g)" % half)
params = json.load(open("st dy/model_params.json"))
vt.check(abs(params["rdf_width"] - half) < 1e-9, "the model's RDF range %g is half the box's width %g" % (params["rdf_width"], half))
vt.check("study.sh: note: the RDF's range is %g" % half in p.stdout, "a note gives the RDF's range")
for series in ("strong_kpm", "weak_kpm"):
    text = open("st dy/%s/stdout_1.txt" % series).read()
    vt.check("KPM:" in text and "exact:" not in text and "inertia" not in text,
             "%s: KPM without dense eigenvalues or inertia count (%s)" % (series, text))
vt.check(os.path.exists("st dy/weak_kpm/sample_2.data"), "the weak series replicated the sample into 'st dy'")

# A LAMMPS that fails: study.sh prints the end of its log.
with open("fake_lmp", "w") as f:
    f.write('#!/bin/sh\nwhile [ $# -gt 0 ]; do [ "$1" = -log ] && echo "ERROR: fake failure of LAMMPS" > "$2"; shift; done\nexit 1\n')
os.chmod("fake_lmp", stat.S_IRWXU)
p = subprocess.run(["bash", STUDY, "fails", "1"], env=dict(env, LMP=os.path.abspath("fake_lmp")), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
vt.check(p.returncode != 0 and "study.sh: error: LAMMPS" in p.stdout and "ERROR: fake failure of LAMMPS" in p.stdout,
         "a failed LAMMPS run is reported with its log's end (%s)" % p.stdout)
print("ok")
