"""Helpers for the fit tests: write datasets with h5py, run vitrum under mpirun, read models."""
import os
import subprocess

import h5py
import numpy as np

VITRUM = os.environ.get("VITRUM", "vitrum")
MPIRUN = os.environ.get("MPIRUN", "mpirun --allow-run-as-root --oversubscribe").split()


def write_dataset(path, X, Y, feature_names=None, target_names=None, sample_names=None):
    X = np.asarray(X, float)
    Y = np.asarray(Y, float)
    n, p = X.shape
    t = Y.shape[1] if Y.ndim == 2 else 1
    feature_names = feature_names or [f"x{j}" for j in range(p)]
    target_names = target_names or [f"y{j}" for j in range(t)]
    sample_names = sample_names or [f"sample_{i}" for i in range(len(X))]
    with h5py.File(path, "w") as f:
        f["/dataset/X"] = X
        f["/dataset/Y"] = Y
        f["/dataset/feature_names"] = strings(feature_names)
        f["/dataset/target_names"] = strings(target_names)
        f["/dataset/sample_names"] = strings(sample_names)


def strings(names):
    """Fixed-length ASCII strings, as vitrum writes them."""
    return np.array([s.encode() for s in names], dtype=f"S{max(1, max(len(s) for s in names))}")


def run(command, args, nranks=1, check=True, timeout=None):
    """Run `vitrum command args` on nranks ranks; return the CompletedProcess (text output); a run
    longer than timeout seconds fails the test (subprocess.TimeoutExpired)."""
    cmd = MPIRUN + ["-n", str(nranks), VITRUM, command] + [str(a) for a in args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


SCALARS = {"lambda", "smooth_order", "smooth_weight", "feature_smooth"}


def read_model(path):
    """All datasets under /model by relative name (scalars stored as 1-element arrays unpacked)."""
    with h5py.File(path, "r") as f:
        g = f["/model"]
        out = {}
        def load(name, obj):
            if isinstance(obj, h5py.Dataset):
                value = obj[()]
                out[name] = value[0] if obj.shape == (1,) and obj.ndim == 1 and name in SCALARS else value
        g.visititems(load)
        out["attrs"] = dict(g.attrs)
    return out


def rel_diff(a, b):
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))


def correlated_data(n, p, t, seed, noise=0.1):
    """Features with correlated columns and targets that are linear in them plus noise."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, p))
    X = Z @ (np.eye(p) + 0.5 * rng.standard_normal((p, p)) / np.sqrt(p)) * rng.uniform(0.5, 3.0, p) + rng.uniform(-2, 2, p)
    W = rng.standard_normal((t, p))
    Y = X @ W.T + rng.uniform(-1, 1, t) + noise * rng.standard_normal((n, t))
    return X, Y


# LAMMPS input: 3D Kob-Andersen (80:20, FCC start at density 1.2, shifted lj/cut at 2.5 sigma_ab) melted
# at T = 3 and held at ${T}; writes ensemble/ka_${seed}.data (lmp -var T ... -var seed ...).
KA3D_LIQUID_LAMMPS = """units lj
atom_style atomic
lattice fcc 1.2
region box block 0 5 0 5 0 5
create_box 2 box
create_atoms 1 box
set type 1 type/ratio 2 0.2 ${seed}
mass * 1.0
pair_style lj/cut 2.5
pair_coeff 1 1 1.0 1.0 2.5
pair_coeff 1 2 1.5 0.8 2.0
pair_coeff 2 2 0.5 0.88 2.2
pair_modify shift yes
neighbor 0.3 bin
velocity all create 3.0 ${seed} dist gaussian
fix 1 all nvt temp 3.0 ${T} 0.5
timestep 0.003
run 800
unfix 1
fix 1 all nvt temp ${T} ${T} 0.5
run 300
write_data ensemble/ka_${seed}.data
"""
