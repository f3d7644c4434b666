/* Analytic checks of the spectrum module on any number of ranks:
   - participation ratio of a plane wave u_i = e_x cos(k . x_i) on a simple cubic crystal (L^3 atoms,
     k = 2 pi (1,0,0)/L): <cos^2>^2 / <cos^4> = (1/2)^2 / (3/8) = 2/3 exactly for L > 4;
   - participation ratio of a mode localized on one atom: 1/N;
   - harmonic heat capacity -> d k_B per atom at high temperature (from a normalised VDOS and from a
     list of dN - d mode frequencies: d (1 - 1/N)), and -> 0 at low temperature;
   - Rademacher signs are +-1 with mean ~ 0 (splitmix64);
   - a near-zero eigenvalue that is not a translation converges in the block solvers (chebyshev
     here; twolevel shares the residual, block.c): WeaklyJoinedRings. */
#include <vitrum/spectrum.h>
#include <slepcsys.h>

static PetscErrorCode Check(PetscBool ok, const char *what, double value)
{
  PetscFunctionBegin;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: %s (%.15g)\n", ok ? "ok" : "FAILED", what, value));
  PetscCheck(ok, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "check failed: %s", what);
  PetscFunctionReturn(0);
}

/* Two rings of n atoms (unit springs between ring neighbours; H = L (x) I_3, L the graph Laplacian,
   unit masses) joined by one spring of eps between their atoms 0. Besides the translations
   (deflated) the lowest eigenvalue, triply degenerate, is the rings' relative translation:
   lambda = 2 eps / n + O(eps^2) (first order on the vector +-1/sqrt(2n) of the two rings), here
   1e-11 against a mean eigenvalue of 2 and ring modes from 2 - 2 cos(2 pi / n) = 0.011. Relative to
   itself its residual would have to fall below round-off (1e-8 of 1e-11); the block solvers
   measure it against 1e-6 of the mean eigenvalue (block.h) and converge. */
static PetscErrorCode WeaklyJoinedRings(void)
{
  const PetscInt     n = 60, N = 2 * n, d = 3;
  const PetscReal    lambda = 1e-11, eps = lambda * n / 2;
  VitSpectrumProblem prob;
  VitModesOptions    opt;
  VitModes           modes;
  Mat                H;
  PetscInt           lo, hi, *gid;
  PetscReal          worst = 0;

  PetscFunctionBegin;
  PetscCall(MatCreateBAIJ(PETSC_COMM_WORLD, d, PETSC_DECIDE, PETSC_DECIDE, d * N, d * N, 4, NULL, 4, NULL, &H));
  PetscCall(MatGetOwnershipRange(H, &lo, &hi));
  lo /= d, hi /= d;
  PetscCall(PetscMalloc1(hi - lo + 1, &gid));
  for (PetscInt i = lo; i < hi; i++) {
    const PetscInt ring = i / n, k = i % n, cols[3] = {ring * n + (k + n - 1) % n, i, ring * n + (k + 1) % n};
    const PetscInt other = (1 - ring) * n; /* atom 0 of the other ring */
    for (PetscInt c = 0; c < 3; c++) {
      PetscScalar w[9] = {0};
      for (PetscInt a = 0; a < d; a++) w[a * d + a] = cols[c] == i ? 2 + (k == 0 ? eps : 0) : -1;
      PetscCall(MatSetValuesBlocked(H, 1, &i, 1, &cols[c], w, INSERT_VALUES));
    }
    if (k == 0) {
      PetscScalar w[9] = {0};
      for (PetscInt a = 0; a < d; a++) w[a * d + a] = -eps;
      PetscCall(MatSetValuesBlocked(H, 1, &i, 1, &other, w, INSERT_VALUES));
    }
    gid[i - lo] = i;
  }
  PetscCall(MatAssemblyBegin(H, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(H, MAT_FINAL_ASSEMBLY));
  PetscCall(VitSpectrumProblemCreate(PETSC_COMM_WORLD, H, d, hi - lo, gid, NULL, &prob));
  PetscCall(PetscMemzero(&opt, sizeof(opt)));
  opt.method       = VIT_MODES_CHEBYSHEV;
  opt.nev          = d;
  opt.bounds_steps = VIT_KPM_BOUNDS_STEPS;
  opt.seed         = 1;
  PetscCall(VitModesCompute(&prob, &opt, &modes));
  PetscCall(Check((PetscBool)(modes.k >= d), "weakly joined rings: the lowest multiplet converged (modes found)", (double)modes.k));
  for (PetscInt m = 0; m < d; m++) worst = PetscMax(worst, PetscAbsReal(modes.eigenvalue[m] - lambda) / lambda);
  PetscCall(Check((PetscBool)(worst < 1e-3), "weakly joined rings: lambda = 2 eps / n = 1e-11, relative error", worst));
  PetscCall(VitModesDestroy(&modes));
  PetscCall(VitSpectrumProblemDestroy(&prob));
  PetscCall(MatDestroy(&H));
  PetscCall(PetscFree(gid));
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
  PetscCall(WeaklyJoinedRings());
  PetscCall(SlepcFinalize());
  return 0;
}
