"""jobscripts/ensemble.slurm run locally (no SLURM): its generate stage as two array tasks
(SLURM_ARRAY_TASK_ID 0 and 1, make_ensemble.py --range) gives, bit for bit, the samples and
ensemble.csv of one serial make_ensemble.py run; the tasks write no list; its analyse stage lists
the samples and launches `vitrum pipeline` on them (LAUNCH=echo prints the command). A --range run
with other parameters stops with one line and removes nothing. An array numbered from 1
(--array=1-2: SLURM_ARRAY_TASK_MIN 1) writing into an OUT with a space makes the same samples; an
array that is not one range (--array=1,5) is refused with one line."""
import filecmp
import os
import shutil
import subprocess

import vitrum_testlib as vt

SRC = os.environ['SRC']
here = os.getcwd()
for old in ('sliced', 'oneshot', 'from one'):  # a rerun starts afresh
    shutil.rmtree(old, ignore_errors=True)
common = dict(FAMILY='ka2d', SAMPLES='5', CELLS='5,5', STEPS_SCALE='0.02', OUT=os.path.join(here, 'sliced'), SLURM_SUBMIT_DIR=SRC)


def slurm(**env):
    e = dict(os.environ, **dict(common, **env))
    return subprocess.run(['bash', os.path.join(SRC, 'jobscripts', 'ensemble.slurm')], env=e, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


for task in ('0', '1'):
    p = slurm(SLURM_ARRAY_TASK_COUNT='2', SLURM_ARRAY_TASK_ID=task)
    vt.check(p.returncode == 0 and ('3 samples of 5' if task == '0' else '2 samples of 5') in p.stdout, 'array task %s made its slice (%s)' % (task, p.stdout.strip()[-300:]))
sliced = os.path.join(here, 'sliced', 'samples')
vt.check(not os.path.exists(os.path.join(sliced, 'samples.txt')), 'the array tasks wrote no sample list')
p = subprocess.run(['/usr/bin/python3', os.path.join(SRC, 'scripts', 'make_ensemble.py'), '--family', 'ka2d', '--samples', '5', '--nx', '5', '--ny', '5',
                    '--steps-scale', '0.02', '--seed', '1', '--out', 'oneshot'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
vt.check(p.returncode == 0, 'one serial run of the same ensemble')
names = ['sample_%04d.data' % i for i in range(5)]
same = [filecmp.cmp(os.path.join(sliced, n), os.path.join('oneshot', n), shallow=False) for n in names]
vt.check(all(same), 'the slices made the serial run\'s samples bit for bit (%s)' % same)

p = slurm(STAGE='analyse', LAUNCH='echo')
listed = [l.strip() for l in open(os.path.join(sliced, 'samples.txt'))] if os.path.exists(os.path.join(sliced, 'samples.txt')) else []
vt.check(p.returncode == 0 and [os.path.basename(l) for l in listed] == names, 'the analyse stage listed the 5 samples')
vt.check(filecmp.cmp(os.path.join(sliced, 'ensemble.csv'), os.path.join('oneshot', 'ensemble.csv'), shallow=False), 'ensemble.csv equals the serial run\'s')
vt.check('pipeline -options_file runs/ka2d.opts -pipeline_samples %s/samples.txt' % sliced in p.stdout, 'the analyse stage launches vitrum pipeline on the list (%s)' % p.stdout.strip()[-200:])

p = slurm(SEED='2', SLURM_ARRAY_TASK_COUNT='2', SLURM_ARRAY_TASK_ID='0')
lines = [l for l in p.stdout.splitlines() if l.strip()]
vt.check(p.returncode != 0 and len(lines) == 1 and 'records other parameters' in lines[0], 'a slice with another seed stops with one line (%s)' % p.stdout.strip())
vt.check(all(os.path.exists(os.path.join(sliced, n)) for n in names), '... and removes nothing')

for task in ('1', '2'):
    p = slurm(OUT=os.path.join(here, 'from one'), SLURM_ARRAY_TASK_COUNT='2', SLURM_ARRAY_TASK_MIN='1', SLURM_ARRAY_TASK_MAX='2', SLURM_ARRAY_TASK_ID=task)
    vt.check(p.returncode == 0 and ('3 samples of 5' if task == '1' else '2 samples of 5') in p.stdout, 'array task %s of --array=1-2 made its slice (%s)' % (task, p.stdout.strip()[-300:]))
same = [filecmp.cmp(os.path.join(here, 'from one', 'samples', n), os.path.join('oneshot', n), shallow=False) for n in names]
vt.check(all(same), '--array=1-2 into a folder with a space made the serial run\'s samples (%s)' % same)
p = slurm(OUT=os.path.join(here, 'from one'), SLURM_ARRAY_TASK_COUNT='2', SLURM_ARRAY_TASK_MIN='1', SLURM_ARRAY_TASK_MAX='5', SLURM_ARRAY_TASK_ID='5')
lines = [l for l in p.stdout.splitlines() if l.strip()]
vt.check(p.returncode != 0 and len(lines) == 1 and 'not in one range' in lines[0], '--array=1,5 refused with one line (%s)' % p.stdout.strip())
