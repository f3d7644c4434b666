/* Quantities derived from the VDOS and the modes: harmonic heat capacity and the boson peak. */
#include <vitrum/spectrum.h>

/* Heat capacity of one harmonic mode of frequency omega in units of k_B (Einstein function),
   x = hbar omega / (k_B T): c(x) = x^2 e^x / (e^x - 1)^2, written with e^-x so large x does not overflow. */
static PetscReal EinsteinFunction(PetscReal omega, PetscReal T)
{
  const PetscReal x = omega / T, em = PetscExpReal(-x);
  if (x < 1e-8) return 1.0;
  return x * x * em / PetscSqr(1.0 - em);
}

void VitHeatCapacity(PetscInt dim, PetscInt nbins, const PetscReal omega[], const PetscReal D[], PetscReal domega, PetscInt nT, const PetscReal T[], PetscReal cv[])
{
  for (PetscInt k = 0; k < nT; k++) {
    PetscReal c = 0;
    for (PetscInt j = 0; j < nbins; j++) c += D[j] * domega * EinsteinFunction(omega[j], T[k]);
    cv[k] = dim * c;
  }
}

void VitHeatCapacityModes(PetscInt nmodes, const PetscReal omega[], PetscInt natoms, PetscInt nT, const PetscReal T[], PetscReal cv[])
{
  for (PetscInt k = 0; k < nT; k++) {
    PetscReal c = 0;
    for (PetscInt j = 0; j < nmodes; j++) c += EinsteinFunction(omega[j], T[k]);
    cv[k] = c / natoms;
  }
}

PetscBool VitBosonPeak(PetscInt dim, PetscInt nbins, const PetscReal omega[], const PetscReal D[], PetscReal omega_min, PetscReal *omega_bp, PetscReal *height)
{
  PetscInt first = -1, best = -1;

  *omega_bp = 0;
  *height   = 0;
  for (PetscInt j = 0; j < nbins; j++) {
    const PetscReal reduced = D[j] / PetscPowReal(omega[j], dim - 1);
    if (omega[j] < omega_min) continue;
    if (first < 0) first = j;
    if (reduced > *height) {
      *height   = reduced;
      *omega_bp = omega[j];
      best      = j;
    }
  }
  return (PetscBool)(best < 0 || best == first || best == nbins - 1);
}
