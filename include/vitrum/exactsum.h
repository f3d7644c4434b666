/* Exact, rank-independent global sums (src/common/exactsum.c): terms quantised to 128-bit fixed
   point and summed as integers, which is associative, so a sum is bitwise the same for any order
   of its terms and any number of ranks. Used by the KPM dot products (spectrum), the energy and
   virial totals of the potentials, and the dot products and norms of minimize's solvers. */
#ifndef VITRUM_EXACTSUM_H
#define VITRUM_EXACTSUM_H

#include <petscvec.h>
#include <stdint.h>

typedef __int128 VitInt128;

typedef struct {
  MPI_Comm     comm;
  int          shift; /* a term t is stored as trunc(t 2^shift) */
  PetscReal    scale; /* 2^shift */
  PetscReal    bound; /* |t| <= bound is required */
  PetscReal    fold[2]; /* pre-rounding constants C_1, C_2 of VitExactSumDeposit */
  PetscInt     chunk;   /* deposits per pair of level sums before VitExactSumFlush */
  MPI_Datatype type;
  MPI_Op       op;
} VitExactSum;

/* Terms bounded by 2^log2_bound, at most 2^log2_count of them in one sum: no overflow below 2^127. */
PetscErrorCode VitExactSumCreate(MPI_Comm comm, int log2_bound, int log2_count, VitExactSum *es);
PetscErrorCode VitExactSumDestroy(VitExactSum *es);
/* Global sums of n accumulators (already quantised locally), returned as reals. */
PetscErrorCode VitExactSumReduce(const VitExactSum *es, PetscInt n, VitInt128 acc[], PetscReal sum[]);
/* ceil(log2 x), 0 for x <= 1. */
int VitCeilLog2(PetscReal x);
/* Collective: sums[c] = sum over all ranks and k < n of terms[k m + c] (c < m), bitwise the same
   on any number of ranks: each term rounded onto a fixed grid (VitExactSumDeposit; 2^-86 of the
   largest |term| or finer up to 2^38 terms a sum; bound and count agreed over the ranks), then
   summed exactly. A term that is not finite makes every sum NaN. */
PetscErrorCode VitExactSumReals(MPI_Comm comm, PetscInt n, PetscInt m, const PetscReal terms[], PetscReal sums[]);
/* A copy of v (layout, block size, values) whose dot products and norms, and those of every vector
   duplicated from it, are exact sums (VitExactSumReals) of the entries' products: VecDot, VecMDot,
   VecNorm, VecDotNorm2 and the split reductions (VecDotBegin/End, VecNormBegin/End) give the same
   bits on any number of ranks, and VecAXPY rounds every entry alike (no BLAS kernel that fuses some
   entries' multiply-adds and not others), so that a solver working on it (TAO with its LMVM matrix
   and line search, FIRE) takes the same steps. It is a VECMPI also on one rank (VecDuplicate copies
   the operations of a VECMPI, not of a VECSEQ). A split reduction becomes collective at its Begin. */
PetscErrorCode VitVecCreateExactCopy(Vec v, Vec *exact);

/* trunc(t 2^shift) from the bits of the double (same value as a cast, without libgcc's slow
   double-to-int128 conversion); |t 2^shift| < 2^126 is guaranteed by the caller's bound. */
static inline VitInt128 VitExactSumQuantise(const VitExactSum *es, PetscReal t)
{
  const double v = t * es->scale; /* exact: a power of two */
  uint64_t     bits, mant;
  int          e;
  VitInt128    r;

  memcpy(&bits, &v, sizeof(bits));
  e = (int)((bits >> 52) & 0x7ff) - 1075; /* v = mant 2^e */
  if (e < -52) return 0;                   /* |v| < 1 (and zero, subnormals) */
  mant = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
  r    = e >= 0 ? (VitInt128)mant << e : (VitInt128)(mant >> -e);
  return (bits >> 63) ? -r : r;
}

/* Pre-rounded summation, the vectorisable way to the same kind of sum (Demmel & Nguyen, "Parallel
   reproducible summation", IEEE Trans. Comput. 64, 2060 (2015)): t = r1 + r2 + e with
   r_l = fl(C_l + t_l) - C_l, t_1 = t, t_2 = t - r1 (both exact), i.e. t rounded onto the fixed grids
   ulp(C_1) and ulp(C_2), |e| <= ulp(C_2)/2. Every r_l depends on t alone, and up to es->chunk of them
   add exactly in a double; VitExactSumFlush then moves the level sums s1, s2 into a fixed-point
   accumulator exactly. A sum is therefore bitwise the same in any order, SIMD width or rank count.
   This holds for |t| <= bound only: *tmax keeps the largest |t| deposited (a NaN makes s1 NaN), and
   the caller discards a chunk whose tmax exceeds the bound or whose sums are not finite
   (VitExactSumChunkValid). No test per term, so that the loop is the eight additions above. Plain
   double arithmetic: the caller's file must be compiled without fused multiply-adds
   (-ffp-contract=off). */
static inline void VitExactSumDeposit(PetscReal C1, PetscReal C2, PetscReal t, PetscReal *s1, PetscReal *s2, PetscReal *tmax)
{
  const PetscReal r1 = (C1 + t) - C1;
  const PetscReal r2 = (C2 + (t - r1)) - C2;
  const PetscReal at = PetscAbsReal(t);

  *s1 += r1;
  *s2 += r2;
  *tmax = *tmax < at ? at : *tmax;
}

/* Whether a chunk's level sums are exact: every |t| within the bound and the sums finite (no NaN). */
static inline PetscBool VitExactSumChunkValid(const VitExactSum *es, PetscReal s1, PetscReal s2, PetscReal tmax)
{
  return (PetscBool)(tmax <= es->bound && PetscAbsReal(s1) <= PETSC_MAX_REAL && PetscAbsReal(s2) <= PETSC_MAX_REAL);
}

/* The level sums of at most es->chunk deposits, exactly, as fixed point. */
static inline VitInt128 VitExactSumFlush(const VitExactSum *es, PetscReal s1, PetscReal s2)
{
  return VitExactSumQuantise(es, s1) + VitExactSumQuantise(es, s2);
}

#endif
