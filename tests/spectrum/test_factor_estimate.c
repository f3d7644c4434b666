/* The factor guard's estimates (VitSpectrumFactorEstimate: MUMPS's analysis of the atom graph, its
   memory times d^2 and its flops times d^3) against MUMPS's analysis of the Hessian itself (its
   SBAIJ copy, as the factorisation runs it), on any number of ranks:
     test_factor_estimate -f H.bin -bs 3 -low 0.85 -high 1.4 -flops_low 0.5 -flops_high 2
   An estimate above MUMPS's own skips a factorisation that might have fitted (a note says so); one
   below it risks running out of memory, hence the tighter lower bound.
   H.bin: a Hessian in PETSc binary format (vitrum hessian -hessian_binary). */
#include <vitrum/spectrum.h>
#include <slepcsys.h>

int main(int argc, char **argv)
{
  char          file[PETSC_MAX_PATH_LEN] = "";
  PetscInt      bs = 3, full_mb;
  PetscReal     low = 0.85, high = 1.4, flops_low = 0.5, flops_high = 2, graph_mb, graph_flops, full_flops, ratio, flops_ratio;
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
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-flops_low", &flops_low, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-flops_high", &flops_high, NULL));
  PetscCall(PetscViewerBinaryOpen(PETSC_COMM_WORLD, file, FILE_MODE_READ, &viewer));
  PetscCall(MatCreate(PETSC_COMM_WORLD, &H));
  PetscCall(MatSetType(H, MATBAIJ));
  PetscCall(MatSetBlockSize(H, bs));
  PetscCall(MatLoad(H, viewer));
  PetscCall(PetscViewerDestroy(&viewer));

  PetscCall(VitSpectrumFactorEstimate(H, &graph_mb, &graph_flops));

  PetscCall(VitSpectrumFactorableCopy(H, &A)); /* MUMPS's own estimate for H (the old guard) */
  PetscCall(MatGetFactor(A, MATSOLVERMUMPS, MAT_FACTOR_CHOLESKY, &F));
  PetscCall(MatMumpsSetIcntl(F, 13, 1));
  PetscCall(MatMumpsSetIcntl(F, 24, 1));
  PetscCall(MatFactorInfoInitialize(&info));
  PetscCall(MatGetOrdering(A, MATORDERINGNATURAL, &rperm, &cperm));
  PetscCall(MatCholeskyFactorSymbolic(F, A, rperm, &info));
  PetscCall(MatMumpsGetInfog(F, 17, &full_mb));
  PetscCall(MatMumpsGetRinfog(F, 1, &full_flops));

  ratio = graph_mb / full_mb;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "factor estimate: atom graph x %d = %.0f MB, MUMPS on H %d MB, ratio %.3f\n", (int)(bs * bs), (double)graph_mb, (int)full_mb, (double)ratio));
  PetscCheck(ratio >= low && ratio <= high, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "FAILED: the atom-graph estimate is %.3f x MUMPS's estimate for H (allowed %g to %g)", (double)ratio, (double)low, (double)high);
  flops_ratio = graph_flops / full_flops;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "flops estimate: atom graph x %d = %.3g, MUMPS on H %.3g, ratio %.3f\n", (int)(bs * bs * bs), (double)graph_flops, (double)full_flops, (double)flops_ratio));
  PetscCheck(flops_ratio >= flops_low && flops_ratio <= flops_high, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "FAILED: the atom-graph flops estimate is %.3f x MUMPS's estimate for H (allowed %g to %g)", (double)flops_ratio, (double)flops_low, (double)flops_high);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "ok: the atom-graph estimates are %g to %g (memory) and %g to %g (flops) x MUMPS's estimates for H\n", (double)low, (double)high, (double)flops_low, (double)flops_high));
  PetscCall(ISDestroy(&rperm));
  PetscCall(ISDestroy(&cperm));
  PetscCall(MatDestroy(&F));
  PetscCall(MatDestroy(&A));
  PetscCall(MatDestroy(&H));
  PetscCall(SlepcFinalize());
  return 0;
}
