"""Make the stored reference of tests/spectrum/kpm_reference.py: two small relaxed KA glasses
(LAMMPS) and their KPM moments from the block-CSR kernel as of commit 259491b (before the
compile-time specialised kernel). Run once from a build directory of THAT commit:
        VITRUM=build/vitrum PYTHONPATH=tests python3 tests/spectrum/make_kpm_reference.py
The moments are stored as hexadecimal floats so that the comparison is bitwise."""
import os
import shutil
import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
CASES = {  # name: (dim, side, potential, vectors, lambda_min, lambda_max)
    "ka3d_216": (3, 6, "ka3d", 23, -1.0, 1300.0),
    "ka2d_64": (2, 8, "ka2d", 7, -25.0, 2100.0),
}


def main():
    for name, (dim, side, pot, R, lmin, lmax) in CASES.items():
        sample = os.path.join(here, name + ".data")
        if not os.path.exists(sample):
            shutil.copy(sl.make_ka_glass(os.path.abspath(name + ".data"), n_side=side, dim=dim, seed=3), sample)
        out = name + ".ref.h5"
        vt.run(["spectrum", "-sample", sample, "-potential", pot, "-spectrum_nev", 0, "-spectrum_inertia", 0,
                "-kpm_moments", 64, "-kpm_vectors", R, "-kpm_seed", 5, "-kpm_lambda_min", lmin, "-kpm_lambda_max", lmax, "-o", out], 1)
        mu = sl.read(out, "/spectrum/kpm/mu")
        np.savetxt(os.path.join(here, name + ".mu.txt"), np.vectorize(float.hex)(mu.ravel()).reshape(mu.shape), fmt="%s")
        print(name, mu.shape, mu[0, :3])


if __name__ == "__main__":
    main()
