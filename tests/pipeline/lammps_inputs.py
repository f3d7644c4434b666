"""The LAMMPS melt-quench inputs (jobscripts/lammps/in.ka2d, in.ka3d) on tiny systems: lmp runs,
vitrum reads the data file (N, species counts, dimension), the composition is the KA one, and the
written structure is an inherent structure: every force, recomputed here with numpy from the data
file (brute-force Kob-Andersen LJ, minimum image), is below 1e-8, and the energy equals LAMMPS's."""
import os
import subprocess
import sys

import numpy as np

import vitrum_testlib as vt

SRC = os.environ['SRC']
EPS = {(1, 1): 1.0, (1, 2): 1.5, (2, 2): 0.5}
SIG = {(1, 1): 1.0, (1, 2): 0.8, (2, 2): 0.88}


def read_data(path):
    lines = open(path).read().split('\n')
    n = int(next(l for l in lines if l.strip().endswith('atoms')).split()[0])
    box = {}
    for l in lines:
        w = l.split()
        if len(w) == 4 and w[2].endswith('lo'):
            box[w[2][0]] = (float(w[0]), float(w[1]))
    start = next(k for k, l in enumerate(lines) if l.startswith('Atoms')) + 2
    atoms = np.array([[float(v) for v in l.split()[:5]] for l in lines[start:start + n]])
    return atoms[:, 1].astype(int), atoms[:, 2:5], np.array([box[c][1] - box[c][0] for c in 'xyz'])


def ka_forces(types, x, L, dim):
    """Forces and energy per atom of the shifted KA potential, all pairs, minimum image."""
    n = len(types)
    f = np.zeros((n, 3))
    e = 0.0
    for i in range(n):
        d = x - x[i]
        d[:, :dim] -= L[:dim] * np.round(d[:, :dim] / L[:dim])
        d[:, dim:] = 0
        r = np.sqrt((d ** 2).sum(1))
        for j in range(n):
            if j == i:
                continue
            key = (min(types[i], types[j]), max(types[i], types[j]))
            eps, sig = EPS[key], SIG[key]
            rc = 2.5 * sig
            if r[j] >= rc:
                continue
            sr6 = (sig / r[j]) ** 6
            src6 = (sig / rc) ** 6
            e += 0.5 * (4 * eps * (sr6 ** 2 - sr6) - 4 * eps * (src6 ** 2 - src6))
            dphi = 4 * eps * (-12 * sr6 ** 2 + 6 * sr6) / r[j]
            f[i] += dphi * d[j] / r[j]  # F_i = -dphi/dr * (x_i - x_j)/r = dphi * (x_j - x_i)/r
    return f, e / n


def run_case(dim, cells, fraction_b):
    out = 'tiny_ka%dd.data' % dim
    if os.path.exists(out):
        os.remove(out)
    cmd = ['lmp', '-in', os.path.join(SRC, 'jobscripts', 'lammps', 'in.ka%dd' % dim), '-log', 'none',
           '-var', 'seed', '3', '-var', 'tpar', '0.8', '-var', 'neq', '500', '-var', 'nquench', '500', '-var', 'out', out]
    for name, value in zip(('nx', 'ny', 'nz'), cells):
        cmd += ['-var', name, str(value)]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert p.returncode == 0 and os.path.exists(out), p.stdout[-3000:]
    e_lammps = float(next(l for l in p.stdout.splitlines() if l.startswith('VITRUM_IS')).split()[2])

    types, x, L = read_data(out)
    n = int(np.prod(cells))
    assert len(types) == n, (len(types), n)
    nb = int((types == 2).sum())
    assert abs(nb - fraction_b * n) <= 1, ('species B count', nb, fraction_b * n)
    if dim == 2:
        assert np.all(x[:, 2] == 0.0), 'z coordinates of a 2D sample must be 0'

    info = dict(l.split(':', 1) for l in vt.run(['info', '-sample', out]).stdout.splitlines() if ':' in l and not l.startswith(' '))
    assert int(info['atoms']) == n and int(info['dimension']) == dim, info
    assert abs(float(info['density']) - 1.2) < 1e-9, info

    f, e = ka_forces(types, x, L, dim)
    fmax = np.abs(f).max()
    print('%dD: %d atoms, %d of type B, max |F| = %.3g, e = %.12f (LAMMPS %.12f)' % (dim, n, nb, fmax, e, e_lammps))
    assert fmax < 1e-8, 'not an inherent structure: max force %g' % fmax
    assert abs(e - e_lammps) < 1e-9 * abs(e), (e, e_lammps)


def main():
    run_case(2, (10, 10), 0.35)
    run_case(3, (6, 6, 6), 0.20)
    print('ok')


if __name__ == '__main__':
    sys.exit(main())
