"""A killed generation leaves no process behind, and one folder has one generator (docs/pipeline.md,
"Stopping a run"):

ranks     `vitrum pipeline` on 2 ranks is generating its samples (scripts/make_ensemble.py and its
          serial lmp runs); its ranks, not mpirun, are killed, once with SIGTERM and once with
          SIGKILL. Within 10 s no process whose command line names the run's samples folder is left
          (before, make_ensemble.py went on as an orphan, its lmp runs with it).
lock      a second make_ensemble.py on the folder that one is generating into stops at once with
          one line (exit status 1); make_ensemble.py killed with SIGKILL takes its lmp runs along,
          and a later run on the folder is not locked out.
status    a LAMMPS run that is killed, or that exits 0 without writing its sample, is reported with
          its signal or with the missing file (before: "lmp failed ... (status 0)").
Processes are found in /proc by a marker in their command line (zombies, already dead, are not
counted); whatever a failing check leaves is killed at the end."""
import os
import signal
import subprocess
import sys
import time

import vitrum_testlib as vt

SRC = os.environ['SRC']
PYTHON = '/usr/bin/python3'
MAKE = os.path.join(SRC, 'scripts', 'make_ensemble.py')
# 40 two-dimensional KA samples of 196 atoms: the generation runs far longer than the test waits
GENERATE = ['--family', 'ka2d', '--samples', '40', '--nx', '14', '--ny', '14', '--jobs', '2', '--lmp', 'lmp']


def proc_fields(pid):
    """(state, ppid, command line) of a process, or None when it is gone."""
    try:
        with open('/proc/%s/stat' % pid) as f:
            stat = f.read()
        with open('/proc/%s/cmdline' % pid, 'rb') as f:
            cmdline = f.read().replace(b'\0', b' ').decode(errors='replace')
    except OSError:
        return None
    fields = stat[stat.rindex(')') + 2:].split()
    return fields[0], int(fields[1]), cmdline


def live(marker):
    """{pid: command line} of the live processes whose command line holds marker."""
    found = {}
    for entry in filter(str.isdigit, os.listdir('/proc')):
        info = proc_fields(entry)
        if info and info[0] != 'Z' and marker in info[2] and int(entry) != os.getpid():
            found[int(entry)] = info[2]
    return found


def children(pid):
    return [int(e) for e in filter(str.isdigit, os.listdir('/proc')) if (proc_fields(e) or ('Z', -1, ''))[1] == pid]


def wait_until(condition, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def generating(marker):
    """Whether make_ensemble.py and an lmp run of the folder marker are running."""
    procs = live(marker).values()
    return any('make_ensemble.py' in c for c in procs) and any(c.startswith('lmp ') for c in procs)


def kill_all(marker):
    for pid in live(marker):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def kill_ranks(sig):
    """The pipeline is generating; its ranks (mpirun's children) get sig."""
    run = 'killgen_%s' % sig.name
    marker = run + '/samples'
    with open(run + '.log', 'w') as log:
        mpirun = subprocess.Popen(vt.MPIRUN + ['-n', '2', vt.VITRUM, 'pipeline', '-pipeline_dir', run, '-pipeline_nsamples', '40', '-pipeline_cells', '14,14',
                                               '-potential', 'ka2d', '-pipeline_report', '0'], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    started = wait_until(lambda: generating(marker) or mpirun.poll() is not None, 120)
    vt.check(started and mpirun.poll() is None, '%s: the pipeline is generating (make_ensemble.py and lmp running): %s' % (sig.name, open(run + '.log').read()[-1500:]))
    ranks = children(mpirun.pid)
    for pid in ranks:
        os.kill(pid, sig)
    mpirun.wait(timeout=120)
    gone = wait_until(lambda: not live(marker), 10)
    left = live(marker)
    kill_all(marker)
    vt.check(len(ranks) == 2 and gone, '%s to the 2 ranks: no generator process of the run is left within 10 s (left: %s)' % (sig.name, list(left.values())))


def lock():
    out = 'lockgen/samples'
    first = subprocess.Popen([PYTHON, MAKE, '--out', out] + GENERATE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    vt.check(wait_until(lambda: generating(out), 60), 'the first make_ensemble.py is generating into %s' % out)
    second = subprocess.run([PYTHON, MAKE, '--out', out] + GENERATE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    lines = second.stdout.strip().splitlines()
    vt.check(second.returncode == 1 and len(lines) == 1 and 'another make_ensemble run is generating into this folder' in lines[0] and out + '/.make_ensemble.lock' in lines[0],
             'a second make_ensemble.py on the same folder stops with one line (exit status %d): %s' % (second.returncode, second.stdout.strip()[-800:]))
    vt.check(first.poll() is None, '... and the first run goes on')
    first.send_signal(signal.SIGKILL)
    first.wait()
    gone = wait_until(lambda: not live(out), 10)
    left = live(out)
    kill_all(out)
    vt.check(gone, 'make_ensemble.py killed with SIGKILL: its lmp runs end within 10 s (left: %s)' % list(left.values()))
    third = subprocess.run([PYTHON, MAKE, '--out', out, '--family', 'ka2d', '--samples', '1', '--nx', '5', '--ny', '5', '--steps-scale', '0.02'],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    vt.check(third.returncode == 0, 'after the kill the folder is free: a new run generates into it (%s)' % third.stdout.strip()[-800:])


def status():
    """Fake LAMMPS executables: one killed by a signal, one that exits 0 and writes nothing."""
    fakes = {'killed': ('kill -KILL $$', 'killed by signal 9 (SIGKILL)'), 'silent': ('exit 0', 'exit status 0, but it wrote no fake_silent/.sample_0000.data.tmp')}
    for name, (body, expected) in fakes.items():
        exe = os.path.abspath('lmp_%s.sh' % name)
        with open(exe, 'w') as f:
            f.write('#!/bin/sh\n%s\n' % body)
        os.chmod(exe, 0o755)
        p = subprocess.run([PYTHON, MAKE, '--out', 'fake_' + name, '--samples', '1', '--lmp', exe], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        first = (p.stdout.strip().splitlines() or [''])[0]
        vt.check(p.returncode == 1 and 'make_ensemble: lmp_%s.sh failed for sample_0000 (%s)' % (name, expected) in first,
                 'a LAMMPS run that %s is reported as such: %s' % ('is killed' if name == 'killed' else 'writes nothing', first))


def main():
    try:
        status()
        lock()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            kill_ranks(sig)
    finally:
        for marker in ('killgen_', 'lockgen/'):
            kill_all(marker)


if __name__ == '__main__':
    sys.exit(main())
