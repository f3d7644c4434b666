"""The material check of a generated sample (scripts/make_ensemble.py --family, inputs
jobscripts/lammps/in.metallic and in.covalent), shared by pipeline_material_inputs (cuzral) and
pipeline_family_* (cuzr, si, sic: their pipeline ensembles are checked, so that no test generates a
second ensemble of the same family): the atom count and the composition are the family's, and
vitrum, reading the data file with the family's potential, finds the energy per atom that LAMMPS
reported for the inherent structure (to 1e-9 relative) and forces below 1e-4 eV/A (the structure
is relaxed)."""
import csv
import os

import vitrum_testlib as vt

POT = '/usr/share/lammps/potentials'
# family: ({type: fraction of the atoms}, vitrum potential options)
MATERIALS = {
    'cuzr': ({1: 0.5, 2: 0.5}, ['-potential', 'eam/fs', '-potential_file', POT + '/CuZr_mm.eam.fs', '-potential_elements', 'Cu,Zr']),
    'cuzral': ({1: 0.46, 2: 0.46, 3: 0.08}, ['-potential', 'eam/alloy', '-potential_file', 'ZrCuAl2011.eam.alloy', '-potential_elements', 'Zr,Cu,Al']),
    'si': ({1: 1.0}, ['-potential', 'sw', '-potential_file', POT + '/Si.sw', '-potential_elements', 'Si']),
    'sic': ({1: 0.5, 2: 0.5}, ['-potential', 'tersoff', '-potential_file', POT + '/SiC.tersoff', '-potential_elements', 'Si,C']),
}


def species_counts(info_text):
    counts = {}
    for line in info_text.splitlines():
        w = line.split()
        if len(w) >= 4 and w[0] == 'type' and w[1].rstrip(':').isdigit():
            counts[int(w[1].rstrip(':'))] = int(w[3])
    return counts


def check_samples(family, out, natoms, rows=(0,)):
    """The material check of the samples (indices into OUT/ensemble.csv) of a make_ensemble folder:
    natoms atoms each, species counts = the family's fractions of natoms exactly (the caller picks a
    natoms where they are whole), energy per atom = LAMMPS's e_is (1e-9), max force below 1e-4 eV/A."""
    fractions, potential = MATERIALS[family]
    composition = {t: round(f * natoms) for t, f in fractions.items()}
    assert all(abs(f * natoms - composition[t]) < 1e-9 for t, f in fractions.items()), (family, natoms, 'no whole composition')
    table = list(csv.DictReader(open(os.path.join(out, 'ensemble.csv'))))
    for k in rows:
        row = table[k]
        sample = os.path.join(out, row['name'])
        what = '%s %s (protocol %s)' % (family, row['name'], row['protocol'])
        info = vt.run(['info', '-sample', sample]).stdout
        vt.check('atoms:       %d' % natoms in info, '%s: %d atoms' % (what, natoms))
        vt.check(species_counts(info) == composition, '%s: composition %s' % (what, composition))
        text = vt.run(['energy', '-sample', sample, '-o', '%s_%d_energy.h5' % (family, k)] + potential).stdout
        words = next(l for l in text.splitlines() if 'per atom' in l).split()
        e_vitrum = float(words[words.index('atom') + 1])
        fmax = float(next(l for l in text.splitlines() if 'max force' in l).split()[2])
        e_lammps = float(row['e_is'])
        vt.check(abs(e_vitrum - e_lammps) <= 1e-9 * abs(e_lammps), '%s: vitrum energy per atom %.15g == LAMMPS %.15g' % (what, e_vitrum, e_lammps))
        vt.check(fmax < 1e-4, "%s: relaxed structure (max force %.2e eV/A; LAMMPS's CG may stop on its line search above 1e-10)" % (what, fmax))
