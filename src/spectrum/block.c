/* Blocks of vectors in the KPM operator's layout (block.h): the dense algebra the block
   eigensolvers share (subspace.c, twolevel.c). The layout x[j m + k] is, for BLAS, the m x n
   column-major matrix X^T with leading dimension m. */
#include "block.h"
#include <petscblaslapack.h>

PetscInt VitBlockDefaultSize(PetscInt nev, PetscInt states)
{
  const PetscInt m = nev + PetscMax(8, nev / 2);
  return PetscMin(8 * ((m + 7) / 8), states); /* whole SIMD chunks of the kernel */
}

PetscErrorCode VitBlockCheckOptions(MPI_Comm comm, const char *who, PetscInt block, PetscInt nev, PetscInt states, PetscReal tol)
{
  PetscFunctionBegin;
  PetscCheck(block > nev && block <= states, comm, PETSC_ERR_USER_INPUT, "-spectrum_%s_block %" PetscInt_FMT ": must lie in (%" PetscInt_FMT ", %" PetscInt_FMT "] (above -spectrum_nev, at most dN - d)", who, block, nev, states);
  PetscCheck(tol > 0 && tol < 1, comm, PETSC_ERR_USER_INPUT, "-spectrum_%s_tol %g: must lie in (0, 1)", who, (double)tol);
  PetscFunctionReturn(0);
}

/* The BLAS sizes of a product of p and q columns of blocks like B. */
static PetscErrorCode BlasSizes(const VitBlock *B, PetscInt p, PetscInt q, PetscBLASInt *bp, PetscBLASInt *bq, PetscBLASInt *n, PetscBLASInt *m)
{
  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(p, bp));
  PetscCall(PetscBLASIntCast(q, bq));
  PetscCall(PetscBLASIntCast(B->n, n));
  PetscCall(PetscBLASIntCast(B->m, m));
  PetscFunctionReturn(0);
}

PetscErrorCode VitBlockGram(const VitSpectrumProblem *prob, const VitBlock *B, PetscInt p, const PetscReal x[], PetscInt q, const PetscReal y[], PetscReal G[])
{
  const PetscReal one = 1, zero = 0;
  PetscBLASInt    bp, bq, n, m;

  PetscFunctionBegin;
  PetscCall(BlasSizes(B, p, q, &bp, &bq, &n, &m));
  if (n && p && q) PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &bp, &bq, &n, &one, x, &m, y, &m, &zero, G, &bp));
  else PetscCall(PetscArrayzero(G, p * q));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, G, (PetscMPIInt)(p * q), MPIU_REAL, MPIU_SUM, prob->comm));
  PetscFunctionReturn(0);
}

PetscErrorCode VitBlockCombine(const VitBlock *B, PetscInt p, const PetscReal x[], PetscInt q, const PetscReal C[], PetscReal beta, PetscReal y[])
{
  const PetscReal one = 1;
  PetscBLASInt    bp, bq, n, m;

  PetscFunctionBegin;
  PetscCall(BlasSizes(B, p, q, &bp, &bq, &n, &m));
  if (n && q) {
    if (p) PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &bq, &n, &bp, &one, C, &bp, x, &m, &beta, y, &m));
    else
      for (PetscInt j = 0; j < B->n; j++)
        for (PetscInt k = 0; k < q; k++) y[j * B->m + k] *= beta;
  }
  PetscFunctionReturn(0);
}

size_t VitBlockBytes(const VitBlock *B)
{
  return (size_t)B->nall * B->m * sizeof(PetscReal);
}

PetscErrorCode VitBlockSymmetricEigen(const VitSpectrumProblem *prob, const char *who, PetscInt mm, PetscReal A[], PetscReal lambda[])
{
  PetscBLASInt m, lwork = -1, info;
  PetscReal    wsize, *work;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(mm, &m));
  PetscCallBLAS("LAPACKsyev", LAPACKsyev_("V", "U", &m, A, &m, lambda, &wsize, &lwork, &info));
  lwork = (PetscBLASInt)wsize;
  PetscCall(PetscMalloc1(lwork, &work));
  PetscCallBLAS("LAPACKsyev", LAPACKsyev_("V", "U", &m, A, &m, lambda, work, &lwork, &info));
  PetscCall(PetscFree(work));
  PetscCheck(info == 0, prob->comm, PETSC_ERR_LIB, "-spectrum_method %s: LAPACK syev failed (info %d)", who, (int)info);
  PetscFunctionReturn(0);
}

PetscErrorCode VitBlockSvqb(const VitSpectrumProblem *prob, const char *who, PetscInt q, PetscReal G[], PetscReal drop, PetscInt *lost)
{
  PetscReal *L, *s;

  PetscFunctionBegin;
  PetscCall(PetscMalloc2(q, &L, q, &s));
  for (PetscInt k = 0; k < q; k++) s[k] = G[k * q + k] > 0 ? 1 / PetscSqrtReal(G[k * q + k]) : 0;
  for (PetscInt j = 0; j < q; j++)
    for (PetscInt k = 0; k < q; k++) G[j * q + k] *= s[j] * s[k];
  PetscCall(VitBlockSymmetricEigen(prob, who, q, G, L));
  *lost = 0;
  for (PetscInt k = 0; k < q; k++) {
    const PetscBool gone = (PetscBool)(L[k] <= drop * L[q - 1]);
    for (PetscInt j = 0; j < q; j++) G[k * q + j] = gone ? 0 : s[j] * G[k * q + j] / PetscSqrtReal(L[k]);
    *lost += gone;
  }
  PetscCall(PetscFree2(L, s));
  PetscFunctionReturn(0);
}

PetscErrorCode VitBlockDeflateTranslations(const VitSpectrumProblem *prob, const VitBlock *B, PetscReal x[])
{
  const PetscInt d = prob->dim, m = B->m;
  PetscReal     *coef;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1(d * m + 1, &coef));
  for (PetscInt i = 0; i < prob->nowned; i++) {
    for (PetscInt c = 0; c < d; c++)
      for (PetscInt k = 0; k < m; k++) coef[c * m + k] += B->sqrt_mass[i] * x[(i * d + c) * m + k];
    coef[d * m] += B->sqrt_mass[i] * B->sqrt_mass[i];
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, coef, (PetscMPIInt)(d * m + 1), MPIU_REAL, MPIU_SUM, prob->comm));
  for (PetscInt i = 0; i < prob->nowned; i++)
    for (PetscInt c = 0; c < d; c++)
      for (PetscInt k = 0; k < m; k++) x[(i * d + c) * m + k] -= coef[c * m + k] / coef[d * m] * B->sqrt_mass[i];
  PetscCall(PetscFree(coef));
  PetscFunctionReturn(0);
}

void VitBlockRandomColumn(const VitSpectrumProblem *prob, const VitBlock *B, PetscInt64 seed, PetscInt k, PetscReal x[])
{
  for (PetscInt i = 0; i < prob->nowned; i++)
    for (PetscInt c = 0; c < prob->dim; c++) x[(i * prob->dim + c) * B->m + k] = VitRademacher(seed, B->gid[i], c, k);
}

PetscErrorCode VitBlockResiduals(const VitSpectrumProblem *prob, const VitBlock *B, const PetscReal x[], const PetscReal hx[], const PetscReal theta[], PetscReal residual[])
{
  const PetscInt m = B->m;

  PetscFunctionBegin;
  PetscCall(PetscArrayzero(residual, m));
  for (PetscInt j = 0; j < B->n; j++)
    for (PetscInt k = 0; k < m; k++) residual[k] += PetscSqr(hx[j * m + k] - theta[k] * x[j * m + k]);
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, residual, (PetscMPIInt)m, MPIU_REAL, MPIU_SUM, prob->comm));
  for (PetscInt k = 0; k < m; k++) residual[k] = PetscSqrtReal(residual[k]) / PetscMax(PetscAbsReal(theta[k]), PETSC_SMALL * PetscAbsReal(theta[m - 1]));
  PetscFunctionReturn(0);
}

PetscInt VitBlockWanted(PetscInt nev, PetscInt m, const PetscReal theta[])
{
  PetscInt upto = nev;
  while (upto < m && theta[upto] <= theta[nev - 1] + 1e-8 * PetscAbsReal(theta[nev - 1])) upto++;
  return upto;
}

PetscErrorCode VitBlockStoreModes(const VitSpectrumProblem *prob, const VitBlock *B, PetscInt k, const PetscReal theta[], const PetscReal residual[], const PetscReal x[], VitModes *modes)
{
  PetscFunctionBegin;
  modes->k = k;
  PetscCall(PetscMalloc3(k, &modes->eigenvalue, k, &modes->residual, k, &modes->participation));
  { /* H's layout (H itself may be released): the owned atoms' d components */
    Vec v;
    PetscCall(VecCreateMPI(prob->comm, prob->nowned * prob->dim, PETSC_DETERMINE, &v));
    PetscCall(VecSetBlockSize(v, prob->dim));
    PetscCall(VecDuplicateVecs(v, PetscMax(k, 1), &modes->vector));
    PetscCall(VecDestroy(&v));
  }
  for (PetscInt q = 0; q < k; q++) {
    PetscScalar *e;
    modes->eigenvalue[q] = theta[q];
    modes->residual[q]   = residual[q];
    PetscCall(VecGetArray(modes->vector[q], &e));
    for (PetscInt i = 0; i < prob->nowned; i++)
      for (PetscInt c = 0; c < prob->dim; c++) e[B->order[i] * prob->dim + c] = x[(i * prob->dim + c) * B->m + q];
    PetscCall(VecRestoreArray(modes->vector[q], &e));
    PetscCall(VitParticipationRatio(modes->vector[q], prob->dim, &modes->participation[q]));
  }
  PetscFunctionReturn(0);
}
