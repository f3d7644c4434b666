#!/usr/bin/python3
"""Generate an ensemble of Kob-Andersen glass samples with LAMMPS (melt, equilibrate at a parent
temperature, quench, minimise to the inherent structure), one serial `lmp` per sample, `--jobs`
at a time.

Stability is varied in a controlled way by a ladder of protocols, from an instantaneous quench of
a hot liquid (least stable) to a long anneal near the dynamical crossover followed by a slow quench
(most stable); samples cycle through the ladder with distinct seeds.

Writes into OUT:
  sample_NNNN.data   LAMMPS data files (atom_style atomic), read by vitrum
  samples.txt        the list of data files (one path per line: OUT/sample_NNNN.data, relative to the
                     folder the script ran in, as `vitrum features -sample_list` reads them)
  ensemble.csv       per sample: name, protocol, parent temperature, steps, seed, inherent-structure
                     energy per atom (LAMMPS, epsilon) and the final max force component
  generation.json    the parameters of the ensemble
Samples whose data file already exists are kept (resume), unless generation.json shows that they
were made with other parameters: then every old sample is removed first. Exit status 1 if a
LAMMPS run fails.

Usage: /usr/bin/python3 scripts/make_ensemble.py --out DIR [--dim 2] [--samples 100] [--nx 20 --ny 20]
"""
import argparse
import csv
import glob
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
INPUTS = os.path.join(HERE, '..', 'jobscripts', 'lammps')

# (parent temperature, MD steps at it, quench steps to T = 0.01), least to most stable (LJ units, dt 0.005).
PROTOCOLS = [
    (4.0, 500, 0),
    (2.0, 1000, 0),
    (1.0, 2000, 2000),
    (0.7, 4000, 5000),
    (0.55, 8000, 10000),
    (0.45, 12000, 12000),
]


def clean_env():
    """Environment for a serial lmp: without the variables of an enclosing mpirun, so that lmp
    starts as an MPI singleton instead of trying to join the parent's job."""
    return {k: v for k, v in os.environ.items() if not re.match(r'(OMPI_|PMIX_|OPAL_|PRTE_|HYDRA_|PMI_)', k)}


def run_sample(args, index):
    tpar, neq, nquench = PROTOCOLS[index % len(PROTOCOLS)]
    name = 'sample_%04d' % index
    final = os.path.join(args.out, name + '.data')
    seed = args.seed + 7919 * index
    row = dict(name=name + '.data', protocol=index % len(PROTOCOLS), tpar=tpar, neq=neq, nquench=nquench, seed=seed)
    if os.path.exists(final) and os.path.exists(final + '.is'):
        row.update(parse_is(open(final + '.is').read()))
        return row, 0.0
    tmp = os.path.join(args.out, '.' + name + '.data.tmp')
    cmd = [args.lmp, '-in', os.path.join(INPUTS, 'in.ka%dd' % args.dim), '-log', 'none',
           '-var', 'seed', str(seed), '-var', 'tpar', str(tpar), '-var', 'neq', str(neq),
           '-var', 'nquench', str(nquench), '-var', 'out', tmp, '-var', 'nx', str(args.nx), '-var', 'ny', str(args.ny)]
    if args.dim == 3:
        cmd += ['-var', 'nz', str(args.nz)]
    t0 = time.time()
    # The screen output goes to the pipe; the input prints the line "VITRUM_IS pe E fmax F".
    try:
        proc = subprocess.run(cmd, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except OSError as err:
        sys.stderr.write('make_ensemble: cannot run %s: %s\n' % (args.lmp, err))
        return None, time.time() - t0
    if proc.returncode != 0 or not os.path.exists(tmp):
        sys.stderr.write('make_ensemble: lmp failed for %s (status %d):\n%s\n' % (name, proc.returncode, proc.stdout[-2000:]))
        return None, time.time() - t0
    summary = [line for line in proc.stdout.splitlines() if line.startswith('VITRUM_IS')]
    with open(final + '.is', 'w') as f:
        f.write(summary[-1] + '\n')
    os.replace(tmp, final)
    row.update(parse_is(summary[-1]))
    return row, time.time() - t0


def parse_is(line):
    words = line.split()
    return dict(e_is=float(words[words.index('pe') + 1]), fmax=float(words[words.index('fmax') + 1]))


def check_parameters(args):
    """Remove samples made with other parameters (or an unknown set) and record the current ones."""
    params = dict(dim=args.dim, nx=args.nx, ny=args.ny, nz=args.nz if args.dim == 3 else None, seed=args.seed,
                  protocols=PROTOCOLS, input=open(os.path.join(INPUTS, 'in.ka%dd' % args.dim)).read())
    path = os.path.join(args.out, 'generation.json')
    old = json.load(open(path)) if os.path.exists(path) else None
    if old != json.loads(json.dumps(params)):
        stale = glob.glob(os.path.join(args.out, 'sample_*.data*'))
        if stale:
            print('make_ensemble: parameters changed, removing %d old files' % len(stale), flush=True)
        for f in stale:
            os.remove(f)
        with open(path, 'w') as f:
            json.dump(params, f, indent=1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', required=True, help='output folder')
    p.add_argument('--dim', type=int, default=2, choices=(2, 3))
    p.add_argument('--samples', type=int, default=100)
    p.add_argument('--nx', type=int, default=20, help='lattice cells along x (N = nx*ny in 2D, nx*ny*nz in 3D)')
    p.add_argument('--ny', type=int, default=20)
    p.add_argument('--nz', type=int, default=8)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--jobs', type=int, default=2, help='serial lmp runs at a time')
    p.add_argument('--lmp', default='lmp', help='LAMMPS executable')
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    check_parameters(args)

    t0 = time.time()
    rows, done = [None] * args.samples, 0
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(run_sample, args, i): i for i in range(args.samples)}
        for fut in futures:
            rows[futures[fut]] = fut.result()[0]
            if rows[futures[fut]] is None:  # stop at the first failure; the reason is printed
                pool.shutdown(wait=True, cancel_futures=True)
                sys.exit(1)
            done += 1
            elapsed = time.time() - t0
            if done % 10 == 0 or done == args.samples:
                print('make_ensemble: %d/%d samples, %.1f s, ETA %.0f s' % (done, args.samples, elapsed,
                      elapsed / done * (args.samples - done)), flush=True)
    with open(os.path.join(args.out, 'ensemble.csv'), 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(args.out, 'samples.txt'), 'w') as f:
        f.writelines(os.path.join(args.out, r['name']) + '\n' for r in rows)
    print('make_ensemble: %d samples in %s (%.1f s)' % (args.samples, args.out, time.time() - t0))


if __name__ == '__main__':
    main()
