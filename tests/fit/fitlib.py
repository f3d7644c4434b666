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


def run(command, args, nranks=1, check=True):
    """Run `vitrum command args` on nranks ranks; return the CompletedProcess (text output)."""
    cmd = MPIRUN + ["-n", str(nranks), VITRUM, command] + [str(a) for a in args]
    proc = subprocess.run(cmd, capture_output=True, text=True)
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
