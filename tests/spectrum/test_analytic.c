/* Analytic checks of the spectrum module on any number of ranks:
   - participation ratio of a plane wave u_i = e_x cos(k . x_i) on a simple cubic crystal (L^3 atoms,
     k = 2 pi (1,0,0)/L): <cos^2>^2 / <cos^4> = (1/2)^2 / (3/8) = 2/3 exactly for L > 4;
   - participation ratio of a mode localized on one atom: 1/N;
   - harmonic heat capacity -> d k_B per atom at high temperature (from a normalised VDOS and from a
     list of dN - d mode frequencies: d (1 - 1/N)), and -> 0 at low temperature;
   - Rademacher signs are +-1 with mean ~ 0 (splitmix64). */
#include <vitrum/spectrum.h>
#include <slepcsys.h>

static PetscErrorCode Check(PetscBool ok, const char *what, double value)
{
  PetscFunctionBegin;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: %s (%.15g)\n", ok ? "ok" : "FAILED", what, value));
  PetscCheck(ok, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "check failed: %s", what);
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  const PetscInt L = 6, N = L * L * L, d = 3;
  Vec            v;
  PetscInt       lo, hi;
  PetscScalar   *x;
  PetscReal      pr, omega[400], D[400], T[2] = {1e-3, 1e6}, cv[2], modes[3 * 216 - 3], sum = 0;

  PetscFunctionBeginUser;
  PetscCall(SlepcInitialize(&argc, &argv, NULL, NULL));
  PetscCall(VecCreate(PETSC_COMM_WORLD, &v));
  PetscCall(VecSetSizes(v, PETSC_DECIDE, d * N));
  PetscCall(VecSetBlockSize(v, d));
  PetscCall(VecSetFromOptions(v));
  PetscCall(VecGetOwnershipRange(v, &lo, &hi));

  PetscCall(VecGetArray(v, &x));
  for (PetscInt j = lo; j < hi; j++) x[j - lo] = j % d == 0 ? PetscCosReal(2 * PETSC_PI * ((j / d) % L) / L) : 0.0;
  PetscCall(VecRestoreArray(v, &x));
  PetscCall(VitParticipationRatio(v, d, &pr));
  PetscCall(Check((PetscBool)(PetscAbsReal(pr - 2.0 / 3.0) < 1e-13), "plane wave participation = 2/3", pr));

  PetscCall(VecSet(v, 0));
  if (lo <= 3 * 17 && 3 * 17 < hi) PetscCall(VecSetValue(v, 3 * 17 + 1, 0.7, INSERT_VALUES));
  PetscCall(VecAssemblyBegin(v));
  PetscCall(VecAssemblyEnd(v));
  PetscCall(VitParticipationRatio(v, d, &pr));
  PetscCall(Check((PetscBool)(PetscAbsReal(pr - 1.0 / N) < 1e-15), "localized mode participation = 1/N", pr));

  for (PetscInt j = 0; j < 400; j++) { /* Debye-like D = 3 w^2 / wD^3 on [0, wD = 20] */
    omega[j] = (j + 0.5) * 0.05;
    D[j]     = 3 * omega[j] * omega[j] / 8000.0;
    sum += D[j] * 0.05;
  }
  for (PetscInt j = 0; j < 400; j++) D[j] /= sum;
  VitHeatCapacity(d, 400, omega, D, 0.05, 2, T, cv);
  PetscCall(Check((PetscBool)(PetscAbsReal(cv[1] - d) < 1e-6), "C_v(VDOS) -> d k_B at high T", cv[1]));
  PetscCall(Check((PetscBool)(cv[0] < 1e-10), "C_v(VDOS) -> 0 at low T", cv[0]));
  for (PetscInt j = 0; j < d * N - d; j++) modes[j] = 1.0 + 0.01 * j;
  VitHeatCapacityModes(d * N - d, modes, N, 2, T, cv);
  PetscCall(Check((PetscBool)(PetscAbsReal(cv[1] - d * (1.0 - 1.0 / N)) < 1e-8), "C_v(modes) -> d (1 - 1/N) k_B at high T", cv[1]));

  sum = 0;
  for (PetscInt j = 0; j < 100000; j++) {
    const PetscReal r = VitRademacher(5, j, j % 3, j % 7);
    PetscCheck(r == 1.0 || r == -1.0, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "Rademacher value %g", (double)r);
    sum += r;
  }
  PetscCall(Check((PetscBool)(PetscAbsReal(sum) < 5 * PetscSqrtReal(100000.0)), "Rademacher signs balanced", sum));
  PetscCall(VecDestroy(&v));
  PetscCall(SlepcFinalize());
  return 0;
}
