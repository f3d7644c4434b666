#!/usr/bin/env bash
# Install vitrum's build and test dependencies from Debian 12 packages (run as root).
set -euo pipefail
packages=(build-essential cmake pkg-config git
          petsc-dev slepc-dev libhdf5-openmpi-dev openmpi-bin libopenmpi-dev liblapack-dev libblas-dev
          lammps
          python3-numpy python3-scipy python3-h5py python3-matplotlib python3-sklearn python3-ase)
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
