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

/* A MUMPS LDL^T factor of A (ICNTL(13) = 1: inertia available; ICNTL(24) = 1: null pivots detected),
   after the analysis only (numeric = false) or factored; options prefix "inertia_". */
static PetscErrorCode MumpsFactor(Mat A, PetscBool numeric, Mat *F)
{
  IS            rperm, cperm;
  MatFactorInfo info;

  PetscFunctionBegin;
  PetscCall(MatSetOptionsPrefix(A, "inertia_"));
  PetscCall(MatGetFactor(A, MATSOLVERMUMPS, MAT_FACTOR_CHOLESKY, F));
  PetscCall(MatSetOptionsPrefix(*F, "inertia_"));
  PetscCall(MatMumpsSetIcntl(*F, 13, 1));
  PetscCall(MatMumpsSetIcntl(*F, 24, 1));
  PetscCall(MatMumpsSetCntl(*F, 3, 1e-12));
  PetscCall(MatFactorInfoInitialize(&info));
  PetscCall(MatGetOrdering(A, MATORDERINGNATURAL, &rperm, &cperm));
  PetscCall(MatCholeskyFactorSymbolic(*F, A, rperm, &info));
  if (numeric) PetscCall(MatCholeskyFactorNumeric(*F, A, &info));
  PetscCall(ISDestroy(&rperm));
  PetscCall(ISDestroy(&cperm));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSpectrumFactorEstimate(Mat H, PetscReal *megabytes)
{
  Mat      A, F;
  PetscInt mb;

  PetscFunctionBegin;
  PetscCall(VitSpectrumFactorableCopy(H, &A));
  PetscCall(MumpsFactor(A, PETSC_FALSE, &F));
  PetscCall(MatMumpsGetInfog(F, 17, &mb)); /* estimated MB of all MUMPS data, in-core, summed over ranks */
  *megabytes = mb;
  PetscCall(MatDestroy(&F));
  PetscCall(MatDestroy(&A));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSpectrumFactorMemoryLimit(MPI_Comm comm, PetscReal *megabytes)
{
  PetscMPIInt rank;
  FILE       *f;
  char        line[256];
  double      kb = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank && (f = fopen("/proc/meminfo", "r"))) {
    while (fgets(line, sizeof(line), f))
      if (sscanf(line, "MemAvailable: %lf kB", &kb) == 1) break;
    fclose(f);
  }
  PetscCallMPI(MPI_Bcast(&kb, 1, MPI_DOUBLE, 0, comm));
  *megabytes = kb > 0 ? 0.5 * kb / 1024 : PETSC_MAX_REAL;
  PetscFunctionReturn(0);
}

/* Negative pivots of H - shift I; *failed when MUMPS reports an error (memory, numerical). */
static PetscErrorCode CountBelow(Mat H, PetscReal shift, PetscInt *count, PetscBool *failed)
{
  Mat            A, F;
  PetscInt       nzero, npos;
  MatFactorError err;

  PetscFunctionBegin;
  PetscCall(VitSpectrumFactorableCopy(H, &A));
  PetscCall(MatShift(A, -shift));
  PetscCall(MumpsFactor(A, PETSC_TRUE, &F));
  PetscCall(MatFactorGetError(F, &err));
  *failed = (PetscBool)(err != MAT_FACTOR_NOERROR);
  if (!*failed) PetscCall(MatGetInertia(F, count, &nzero, &npos));
  PetscCall(MatDestroy(&F));
  PetscCall(MatDestroy(&A));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSpectrumInertiaCounts(const VitSpectrumProblem *prob, PetscInt nshift, const PetscReal shift[], PetscInt count[], PetscBool *failed)
{
  PetscFunctionBegin;
  *failed = PETSC_FALSE;
  for (PetscInt j = 0; j < nshift && !*failed; j++) PetscCall(CountBelow(prob->H, shift[j], &count[j], failed));
  PetscFunctionReturn(0);
}
