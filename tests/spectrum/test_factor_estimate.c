/* The memory guard's factor estimate (VitSpectrumFactorEstimate: MUMPS's analysis of the atom
   graph, times d^2) against MUMPS's analysis of the Hessian itself (its SBAIJ copy, as the
   factorisation runs it), on any number of ranks:
     test_factor_estimate -f H.bin -bs 3 -low 0.85 -high 1.4
   An estimate above MUMPS's own skips a factorisation that might have fitted (a note says so); one
   below it risks running out of memory, hence the tighter lower bound.
   H.bin: a Hessian in PETSc binary format (vitrum hessian -hessian_binary). */
#include <vitrum/spectrum.h>
#include <slepcsys.h>

int main(int argc, char **argv)
{
  char          file[PETSC_MAX_PATH_LEN] = "";
  PetscInt      bs = 3, full_mb;
  PetscReal     low = 0.85, high = 1.4, graph_mb, ratio;
  PetscViewer   viewer;
  Mat           H, A, F;
  IS            rperm, cperm;
  MatFactorInfo info;

  PetscFunctionBeginUser;
  PetscCall(SlepcInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-f", file, sizeof(file), NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-bs", &bs, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-low", &low, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-high", &high, NULL));
  PetscCall(PetscViewerBinaryOpen(PETSC_COMM_WORLD, file, FILE_MODE_READ, &viewer));
  PetscCall(MatCreate(PETSC_COMM_WORLD, &H));
  PetscCall(MatSetType(H, MATBAIJ));
  PetscCall(MatSetBlockSize(H, bs));
  PetscCall(MatLoad(H, viewer));
  PetscCall(PetscViewerDestroy(&viewer));

  PetscCall(VitSpectrumFactorEstimate(H, &graph_mb));

  PetscCall(VitSpectrumFactorableCopy(H, &A)); /* MUMPS's own estimate for H (the old guard) */
  PetscCall(MatGetFactor(A, MATSOLVERMUMPS, MAT_FACTOR_CHOLESKY, &F));
  PetscCall(MatMumpsSetIcntl(F, 13, 1));
  PetscCall(MatMumpsSetIcntl(F, 24, 1));
  PetscCall(MatFactorInfoInitialize(&info));
  PetscCall(MatGetOrdering(A, MATORDERINGNATURAL, &rperm, &cperm));
  PetscCall(MatCholeskyFactorSymbolic(F, A, rperm, &info));
  PetscCall(MatMumpsGetInfog(F, 17, &full_mb));

  ratio = graph_mb / full_mb;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "factor estimate: atom graph x %d = %.0f MB, MUMPS on H %d MB, ratio %.3f\n", (int)(bs * bs), (double)graph_mb, (int)full_mb, (double)ratio));
  PetscCheck(ratio >= low && ratio <= high, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "FAILED: the atom-graph estimate is %.3f x MUMPS's estimate for H (allowed %g to %g)", (double)ratio, (double)low, (double)high);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "ok: the atom-graph estimate is %g to %g x MUMPS's estimate for H\n", (double)low, (double)high));
  PetscCall(ISDestroy(&rperm));
  PetscCall(ISDestroy(&cperm));
  PetscCall(MatDestroy(&F));
  PetscCall(MatDestroy(&A));
  PetscCall(MatDestroy(&H));
  PetscCall(SlepcFinalize());
  return 0;
}
