"""The LAMMPS generators of the material families (scripts/make_ensemble.py --family, inputs
jobscripts/lammps/in.metallic and in.covalent) on tiny systems: lmp runs, the composition is the
family's, and vitrum, reading the data file with the family's potential, finds the energy per atom
that LAMMPS reported for the inherent structure (to 1e-9 relative) and forces below 1e-4 eV/A (the
structure is relaxed); the check is tests/pipeline/materiallib.py. Here: cuzral (500 atoms, the
smallest fcc start, 4 nx^3, whose 46:46:8 split is whole), si (216 atoms) and sic (64 atoms).
cuzr gets the same check in pipeline_family_cuzr, on the ensemble that test generates anyway."""
import os
import subprocess

import vitrum_testlib as vt
from materiallib import check_samples

SRC = os.environ['SRC']
# family: (start cells, atoms, make_ensemble --steps-scale). cuzral's MD is scaled by 0.02 (as in
# the family tests): a random Cu/Zr/Al alloy has forces to relax even unmelted, and the MD only sets
# how stable the glass is, which nothing here checks (the minimisations are unscaled). si and sic
# keep every step: scaled by 0.02 their start crystals do not melt (si's 6 samples of
# pipeline_family_si all end at the diamond energy), and a relaxed crystal tests no relaxation.
FAMILIES = {'cuzral': (5, 500, 0.02), 'si': (3, 216, 1), 'sic': (2, 64, 1)}
for family, (cells, natoms, scale) in FAMILIES.items():
    out = 'ens_' + family
    p = subprocess.run(['/usr/bin/python3', os.path.join(SRC, 'scripts', 'make_ensemble.py'), '--out', out, '--family', family,
                        '--samples', '1', '--nx', str(cells), '--jobs', '1', '--steps-scale', str(scale)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    vt.check(p.returncode == 0, '%s: make_ensemble ran (%s)' % (family, p.stdout[-2000:]))
    check_samples(family, out, natoms)
