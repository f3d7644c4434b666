/* The single-precision block product (twolevel's smoother, VitKpmOperatorApplySingle) against the
   double-precision one on the same random block, for every vector count R in 1..40 (each remainder
   of the kernel's register chunks), every kernel variant this CPU runs (-kpm_kernel), and both
   storages (BAIJ, and SBAIJ with blocks shared between the two atoms of a pair):

     mpirun -n K test_kernel32 -sample glass.data -potential ka3d

   Each entry must agree to 1e-5 of |H| |x| in that entry (float rounding of the values, of x and of
   the sums: about 1e-7 times the row's length). Prints "ok: ..." and exits 0, or names the first
   entry that does not and exits 1. */
#include <vitrum/spectrum.h>
#include "../../src/spectrum/kpm_impl.h"
#include <slepcsys.h>

/* The worst ratio |y32 - y| / (|H| |x|) over the owned entries of R vectors, all ranks. */
static PetscErrorCode Deviation(VitKpmOperator op, PetscInt R, PetscReal *worst)
{
  const PetscInt n = op->nrows * op->bs * R, nall = (op->nrows + op->nghost) * op->bs * R;
  PetscReal     *x, *y, *ax, *ay;
  float         *xf, *yf;
  size_t         nval = op->val_bytes / sizeof(PetscReal);
  PetscReal     *val = op->val, *absval;

  PetscFunctionBegin;
  PetscCall(PetscMalloc4(nall, &x, n + 1, &y, nall, &ax, n + 1, &ay));
  PetscCall(PetscMalloc3(nall, &xf, n + 1, &yf, nval, &absval));
  for (PetscInt j = 0; j < n; j++) {
    x[j]  = VitRademacher(3, op->gid[j / (op->bs * R)], j % (op->bs * R), 0) * (1 + 0.37 * (j % 7)); /* not all of one magnitude */
    xf[j] = (float)x[j];
    ax[j] = PetscAbsReal(xf[j]);
  }
  PetscCall(VitKpmOperatorApply(op, R, x, y));
  PetscCall(VitKpmOperatorSingleCreate(op));
  PetscCall(VitKpmOperatorApplySingle(op, xf, yf));
  for (size_t q = 0; q < nval; q++) absval[q] = PetscAbsReal(val[q]);
  op->val = absval; /* |H| |x|: the scale of each entry's rounding */
  PetscCall(VitKpmOperatorApply(op, R, ax, ay));
  op->val = val;
  *worst = 0;
  for (PetscInt j = 0; j < n; j++) *worst = PetscMax(*worst, PetscAbsReal(yf[j] - y[j]) / ay[j]);
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, worst, 1, MPIU_REAL, MPIU_MAX, op->comm));
  PetscCall(VitKpmOperatorSingleDestroy(op));
  PetscCall(PetscFree4(x, y, ax, ay));
  PetscCall(PetscFree3(xf, yf, absval));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
#if defined(__x86_64__)
  const char *const kernels[] = {"v2", "v3", "v4"};
  const PetscInt    nkernels  = 3;
#else
  const char *const kernels[] = {"generic"};
  const PetscInt    nkernels  = 1;
#endif
  VitSystem          sys;
  VitSpectrumProblem prob;
  Mat                S;
  PetscReal          worst = 0, dev;
  PetscInt           checked = 0;

  PetscFunctionBeginUser;
  PetscCall(SlepcInitialize(&argc, &argv, NULL, NULL));
  PetscCall(VitInitialize());
  PetscCall(VitSystemSetUpFromOptions(PETSC_COMM_WORLD, &sys));
  PetscCall(MatConvert(sys.H, MATSBAIJ, MAT_INITIAL_MATRIX, &S));
  PetscCall(VitSpectrumProblemFromSystem(&sys, &prob));
  PetscCall(MatDestroy(&sys.H));
  for (PetscInt storage = 0; storage < 2; storage++) {
    if (storage) {
      PetscCall(MatDestroy(&prob.H));
      prob.H = S;
    }
    for (PetscInt k = 0; k < nkernels; k++) {
#if defined(__x86_64__)
      __builtin_cpu_init();
      if ((k == 1 && !__builtin_cpu_supports("avx2")) || (k == 2 && !__builtin_cpu_supports("avx512f"))) continue;
#endif
      PetscCall(PetscOptionsSetValue(NULL, "-kpm_kernel", kernels[k]));
      for (PetscInt R = 1; R <= 40; R++) {
        VitKpmOperator op;
        PetscCall(VitKpmOperatorCreate(&prob, R, PETSC_FALSE, &op));
        PetscCall(Deviation(op, R, &dev));
        PetscCall(VitKpmOperatorDestroy(&op));
        checked++;
        worst = PetscMax(worst, dev);
        if (!(dev <= 1e-5)) {
          PetscCall(PetscPrintf(PETSC_COMM_WORLD, "FAIL: %s storage, kernel %s, R = %" PetscInt_FMT ": |y32 - y| / (|H| |x|) up to %g\n", storage ? "SBAIJ" : "BAIJ", kernels[k], R, (double)dev));
          PetscCall(SlepcFinalize());
          return 1;
        }
      }
    }
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "ok: %" PetscInt_FMT " products (storages x kernels x R = 1..40), |y32 - y| / (|H| |x|) at most %.2e\n", checked, (double)worst));
  PetscCall(VitSpectrumProblemDestroy(&prob));
  PetscCall(VitSystemDestroy(&sys));
  PetscCall(SlepcFinalize());
  return 0;
}
