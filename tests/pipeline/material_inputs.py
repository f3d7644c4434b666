"""The LAMMPS generators of the material families (scripts/make_ensemble.py --family, inputs
jobscripts/lammps/in.metallic and in.covalent) on tiny systems: lmp runs, the composition is the
family's, and vitrum, reading the data file with the family's potential, finds the energy per atom
that LAMMPS reported for the inherent structure (to 1e-9 relative) and forces below 1e-4 eV/A (the
structure is relaxed)."""
import csv
import os
import subprocess
import sys

import vitrum_testlib as vt

SRC = os.environ['SRC']
POT = '/usr/share/lammps/potentials'
# family: (cells, atoms, {type: count or (min, max)}, vitrum potential options)
FAMILIES = {
    'cuzr': (5, 500, {1: 250, 2: 250}, ['-potential', 'eam/fs', '-potential_file', POT + '/CuZr_mm.eam.fs', '-potential_elements', 'Cu,Zr']),
    'cuzral': (5, 500, {1: 230, 2: 230, 3: 40}, ['-potential', 'eam/alloy', '-potential_file', 'ZrCuAl2011.eam.alloy', '-potential_elements', 'Zr,Cu,Al']),
    'si': (3, 216, {1: 216}, ['-potential', 'sw', '-potential_file', POT + '/Si.sw', '-potential_elements', 'Si']),
    'sic': (2, 64, {1: 32, 2: 32}, ['-potential', 'tersoff', '-potential_file', POT + '/SiC.tersoff', '-potential_elements', 'Si,C']),
}


def species_counts(info_text):
    counts = {}
    for line in info_text.splitlines():
        w = line.split()
        if len(w) >= 4 and w[0] == 'type' and w[1].rstrip(':').isdigit():
            counts[int(w[1].rstrip(':'))] = int(w[3])
    return counts


for family, (cells, natoms, composition, potential) in FAMILIES.items():
    out = 'ens_' + family
    p = subprocess.run(['/usr/bin/python3', os.path.join(SRC, 'scripts', 'make_ensemble.py'), '--out', out, '--family', family,
                        '--samples', '1', '--nx', str(cells), '--jobs', '1'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    vt.check(p.returncode == 0, '%s: make_ensemble ran (%s)' % (family, p.stdout[-2000:]))
    row = next(csv.DictReader(open(os.path.join(out, 'ensemble.csv'))))
    sample = os.path.join(out, row['name'])
    info = vt.run(['info', '-sample', sample]).stdout
    vt.check('atoms:       %d' % natoms in info, '%s: %d atoms' % (family, natoms))
    vt.check(species_counts(info) == composition, '%s: composition %s' % (family, composition))
    text = vt.run(['energy', '-sample', sample, '-o', family + '_energy.h5'] + potential).stdout
    words = next(l for l in text.splitlines() if 'per atom' in l).split()
    e_vitrum = float(words[words.index('atom') + 1])
    fmax = float(next(l for l in text.splitlines() if 'max force' in l).split()[2])
    e_lammps = float(row['e_is'])
    vt.check(abs(e_vitrum - e_lammps) <= 1e-9 * abs(e_lammps), '%s: vitrum energy per atom %.15g == LAMMPS %.15g' % (family, e_vitrum, e_lammps))
    vt.check(fmax < 1e-4, "%s: relaxed structure (max force %.2e eV/A; LAMMPS's CG may stop on its line search above 1e-10)" % (family, fmax))
