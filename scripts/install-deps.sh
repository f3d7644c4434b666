#!/usr/bin/env bash
# Install vitrum's build and test dependencies from Debian 12 packages (run as root).
# libopenblas0-pthread becomes libblas.so.3/liblapack.so.3 through Debian's alternatives, so LAPACK
# (dense spectra, fit) and MUMPS (inertia, shift-and-invert) stop running on the reference BLAS
# (5-6x faster, docs/BENCHMARKS.md). Under MPI vitrum gives each rank of a node one BLAS thread
# itself (unless OPENBLAS_NUM_THREADS or OMP_NUM_THREADS is set).
set -euo pipefail
packages=(build-essential cmake pkg-config git
          petsc-dev slepc-dev libhdf5-openmpi-dev openmpi-bin libopenmpi-dev liblapack-dev libblas-dev zlib1g-dev
          libopenblas0-pthread
          lammps
          python3-numpy python3-scipy python3-h5py python3-matplotlib python3-sklearn python3-ase
          python3-torch)  # the CNN baseline of scripts/baselines.py (docs/RESULTS.md)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all packages present"
fi
if update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep -q "^Value: .*openblas"; then
  echo "install-deps: BLAS/LAPACK: OpenBLAS (vitrum uses one thread per rank when ranks share a node)"
else
  echo "install-deps: BLAS/LAPACK is not OpenBLAS; select it with:"
  echo "  update-alternatives --auto libblas.so.3-x86_64-linux-gnu; update-alternatives --auto liblapack.so.3-x86_64-linux-gnu"
fi
