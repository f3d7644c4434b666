/* Dense kernels of the block eigensolvers (block.c) on blocks of vectors stored row by row, entry
   (j, k) at x[j m + k]: the Gram matrix of two blocks and a block times a small matrix. Compiled once
   per x86-64 level like kpm_rows.c (CMakeLists.txt) and chosen at run time (block.c). For blocks of a
   few tens of columns, BLAS's general matrix product runs these shapes at 8-20 GFlop/s on this
   machine (OpenBLAS 0.3.21 takes its Zen 4 for a Haswell); these keep their accumulators in
   registers (docs/BENCHMARKS.md). Not bitwise the same across levels: fused multiply-adds, other
   groupings. */
#include "block_dense.h"
#include <string.h>

#define VIT_CAT_(a, b) a##b
#define VIT_CAT(a, b)  VIT_CAT_(a, b)

#if defined(__AVX512F__)
  #define LANES 8
#elif defined(__AVX__)
  #define LANES 4
#else
  #define LANES 2
#endif
/* a register of LANES reals, loaded from and stored to any 8-byte aligned address */
typedef PetscReal Lanes __attribute__((vector_size(LANES * sizeof(PetscReal)), aligned(sizeof(PetscReal))));
#define CACHE_LINE    8 /* reals */
#define PREFETCH_ROWS 4 /* rows asked for ahead of the pass that reads them (docs/BENCHMARKS.md) */
#define MAX_REGS 4                   /* columns per pass: up to 4 registers */
#define GROUP    (LANES >= 8 ? 4 : 2) /* rows of G (Gram) or of y (combination) per pass */

/* The columns a pass reads in whole registers: up to q rounded up to whole registers, within a row
   of m (the columns past q are read and not used); the rest, fewer than LANES, one by one. */
static inline PetscInt VectorColumns(PetscInt m, PetscInt q)
{
  const PetscInt up = (q + LANES - 1) / LANES * LANES, fit = m / LANES * LANES;
  return up < fit ? up : fit;
}

/* G(a0 + a, b0 + b) += sum_j x(j, a0 + a) y(j, b0 + b) for a < na (at most GROUP), b < nb, with the
   columns b0 .. b0 + R LANES of y in R registers. */
#define GRAM_PASS(R) \
  static inline void GramPass##R(PetscBool first, PetscInt n, PetscInt m, PetscInt p, PetscInt a0, PetscInt na, const PetscReal *x, PetscInt b0, PetscInt nb, const PetscReal *y, PetscReal *G) \
  { \
    Lanes acc[GROUP][R]; \
    for (int a = 0; a < GROUP; a++) \
      for (int r = 0; r < R; r++) acc[a][r] = (Lanes){0}; \
    for (PetscInt j = 0; j < n; j++) { \
      const Lanes *yr = (const Lanes *)(y + j * m + b0); \
      if (first) /* the first pass over the rows brings them from memory: ask for them ahead */ \
        for (PetscInt l = 0; l < m; l += CACHE_LINE) { \
          __builtin_prefetch(x + (j + PREFETCH_ROWS) * m + l); \
          __builtin_prefetch(y + (j + PREFETCH_ROWS) * m + l); \
        } \
      for (int a = 0; a < GROUP; a++) { \
        const PetscReal s = a < na ? x[j * m + a0 + a] : 0; \
        for (int r = 0; r < R; r++) acc[a][r] += s * yr[r]; \
      } \
    } \
    for (PetscInt a = 0; a < na; a++) { \
      PetscReal sums[R * LANES]; \
      memcpy(sums, acc[a], sizeof(sums)); \
      for (PetscInt b = 0; b < nb; b++) G[(b0 + b) * p + a0 + a] += sums[b]; \
    } \
  }
GRAM_PASS(1)
GRAM_PASS(2)
GRAM_PASS(3)
GRAM_PASS(4)

void VIT_CAT(VitBlockGramRows_, VIT_KPM_ISA)(PetscInt n, PetscInt m, PetscInt p, const PetscReal *x, PetscInt q, const PetscReal *y, PetscReal *G)
{
  const PetscInt qv = VectorColumns(m, q);

  for (PetscInt b0 = 0; b0 < qv; b0 += MAX_REGS * LANES) {
    const PetscInt regs = (qv - b0) / LANES < MAX_REGS ? (qv - b0) / LANES : MAX_REGS, nb = q - b0 < regs * LANES ? q - b0 : regs * LANES;
    for (PetscInt a0 = 0; a0 < p; a0 += GROUP) {
      const PetscInt  na    = p - a0 < GROUP ? p - a0 : GROUP;
      const PetscBool first = (PetscBool)(a0 == 0 && b0 == 0);
      switch (regs) {
      case 1: GramPass1(first, n, m, p, a0, na, x, b0, nb, y, G); break;
      case 2: GramPass2(first, n, m, p, a0, na, x, b0, nb, y, G); break;
      case 3: GramPass3(first, n, m, p, a0, na, x, b0, nb, y, G); break;
      default: GramPass4(first, n, m, p, a0, na, x, b0, nb, y, G);
      }
    }
  }
  for (PetscInt j = 0; j < n; j++) /* the columns left */
    for (PetscInt a = 0; a < p; a++)
      for (PetscInt b = qv; b < q; b++) G[b * p + a] += x[j * m + a] * y[j * m + b];
}

/* y(j0 + g, b0 + b) = beta y + sum_a x(j0 + g, a) Ct(a, b0 + b) for g < GROUP, b < nb, with the
   columns b0 .. b0 + R LANES of Ct (ld ldc, zero past q) in R registers. */
#define COMBINE_PASS(R) \
  static inline void CombinePass##R(PetscInt j0, PetscInt m, PetscInt p, const PetscReal *x, PetscInt ldc, const PetscReal *Ct, PetscInt b0, PetscInt nb, PetscReal beta, PetscReal *y) \
  { \
    Lanes acc[GROUP][R]; \
    for (int g = 0; g < GROUP; g++) \
      for (int r = 0; r < R; r++) acc[g][r] = (Lanes){0}; \
    for (PetscInt l = 0; l < GROUP * m; l += CACHE_LINE) { /* the rows of the next pass, from memory */ \
      __builtin_prefetch(x + (j0 + PREFETCH_ROWS) * m + l); \
      if (beta != 0) __builtin_prefetch(y + (j0 + PREFETCH_ROWS) * m + l); \
    } \
    for (PetscInt a = 0; a < p; a++) { \
      const Lanes *cr = (const Lanes *)(Ct + a * ldc + b0); \
      for (int g = 0; g < GROUP; g++) { \
        const PetscReal s = x[(j0 + g) * m + a]; \
        for (int r = 0; r < R; r++) acc[g][r] += s * cr[r]; \
      } \
    } \
    if (nb == R * LANES) /* whole registers, stored as they are */ \
      for (int g = 0; g < GROUP; g++) { \
        Lanes *yv = (Lanes *)(y + (j0 + g) * m + b0); \
        for (int r = 0; r < R; r++) yv[r] = beta != 0 ? beta * yv[r] + acc[g][r] : acc[g][r]; \
      } \
    else \
      for (int g = 0; g < GROUP; g++) { \
        PetscReal *yr = y + (j0 + g) * m + b0, sums[R * LANES]; \
        memcpy(sums, acc[g], sizeof(sums)); \
        for (PetscInt b = 0; b < nb; b++) yr[b] = beta != 0 ? beta * yr[b] + sums[b] : sums[b]; \
      } \
  }
COMBINE_PASS(1)
COMBINE_PASS(2)
COMBINE_PASS(3)
COMBINE_PASS(4)

void VIT_CAT(VitBlockCombineRows_, VIT_KPM_ISA)(PetscInt n, PetscInt m, PetscInt p, const PetscReal *x, PetscInt q, PetscInt ldc, const PetscReal *Ct, PetscReal beta, PetscReal *y)
{
  const PetscInt qv = VectorColumns(ldc, q), nj = n / GROUP * GROUP;

  for (PetscInt b0 = 0; b0 < qv; b0 += MAX_REGS * LANES) {
    const PetscInt regs = (qv - b0) / LANES < MAX_REGS ? (qv - b0) / LANES : MAX_REGS, nb = q - b0 < regs * LANES ? q - b0 : regs * LANES;
    for (PetscInt j0 = 0; j0 < nj; j0 += GROUP) switch (regs) {
      case 1: CombinePass1(j0, m, p, x, ldc, Ct, b0, nb, beta, y); break;
      case 2: CombinePass2(j0, m, p, x, ldc, Ct, b0, nb, beta, y); break;
      case 3: CombinePass3(j0, m, p, x, ldc, Ct, b0, nb, beta, y); break;
      default: CombinePass4(j0, m, p, x, ldc, Ct, b0, nb, beta, y);
      }
  }
  for (PetscInt j = 0; j < n; j++) /* the rows and columns left */
    for (PetscInt b = j < nj ? qv : 0; b < q; b++) {
      PetscReal sum = 0;
      for (PetscInt a = 0; a < p; a++) sum += x[j * m + a] * Ct[a * ldc + b];
      y[j * m + b] = beta != 0 ? beta * y[j * m + b] + sum : sum;
    }
}
