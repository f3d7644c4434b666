/* Blocks of vectors in the KPM operator's layout (block.h): the dense algebra the block
   eigensolvers share (subspace.c, twolevel.c). The layout x[j m + k] is, for BLAS, the m x n
   column-major matrix X^T with leading dimension m; the Gram matrices and combinations run in
   vitrum's own kernels (kernel/block_dense.c), the small eigenproblems in LAPACK. */
#include "block.h"
#include "kernel/block_dense.h"
#include <petscblaslapack.h>

PetscInt VitBlockDefaultSize(PetscInt nev, PetscInt states)
{
  const PetscInt64 m = (PetscInt64)nev + PetscMax(8, nev / 2); /* no overflow for any -spectrum_nev (checked later, against the sample) */
  return (PetscInt)PetscMin(8 * ((m + 7) / 8), (PetscInt64)states); /* whole SIMD chunks of the kernel */
}

PetscErrorCode VitBlockCheckTolerance(MPI_Comm comm, const char *who, PetscReal tol)
{
  PetscFunctionBegin;
  PetscCheck(tol > 0 && tol < 1, comm, PETSC_ERR_USER_INPUT, "-spectrum_%s_tol %.6g: must lie in (0, 1)", who, (double)tol);
  PetscFunctionReturn(0);
}

PetscErrorCode VitBlockCheckSize(MPI_Comm comm, const char *who, PetscInt block, PetscInt nev, PetscInt states)
{
  PetscFunctionBegin;
  PetscCheck(block > nev && block <= states, comm, PETSC_ERR_USER_INPUT, "-spectrum_%s_block %" PetscInt_FMT ": must lie in (%" PetscInt_FMT ", %" PetscInt_FMT "] (above -spectrum_nev, at most dN - d)", who, block, nev, states);
  PetscFunctionReturn(0);
}

/* The dense kernels for this CPU (kernel/block_dense.h): the widest x86-64 level it supports. */
static void DenseKernels(VitBlockGramRowsFn *gram, VitBlockCombineRowsFn *combine)
{
#if defined(VIT_KPM_X86_VARIANTS)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd")) {
    *gram = VitBlockGramRows_v4, *combine = VitBlockCombineRows_v4;
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2")) {
    *gram = VitBlockGramRows_v3, *combine = VitBlockCombineRows_v3;
  } else {
    *gram = VitBlockGramRows_v2, *combine = VitBlockCombineRows_v2;
  }
#else
  *gram = VitBlockGramRows_generic, *combine = VitBlockCombineRows_generic;
#endif
}

PetscErrorCode VitBlockGrams(const VitSpectrumProblem *prob, const VitBlock *B, PetscInt count, const VitGramTerm terms[])
{
  VitBlockGramRowsFn    gram;
  VitBlockCombineRowsFn combine;
  PetscInt              total = 0;
  PetscReal            *sums;

  PetscFunctionBegin;
  DenseKernels(&gram, &combine);
  for (PetscInt t = 0; t < count; t++) total += terms[t].p * terms[t].q;
  PetscCall(PetscCalloc1(total + 1, &sums));
  for (PetscInt j0 = 0; j0 < B->n; j0 += VIT_BLOCK_GRAM_TILE) { /* each tile's rows stay in the cache for every term */
    const PetscInt n = PetscMin(VIT_BLOCK_GRAM_TILE, B->n - j0);
    PetscReal     *G = sums;
    for (PetscInt t = 0; t < count; t++) {
      gram(n, B->m, terms[t].p, terms[t].x + j0 * B->m, terms[t].q, terms[t].y + j0 * B->m, G);
      G += terms[t].p * terms[t].q;
    }
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, sums, (PetscMPIInt)total, MPIU_REAL, MPIU_SUM, prob->comm));
  total = 0;
  for (PetscInt t = 0; t < count; t++) {
    PetscCall(PetscArraycpy(terms[t].G, sums + total, terms[t].p * terms[t].q));
    total += terms[t].p * terms[t].q;
  }
  PetscCall(PetscFree(sums));
  PetscFunctionReturn(0);
}

PetscErrorCode VitBlockGram(const VitSpectrumProblem *prob, const VitBlock *B, PetscInt p, const PetscReal x[], PetscInt q, const PetscReal y[], PetscReal G[])
{
  const VitGramTerm term = {p, x, q, y, G};

  PetscFunctionBegin;
  PetscCall(VitBlockGrams(prob, B, 1, &term));
  PetscFunctionReturn(0);
}

PetscErrorCode VitBlockCombine(const VitBlock *B, PetscInt p, const PetscReal x[], PetscInt q, const PetscReal C[], PetscReal beta, PetscReal y[])
{
  const PetscInt        ldc = 8 * ((q + 7) / 8);
  VitBlockGramRowsFn    gram;
  VitBlockCombineRowsFn combine;
  PetscReal            *Ct;

  PetscFunctionBegin;
  if (!B->n || !q) PetscFunctionReturn(0);
  DenseKernels(&gram, &combine);
  PetscCall(PetscCalloc1(p * ldc + 1, &Ct)); /* C row by row, the rows padded to whole registers with zeros */
  for (PetscInt a = 0; a < p; a++)
    for (PetscInt b = 0; b < q; b++) Ct[a * ldc + b] = C[b * p + a];
  combine(B->n, B->m, p, x, q, ldc, Ct, beta, y);
  PetscCall(PetscFree(Ct));
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
  for (PetscInt k = 0; k < m; k++) residual[k] = PetscSqrtReal(residual[k]) / PetscMax(PetscAbsReal(theta[k]), VIT_ZERO_MODE_RTOL * prob->mean);
  PetscFunctionReturn(0);
}

PetscInt VitBlockWanted(PetscInt nev, PetscInt m, const PetscReal theta[])
{
  PetscInt upto = nev;
  while (upto < m && theta[upto] <= theta[nev - 1] + VIT_MULTIPLET_RTOL * PetscAbsReal(theta[nev - 1])) upto++;
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
