/* Exact eigenvalue counts from Sylvester's law of inertia: the number of negative pivots of an
   LDL^T factorisation of H - s I is the number of eigenvalues of H below s (MUMPS, as in SLEPc's
   ex25: ICNTL(13) = 1 so that the root is not factored by ScaLAPACK and the inertia is available). */
#include <vitrum/spectrum.h>

PetscErrorCode VitSpectrumFactorableCopy(Mat H, Mat *A)
{
  PetscBool baij, shell;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)H, MATSHELL, &shell));
  PetscCheck(!shell, PetscObjectComm((PetscObject)H), PETSC_ERR_USER_INPUT, "-hessian_type shell cannot be factored: use -spectrum_method lobpcg and -spectrum_inertia 0, or -hessian_type baij");
  PetscCall(PetscObjectTypeCompareAny((PetscObject)H, &baij, MATSEQBAIJ, MATMPIBAIJ, ""));
  PetscCall(MatSetOption(H, MAT_SYMMETRIC, PETSC_TRUE));
  if (baij) PetscCall(MatConvert(H, MATSBAIJ, MAT_INITIAL_MATRIX, A));
  else PetscCall(MatDuplicate(H, MAT_COPY_VALUES, A));
  PetscCall(MatSetOption(*A, MAT_SYMMETRIC, PETSC_TRUE));
  PetscFunctionReturn(0);
}

static PetscErrorCode CountBelow(Mat H, PetscReal shift, PetscInt *count)
{
  Mat      A, F;
  KSP      ksp;
  PC       pc;
  PetscInt nzero, npos;

  PetscFunctionBegin;
  PetscCall(VitSpectrumFactorableCopy(H, &A));
  PetscCall(MatShift(A, -shift));
  PetscCall(KSPCreate(PetscObjectComm((PetscObject)H), &ksp));
  PetscCall(KSPSetOptionsPrefix(ksp, "inertia_"));
  PetscCall(KSPSetOperators(ksp, A, A));
  PetscCall(KSPSetType(ksp, KSPPREONLY));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PCSetType(pc, PCCHOLESKY));
  PetscCall(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
  PetscCall(PCFactorSetUpMatSolverType(pc));
  PetscCall(PCFactorGetMatrix(pc, &F));
  PetscCall(MatMumpsSetIcntl(F, 13, 1));
  PetscCall(MatMumpsSetIcntl(F, 24, 1));
  PetscCall(MatMumpsSetCntl(F, 3, 1e-12));
  PetscCall(KSPSetFromOptions(ksp));
  PetscCall(KSPSetUp(ksp));
  PetscCall(MatGetInertia(F, count, &nzero, &npos));
  PetscCall(KSPDestroy(&ksp));
  PetscCall(MatDestroy(&A));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSpectrumInertiaCounts(const VitSpectrumProblem *prob, PetscInt nshift, const PetscReal shift[], PetscInt count[])
{
  PetscFunctionBegin;
  for (PetscInt j = 0; j < nshift; j++) PetscCall(CountBelow(prob->H, shift[j], &count[j]));
  PetscFunctionReturn(0);
}
