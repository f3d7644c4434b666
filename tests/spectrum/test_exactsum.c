/* The KPM's exact dot products (VitKpmStep, src/spectrum/kernel; pre-rounded sums, exactsum.h) on
   any number of ranks, rows split evenly over the ranks:
   - terms on a common grid (products of integers times 2^-30) sum to exactly the integer reference,
     for any rank count, across many flush chunks and with heavy cancellation;
   - terms of every magnitude (2^-40 .. 2^0) give bitwise the same sums in any row order and split
     into any pieces, within N ulp(C_2)/2 of the 128-bit fixed-point sum of the same terms, and so
     does VitExactSumReals, whose sums are NaN when a term is;
   - every compiled kernel variant this CPU runs gives the same bits, update included, the update
     equals (y - a v) s - w computed here, and the sums of the update pass equal those of a
     separate pass over the updated vectors;
   - a term beyond the bound and a NaN are counted (per chunk of rows and vector), their chunks'
     sums dropped;
   - the spectral problem's mean eigenvalue Tr(H)/(dN) is the exact trace's, on any rank count. */
#include <vitrum/spectrum.h>
#include <vitrum/exactsum.h>
#include "../../src/spectrum/kernel/kpm_rows.h"
#include <slepcsys.h>

#define R 3 /* interleaved vectors */

static PetscErrorCode Check(PetscBool ok, const char *what, double value)
{
  PetscFunctionBegin;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: %s (%.17g)\n", ok ? "ok" : "FAILED", what, value));
  PetscCheck(ok, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "check failed: %s", what);
  PetscFunctionReturn(0);
}

/* A uniform integer in [0, 2^bits) from (index, salt). */
static uint64_t Hash(uint64_t index, uint64_t salt, int bits)
{
  return VitSplitMix64(VitSplitMix64(index) ^ salt) >> (64 - bits);
}

/* The kernel variants this CPU runs (kpm_rows.h), the widest first. */
static PetscInt Variants(VitKpmStepFn fn[4])
{
  PetscInt n = 0;
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd")) fn[n++] = VitKpmStep_v4;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) fn[n++] = VitKpmStep_v3;
  fn[n++] = VitKpmStep_v2;
#else
  fn[n++] = VitKpmStep_generic;
#endif
  return n;
}

/* sums[2R] of <v,v>, <w,v> over all ranks: the local rows in `pieces` calls of the kernel. */
static PetscErrorCode Sums(VitKpmStepFn step, const VitExactSum *es, PetscInt n, PetscInt pieces, const PetscReal *v, PetscReal *w, PetscReal sums[], PetscReal *outside)
{
  VitInt128 acc[2 * R + 1] = {0};
  PetscReal work[VIT_KPM_STEP_WORK(R)], all[2 * R + 1];

  PetscFunctionBegin;
  for (PetscInt p = 0; p < pieces; p++) {
    const PetscInt j0 = n * p / pieces, j1 = n * (p + 1) / pieces;
    step(es, j1 - j0, R, NULL, 0, 0, v + j0 * R, w + j0 * R, acc, work);
  }
  PetscCall(VitExactSumReduce(es, 2 * R + 1, acc, all));
  PetscCall(PetscArraycpy(sums, all, 2 * R));
  *outside = ldexp(all[2 * R], es->shift); /* a count, not a fixed-point value */
  PetscFunctionReturn(0);
}

/* 5. The mean eigenvalue Tr(H)/(dN) of a spectral problem (the scale of its shifts, targets and
   zero-mode tolerance, VIT_ZERO_MODE_RTOL) is exact: a diagonal H of 2^54, then ones, then -2^54
   has mean (dN - 2)/(dN) on any number of ranks. A sum in floating point loses every one added to
   2^54 (its ulp is 4), what it keeps depending on the split over the ranks (VecSum gave 0 on 1 rank). */
static PetscErrorCode CheckMeanEigenvalue(void)
{
  const PetscInt     dim = 3;
  PetscInt           natoms = 400, nowned = PETSC_DECIDE, first = 0, ndof, lo, hi, *gid;
  Mat                H;
  VitSpectrumProblem prob;

  PetscFunctionBegin;
  PetscCall(PetscSplitOwnership(PETSC_COMM_WORLD, &nowned, &natoms));
  PetscCallMPI(MPI_Exscan(&nowned, &first, 1, MPIU_INT, MPI_SUM, PETSC_COMM_WORLD));
  ndof = dim * natoms;
  PetscCall(MatCreate(PETSC_COMM_WORLD, &H));
  PetscCall(MatSetSizes(H, dim * nowned, dim * nowned, ndof, ndof));
  PetscCall(MatSetBlockSize(H, dim));
  PetscCall(MatSetType(H, MATAIJ));
  PetscCall(MatSetUp(H));
  PetscCall(MatGetOwnershipRange(H, &lo, &hi));
  for (PetscInt r = lo; r < hi; r++) PetscCall(MatSetValue(H, r, r, r == 0 ? ldexp(1.0, 54) : r == ndof - 1 ? -ldexp(1.0, 54) : 1.0, INSERT_VALUES));
  PetscCall(MatAssemblyBegin(H, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(H, MAT_FINAL_ASSEMBLY));
  PetscCall(PetscMalloc1(nowned + 1, &gid));
  for (PetscInt i = 0; i < nowned; i++) gid[i] = first + i;
  PetscCall(VitSpectrumProblemCreate(PETSC_COMM_WORLD, H, dim, nowned, gid, NULL, &prob));
  PetscCall(Check((PetscBool)(prob.mean == (ndof - 2.0) / ndof), "problem: the mean eigenvalue is the exact Tr(H)/(dN)", prob.mean));
  PetscCall(VitSpectrumProblemDestroy(&prob));
  PetscCall(PetscFree(gid));
  PetscCall(MatDestroy(&H));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  const PetscInt N = 5000; /* rows: 20 flush chunks of 256 */
  PetscMPIInt    rank, size;
  PetscInt       lo, hi, n, nvar;
  PetscReal     *v, *w, *vr, *wr, *y, *wref, sums[2 * R], other[2 * R], outside;
  VitKpmStepFn   variant[4];
  VitExactSum    es;
  PetscBool      same;

  PetscFunctionBeginUser;
  PetscCall(SlepcInitialize(&argc, &argv, NULL, NULL));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  lo = N * rank / size, hi = N * (rank + 1) / size, n = hi - lo;
  PetscCall(PetscMalloc6(n * R + 1, &v, n * R + 1, &w, n * R + 1, &vr, n * R + 1, &wr, n * R + 1, &y, n * R + 1, &wref));
  nvar = Variants(variant);
  PetscCall(VitExactSumCreate(PETSC_COMM_WORLD, 2, VitCeilLog2(N), &es)); /* |terms| <= 4 */

  /* 1. Grid terms: v = i 2^-30, w = +-m 2^-30 (i, m < 2^26), so v w = i m 2^-60 exactly. Vector 2
     R-1 repeats every row's <w, v> term with the opposite sign N/2 rows later: the sum cancels. */
  {
    __int128 ref[2 * R] = {0};
    PetscReal refd[2 * R];
    for (PetscInt j = 0; j < N; j++)
      for (PetscInt k = 0; k < R; k++) {
        const PetscBool cancel = (PetscBool)(k == R - 1);
        const int64_t   iv     = cancel ? 1 << 25 : (int64_t)Hash(j * R + k, 1, 26);
        const int64_t   m      = (int64_t)Hash(cancel ? j % (N / 2) : j * R + k, 2, 26) * ((cancel ? j >= N / 2 : Hash(j, 3, 1)) ? -1 : 1);
        const PetscInt  q      = (j - lo) * R + k;
        ref[k] += (__int128)iv * iv;
        ref[R + k] += (__int128)m * iv;
        if (j < lo || j >= hi) continue;
        v[q] = ldexp((double)iv, -30);
        w[q] = ldexp((double)m, -30);
      }
    for (PetscInt c = 0; c < 2 * R; c++) refd[c] = ldexp((double)ref[c], -60);
    PetscCall(Sums(variant[0], &es, n, 1, v, w, sums, &outside));
    PetscCall(PetscArraycmp(sums, refd, 2 * R, &same));
    PetscCall(Check(same, "grid terms: every <v,v> and <w,v> equals the integer sum", sums[R]));
    PetscCall(Check((PetscBool)(sums[2 * R - 1] == 0), "grid terms: the cancelling vector sums to exactly 0", sums[2 * R - 1]));
  }

  /* 2. Terms of every magnitude: v, w = u 2^-e, u uniform in [-1, 1), e in [0, 20]. */
  for (PetscInt j = lo; j < hi; j++)
    for (PetscInt k = 0; k < R; k++) {
      const PetscInt q = (j - lo) * R + k;
      v[q]             = ldexp((double)Hash(j * R + k, 4, 53) / 4503599627370496.0 - 1.0, -(int)Hash(j * R + k, 5, 5) % 21);
      w[q]             = ldexp((double)Hash(j * R + k, 6, 53) / 4503599627370496.0 - 1.0, -(int)Hash(j * R + k, 7, 5) % 21);
      y[q]             = (double)Hash(j * R + k, 8, 53) / 9007199254740992.0;
      vr[(n - 1 - (j - lo)) * R + k] = v[q]; /* rows reversed */
      wr[(n - 1 - (j - lo)) * R + k] = w[q];
    }
  PetscCall(Sums(variant[0], &es, n, 1, v, w, sums, &outside));
  PetscCall(Sums(variant[0], &es, n, 1, vr, wr, other, &outside));
  PetscCall(PetscArraycmp(sums, other, 2 * R, &same));
  PetscCall(Check(same, "any magnitude: rows in reverse order give the same bits", sums[R]));
  PetscCall(Sums(variant[0], &es, n, 7, v, w, other, &outside));
  PetscCall(PetscArraycmp(sums, other, 2 * R, &same));
  PetscCall(Check(same, "any magnitude: rows in 7 pieces give the same bits", sums[R]));
  {
    /* The reference: every term quantised to the 128-bit fixed point (unit 2^-shift) on its own. */
    VitInt128  acc[2 * R] = {0};
    PetscReal *terms, fixed[2 * R], reals[2 * R], again[2 * R], err = 0;
    PetscCall(PetscMalloc1(n * 2 * R + 1, &terms));
    for (PetscInt j = 0; j < n; j++)
      for (PetscInt k = 0; k < R; k++) {
        terms[j * 2 * R + k]     = v[j * R + k] * v[j * R + k];
        terms[j * 2 * R + R + k] = w[j * R + k] * v[j * R + k];
        acc[k] += VitExactSumQuantise(&es, terms[j * 2 * R + k]);
        acc[R + k] += VitExactSumQuantise(&es, terms[j * 2 * R + R + k]);
      }
    PetscCall(VitExactSumReduce(&es, 2 * R, acc, fixed));
    for (PetscInt c = 0; c < 2 * R; c++) err = PetscMax(err, PetscAbsReal(sums[c] - fixed[c]) - 2 * PETSC_MACHINE_EPSILON * PetscAbsReal(fixed[c]));
    PetscCall(Check((PetscBool)(err <= N * 0.5 * es.fold[1] / 1.5 * PETSC_MACHINE_EPSILON), "any magnitude: within N ulp(C_2)/2 (+ final rounding) of the fixed-point sum", err));

    /* VitExactSumReals (energies, traces, minimize's dot products): the same bits with the rows
       reversed (the global sum's order changes with the rank count as the pieces do), within the
       same bound of the fixed-point sum, and NaN for every sum when one term is NaN. */
    PetscCall(VitExactSumReals(PETSC_COMM_WORLD, n, 2 * R, terms, reals));
    for (PetscInt j = 0; j < n / 2; j++)
      for (PetscInt c = 0; c < 2 * R; c++) {
        const PetscReal t               = terms[j * 2 * R + c];
        terms[j * 2 * R + c]            = terms[(n - 1 - j) * 2 * R + c];
        terms[(n - 1 - j) * 2 * R + c] = t;
      }
    PetscCall(VitExactSumReals(PETSC_COMM_WORLD, n, 2 * R, terms, again));
    PetscCall(PetscArraycmp(reals, again, 2 * R, &same));
    PetscCall(Check(same, "VitExactSumReals: rows in reverse order give the same bits", reals[R]));
    err = 0;
    for (PetscInt c = 0; c < 2 * R; c++) err = PetscMax(err, PetscAbsReal(reals[c] - fixed[c]) - 2 * PETSC_MACHINE_EPSILON * PetscAbsReal(fixed[c]));
    PetscCall(Check((PetscBool)(err <= N * 0.5 * es.fold[1] / 1.5 * PETSC_MACHINE_EPSILON), "VitExactSumReals: within N ulp(C_2)/2 (+ final rounding) of the fixed-point sum", err));
    if (rank == size - 1 && n > 0) terms[0] = NAN;
    PetscCall(VitExactSumReals(PETSC_COMM_WORLD, n, 2 * R, terms, again));
    same = PETSC_TRUE;
    for (PetscInt c = 0; c < 2 * R; c++) same = (PetscBool)(same && PetscIsNanReal(again[c]));
    PetscCall(Check(same, "VitExactSumReals: one NaN term makes every sum NaN", again[2 * R - 1]));
    PetscCall(PetscFree(terms));
  }

  /* 3. Every variant, with the update w = (y - a v) s - w. */
  PetscReal first[2 * R + 1];
  for (PetscInt t = 0; t < nvar; t++) {
    const PetscReal a = 0.3, s = 1.7; /* |w| <= 2.7: terms within the bound 4 */
    VitInt128       acc[2 * R + 1] = {0};
    PetscReal       work[VIT_KPM_STEP_WORK(R)], all[2 * R + 1];
    for (PetscInt q = 0; q < n * R; q++) {
      wr[q]   = w[q];
      wref[q] = (y[q] - a * v[q]) * s - w[q];
    }
    variant[t](&es, n, R, y, a, s, v, wr, acc, work);
    PetscCall(VitExactSumReduce(&es, 2 * R + 1, acc, all));
    PetscCall(PetscArraycmp(wr, wref, n * R, &same));
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &same, 1, MPIU_BOOL, MPI_LAND, PETSC_COMM_WORLD));
    PetscCall(Check(same, "variant: the update equals (y - a v) s - w", (double)t));
    if (t == 0) PetscCall(PetscArraycpy(first, all, 2 * R + 1));
    PetscCall(PetscArraycmp(all, first, 2 * R + 1, &same));
    PetscCall(Check(same, "variant: the same sums as the widest variant", (double)t));
  }
  {
    PetscReal separate[2 * R];
    PetscCall(Sums(variant[0], &es, n, 1, v, wref, separate, &outside));
    PetscCall(PetscArraycmp(separate, first, 2 * R, &same));
    PetscCall(Check(same, "update pass: the same sums as a separate pass over the updated vectors", first[R]));
  }

  /* 4. A term beyond the bound (vector 0) and a NaN (vector 1), in the first rows of the last rank:
     each makes its vector's chunk count one and drop its sums (the KPM then stops with an error), in
     every variant: the sums are those of the vectors with that chunk's entries of vectors 0 and 1
     zeroed (zero terms add exactly nothing), the third vector's included. */
  {
    PetscReal dropped[2 * R];
    PetscCall(PetscArraycpy(vr, v, n * R));
    PetscCall(PetscArraycpy(wr, w, n * R));
    for (PetscInt j = 0; rank == size - 1 && j < PetscMin(n, es.chunk); j++) vr[j * R] = wr[j * R] = vr[j * R + 1] = wr[j * R + 1] = 0;
    PetscCall(Sums(variant[0], &es, n, 1, vr, wr, dropped, &outside));
    if (rank == size - 1) {
      w[0] = 64.0 / v[0]; /* <w, v> term 64 > 4 */
      w[1] = NAN;
    }
    for (PetscInt k = 0; k < nvar; k++) {
      PetscCall(Sums(variant[k], &es, n, 1, v, w, sums, &outside));
      PetscCall(Check((PetscBool)(outside == 2), "variant: a term beyond the bound and a NaN each count their chunk", outside));
      PetscCall(PetscArraycmp(sums, dropped, 2 * R, &same));
      PetscCall(Check(same, "variant: and add nothing of their chunks", sums[0]));
    }
  }

  PetscCall(CheckMeanEigenvalue());
  PetscCall(VitExactSumDestroy(&es));
  PetscCall(PetscFree6(v, w, vr, wr, y, wref));
  PetscCall(SlepcFinalize());
  return 0;
}
