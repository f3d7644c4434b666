/* Exact sums of reals over ranks: every term is quantised to 128-bit fixed point and the integers
   are summed (associative), so the sum is bitwise the same for any rank count and any order of the
   terms. Used by the KPM moments (src/spectrum/kpm.c) and the Hessian trace (VitExactSumReals). */
#ifndef VITRUM_EXACTSUM_H
#define VITRUM_EXACTSUM_H

#include <vitrum/common.h>

typedef __int128 VitInt128;

typedef struct {
  MPI_Comm     comm;
  int          shift; /* a term t is stored as trunc(t 2^shift) */
  PetscReal    scale; /* 2^shift */
  PetscReal    bound; /* |t| <= bound is required */
  MPI_Datatype type;
  MPI_Op       op;
} ExactSum;

static inline void MPIAPI Int128Sum(void *in, void *inout, int *len, MPI_Datatype *type)
{
  for (int i = 0; i < *len; i++) {
    VitInt128 a, b;
    memcpy(&a, (char *)in + i * sizeof(a), sizeof(a));
    memcpy(&b, (char *)inout + i * sizeof(b), sizeof(b));
    b += a;
    memcpy((char *)inout + i * sizeof(b), &b, sizeof(b));
  }
}

/* Terms bounded by 2^log2_bound, at most 2^log2_count of them in one sum: no overflow below 2^127. */
static inline PetscErrorCode ExactSumCreate(MPI_Comm comm, int log2_bound, int log2_count, ExactSum *es)
{
  PetscFunctionBegin;
  es->comm  = comm;
  es->shift = 126 - log2_bound - log2_count;
  es->scale = ldexp(1.0, es->shift);
  es->bound = PetscPowReal(2.0, log2_bound);
  PetscCallMPI(MPI_Type_contiguous(sizeof(VitInt128), MPI_BYTE, &es->type));
  PetscCallMPI(MPI_Type_commit(&es->type));
  PetscCallMPI(MPI_Op_create(Int128Sum, 1, &es->op));
  PetscFunctionReturn(0);
}

static inline PetscErrorCode ExactSumDestroy(ExactSum *es)
{
  PetscFunctionBegin;
  PetscCallMPI(MPI_Type_free(&es->type));
  PetscCallMPI(MPI_Op_free(&es->op));
  PetscFunctionReturn(0);
}

/* trunc(t 2^shift) from the bits of the double (same value as a cast, without libgcc's slow
   double-to-int128 conversion); |t 2^shift| < 2^126 is guaranteed by the caller's bound. */
static inline VitInt128 Quantise(const ExactSum *es, PetscReal t)
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

/* Global sums of n accumulators (already quantised locally), returned as reals. */
static inline PetscErrorCode ExactSumReduce(const ExactSum *es, PetscInt n, VitInt128 acc[], PetscReal sum[])
{
  PetscFunctionBegin;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, acc, (int)n, es->type, es->op, es->comm));
  for (PetscInt k = 0; k < n; k++) sum[k] = ldexp((double)acc[k], -es->shift);
  PetscFunctionReturn(0);
}

static inline int CeilLog2(PetscReal x)
{
  return x <= 1 ? 0 : (int)PetscCeilReal(PetscLog2Real(x));
}

/* sum over all ranks of x[0..n) (n may differ between ranks), bitwise independent of the rank count
   and of the order of the terms (collective on comm). */
PetscErrorCode VitExactSumReals(MPI_Comm comm, PetscInt n, const PetscReal x[], PetscReal *sum);

#endif
