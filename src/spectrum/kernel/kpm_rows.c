/* The KPM's kernels (the block-CSR product and the Chebyshev step with its exact dot products),
   compiled once per micro-architecture level: CMakeLists.txt builds this file with
   -march=x86-64-v2/-v3/-v4 (or none) and -DVIT_KPM_ISA=v2/v3/v4/generic, which names the functions
   VitKpmRows_<ISA> and VitKpmStep_<ISA> (kpm_rows.h). With -DVIT_KPM_SINGLE it is the product alone
   in single precision, VitKpmRows32_<ISA>, built with fused multiply-adds (a preconditioner's
   products, where the last bits do not matter). */
#include "kpm_rows.h"
#include <string.h>

#define VIT_CAT_(a, b) a##b
#define VIT_CAT(a, b)  VIT_CAT_(a, b)

#if defined(VIT_KPM_SINGLE)
typedef float VitKpmReal;
  #define VIT_KPM_ROWS_NAME VIT_CAT(VitKpmRows32_, VIT_KPM_ISA)
#else
typedef PetscReal VitKpmReal;
  #define VIT_KPM_ROWS_NAME VIT_CAT(VitKpmRows_, VIT_KPM_ISA)
#endif

/* One SIMD register (GCC vector extension) of VIT_KPM_LANES reals: 64 bytes with AVX-512, 32 with
   AVX, else 16; the widest chunk of vectors, VIT_KPM_MAX_WIDTH, keeps its bs x width accumulators in
   the registers (6 registers for bs 3 with AVX-512). Narrower chunks (the remainder of R) use
   registers of a half, a quarter and an eighth of the lanes (those of 2 lanes or more), then
   scalars. */
#if defined(__AVX512F__)
  #define VIT_KPM_BYTES 64
#elif defined(__AVX__)
  #define VIT_KPM_BYTES 32
#else
  #define VIT_KPM_BYTES 16
#endif
#if defined(VIT_KPM_SINGLE)
  #define VIT_KPM_LANES (VIT_KPM_BYTES / 4)
#else
  #define VIT_KPM_LANES (VIT_KPM_BYTES / 8)
#endif
#define VIT_KPM_MAX_WIDTH (VIT_KPM_LANES > 2 ? 2 * VIT_KPM_LANES : 8)
#define VIT_KPM_MAX_BS    3
/* Shared blocks (an SBAIJ Hessian): the block of the entry this many entries ahead is prefetched,
   across rows. Half the blocks are read from another row's storage, which no hardware prefetcher
   predicts: 1.25e5 atoms, 1 rank, R = 16/10: 0.24/0.23 s per product without, 0.13-0.15 s with a
   distance of 2-8 inside the row, 0.12/0.11 s with 12-24 across rows (BAIJ: 0.10-0.11/0.09-0.10 s). */
#define VIT_KPM_PREFETCH 16
/* Whole blocks (BAIJ): the block this many entries ahead, across rows. The blocks are read in order,
   yet the hardware prefetchers alone left the stream behind: 1.25e5 atoms, 1 rank, R = 10, per
   product: 0.057-0.059 s without, 0.053-0.063 s at 8 or 16 blocks, 0.048-0.052 s at 64-256 (three
   interleaved rounds); at 10^6 atoms on 2 ranks 0.216-0.244 s against 0.230-0.324 s
   (docs/BENCHMARKS.md). */
#define VIT_KPM_PREFETCH_BLOCKS 64
/* The rows of x that the entry this many entries ahead reads (across rows), prefetched where a
   chunk's row of x is a cache line or more (W reals of each of bs components): a neighbour's row is
   found through ja, which no hardware prefetcher follows. 10^6 atoms, 2 ranks, BAIJ, per product:
   R = 10: 0.269/0.274 s without, 0.237/0.260 s with; R = 16: 0.323/0.320 s, 0.308/0.284 s; R = 1
   (a row of 24 bytes) was slower with it, 0.116/0.118 s against 0.155/0.132 s, so it gets none. */
#define VIT_KPM_PREFETCH_X 24
/* a register of L lanes (at least 2: the narrower ones of the list below are not used) */
#define VIT_KPM_VEC(L) __attribute__((vector_size(((L) >= 2 ? (L) : 2) * sizeof(VitKpmReal))))
typedef VitKpmReal VitKpmLanes VIT_KPM_VEC(VIT_KPM_LANES);
typedef VitKpmReal VitKpmHalf VIT_KPM_VEC(VIT_KPM_LANES / 2);
typedef VitKpmReal VitKpmQuarter VIT_KPM_VEC(VIT_KPM_LANES / 4);
typedef VitKpmReal VitKpmEighth VIT_KPM_VEC(VIT_KPM_LANES / 8);

/* acc[c] += A(c, cc) x for c < bs, x loaded from xc (one part of the chunk, a register type V). */
#define VIT_KPM_PART(V, acc, offset) \
  do { \
    V xv; \
    memcpy(&xv, xc + (offset), sizeof(xv)); \
    for (PetscInt c = 0; c < bs; c++) (acc)[c] += A[c * bs + cc + (cc - c) * t] * xv; \
  } while (0)

/* y(c, k) of one block row for the W vectors k0..k0+W-1 of a multi-vector with R vectors (x, y start
   at k0): acc(c, k) = sum over the row's blocks p (increasing global atom id), then over cc, of
   A_p(c, cc) x_j(cc, k), from 0 and in that order: the additions of a plain triple loop, so the
   result is bitwise the same for any W and register width (lanes are independent; in double
   precision no fused multiply-add). With bs and W compile-time constants (always inlined at each
   call site) the accumulators stay in registers: W / LANES full-width ones, then one each of a half,
   a quarter and an eighth of the lanes and a scalar for the rest of W, all filled in the same sweep
   over the row's blocks (a second sweep for the remainder cost as much as a 2-vector product: R =
   10 took 0.107 s per product as 8 + 2, 1.25e5 atoms, 1 rank). A_p is blk's block p, or with shared
   blocks (compile-time) blk's block vb[p] / 2, read transposed when vb[p] is odd (kpm_rows.h). */
static inline __attribute__((always_inline)) void RowChunk(const PetscInt bs, const PetscBool shared, const PetscInt W, PetscInt R, PetscInt nb, PetscInt nleft, const PetscInt *restrict ja, const PetscInt *restrict vb, const VitKpmReal *restrict blk, const VitKpmReal *restrict x, VitKpmReal *restrict y)
{
  const PetscInt L = VIT_KPM_LANES, nl = W / L, rest = W % L;
  const PetscInt nh = L / 2 >= 2 && rest >= L / 2, r1 = rest - nh * (L / 2); /* parts of a half, a quarter, an eighth */
  const PetscInt nq = L / 4 >= 2 && r1 >= L / 4, r2 = r1 - nq * (L / 4), ne = L / 8 >= 2 && r2 >= L / 8;
  const PetscInt oh = nl * L, oq = oh + nh * (L / 2), oe = oq + nq * (L / 4), o1 = oe + ne * (L / 8), n1 = W - o1; /* where each part starts */
  VitKpmLanes    acc[VIT_KPM_MAX_BS * VIT_KPM_MAX_WIDTH / VIT_KPM_LANES];
  VitKpmHalf     acch[VIT_KPM_MAX_BS];
  VitKpmQuarter  accq[VIT_KPM_MAX_BS];
  VitKpmEighth   acce[VIT_KPM_MAX_BS];
  VitKpmReal     acc1[VIT_KPM_MAX_BS]; /* the parts leave at most one vector for a scalar */

  for (PetscInt q = 0; q < bs * nl; q++) acc[q] = (VitKpmLanes){0};
  for (PetscInt c = 0; c < bs; c++) {
    acch[c] = (VitKpmHalf){0}, accq[c] = (VitKpmQuarter){0}, acce[c] = (VitKpmEighth){0};
    acc1[c] = 0;
  }
  for (PetscInt p = 0; p < nb; p++) {
    const VitKpmReal *restrict xj = x + ja[p] * bs * R;
    const VitKpmReal *restrict A  = shared ? blk + (size_t)(vb[p] >> 1) * bs * bs : blk + p * bs * bs;
    const PetscInt             t  = shared ? (vb[p] & 1) * (bs - 1) : 0; /* A(c, cc) at c bs + cc + (cc - c) t */
    if (W * sizeof(VitKpmReal) >= 64 && p + VIT_KPM_PREFETCH_X < nleft) { /* the first and last line of each component's W reals */
      const VitKpmReal *xq = x + ja[p + VIT_KPM_PREFETCH_X] * bs * R;
      for (PetscInt cc = 0; cc < bs; cc++) {
        __builtin_prefetch(xq + cc * R);
        __builtin_prefetch(xq + cc * R + W - 1);
      }
    }
    if (shared ? p + VIT_KPM_PREFETCH < nleft : p + VIT_KPM_PREFETCH_BLOCKS < nleft) { /* both cache lines of the block */
      const char *q = (const char *)(shared ? blk + (size_t)(vb[p + VIT_KPM_PREFETCH] >> 1) * bs * bs : blk + (p + VIT_KPM_PREFETCH_BLOCKS) * bs * bs);
      __builtin_prefetch(q);
      __builtin_prefetch(q + bs * bs * sizeof(VitKpmReal) - 1);
    }
    for (PetscInt cc = 0; cc < bs; cc++) { /* each x(cc, :) loaded once; acc(c, k) still sums cc in order */
      const VitKpmReal *restrict xc = xj + cc * R;
      for (PetscInt l = 0; l < nl; l++) VIT_KPM_PART(VitKpmLanes, acc + l * bs, l * L);
      if (nh) VIT_KPM_PART(VitKpmHalf, acch, oh);
      if (nq) VIT_KPM_PART(VitKpmQuarter, accq, oq);
      if (ne) VIT_KPM_PART(VitKpmEighth, acce, oe);
      if (n1)
        for (PetscInt c = 0; c < bs; c++) acc1[c] += A[c * bs + cc + (cc - c) * t] * xc[o1];
    }
  }
  for (PetscInt c = 0; c < bs; c++) {
    for (PetscInt l = 0; l < nl; l++) memcpy(y + c * R + l * L, &acc[l * bs + c], sizeof(acc[0]));
    if (nh) memcpy(y + c * R + oh, &acch[c], sizeof(acch[0]));
    if (nq) memcpy(y + c * R + oq, &accq[c], sizeof(accq[0]));
    if (ne) memcpy(y + c * R + oe, &acce[c], sizeof(acce[0]));
    if (n1) y[c * R + o1] = acc1[c];
  }
}

/* All owned rows, the R vectors in chunks of VIT_KPM_MAX_WIDTH, then the rest in one more chunk
   (its width a compile-time constant: one instance per width). */
#define VIT_KPM_REST(w) \
  case w: \
    RowChunk(bs, shared, w, R, nb, nleft, ja, vb, blk, x + k0, yi + k0); \
    break
static inline __attribute__((always_inline)) void ApplyRows(const PetscInt bs, const PetscBool shared, PetscInt nrows, const PetscInt *ia, const PetscInt *ja_all, const PetscInt *vb_all, const VitKpmReal *val, PetscInt R, const VitKpmReal *restrict x, VitKpmReal *restrict y)
{
  for (PetscInt i = 0; i < nrows; i++) {
    const PetscInt    nb = ia[i + 1] - ia[i], nleft = ia[nrows] - ia[i], *ja = ja_all + ia[i], *vb = shared ? vb_all + ia[i] : NULL;
    const VitKpmReal *blk = shared ? val : val + ia[i] * bs * bs;
    VitKpmReal       *yi  = y + i * bs * R;
    PetscInt          k0  = 0;
    for (; k0 + VIT_KPM_MAX_WIDTH <= R; k0 += VIT_KPM_MAX_WIDTH) RowChunk(bs, shared, VIT_KPM_MAX_WIDTH, R, nb, nleft, ja, vb, blk, x + k0, yi + k0);
    switch (R - k0) {
      VIT_KPM_REST(1);
      VIT_KPM_REST(2);
      VIT_KPM_REST(3);
      VIT_KPM_REST(4);
      VIT_KPM_REST(5);
      VIT_KPM_REST(6);
      VIT_KPM_REST(7);
#if VIT_KPM_MAX_WIDTH > 8
      VIT_KPM_REST(8);
      VIT_KPM_REST(9);
      VIT_KPM_REST(10);
      VIT_KPM_REST(11);
      VIT_KPM_REST(12);
      VIT_KPM_REST(13);
      VIT_KPM_REST(14);
      VIT_KPM_REST(15);
#endif
#if VIT_KPM_MAX_WIDTH > 16
      VIT_KPM_REST(16);
      VIT_KPM_REST(17);
      VIT_KPM_REST(18);
      VIT_KPM_REST(19);
      VIT_KPM_REST(20);
      VIT_KPM_REST(21);
      VIT_KPM_REST(22);
      VIT_KPM_REST(23);
      VIT_KPM_REST(24);
      VIT_KPM_REST(25);
      VIT_KPM_REST(26);
      VIT_KPM_REST(27);
      VIT_KPM_REST(28);
      VIT_KPM_REST(29);
      VIT_KPM_REST(30);
      VIT_KPM_REST(31);
#endif
    default:
      break;
    }
  }
}

/* One instance per block size (1, 2, 3) and storage (whole blocks, shared blocks). */
#define VIT_KPM_ROWS(b, shared) \
  case b + 4 * shared: \
    ApplyRows(b, shared, nrows, ia, ja, vb, val, R, x, y); \
    break
void VIT_KPM_ROWS_NAME(PetscInt bs, PetscInt nrows, const PetscInt *ia, const PetscInt *ja, const PetscInt *vb, const VitKpmReal *val, PetscInt R, const VitKpmReal *x, VitKpmReal *y)
{
  switch (bs + 4 * (vb != NULL)) {
    VIT_KPM_ROWS(1, PETSC_FALSE);
    VIT_KPM_ROWS(2, PETSC_FALSE);
    VIT_KPM_ROWS(3, PETSC_FALSE);
    VIT_KPM_ROWS(1, PETSC_TRUE);
    VIT_KPM_ROWS(2, PETSC_TRUE);
    VIT_KPM_ROWS(3, PETSC_TRUE);
  default:
    break;
  }
}

#if !defined(VIT_KPM_SINGLE)
/* ---- Chebyshev step with exact dot products ------------------------------------------------------ */
/* The level sums live in L = VIT_KPM_STEP_ROWS R slots per quantity (kpm_rows.h), slot p holding the
   terms of the entries q = p mod L of a chunk, i.e. of vector p mod R: the loops below then run over
   whole SIMD registers (8 R is a multiple of every lane count) without a scalar remainder per row. */

/* The level sums of one chunk of rows (work: <v,v> levels 1, 2, <w,v> levels 1, 2, the largest
   |term|, L = 8 R slots each) added to acc exactly: the slots of one vector sum exactly in a double
   (grid values, at most es->chunk of them), then move to the fixed point; a chunk with a term beyond
   the bound (or a NaN) adds one to acc[2 R] instead. Cleared for the next chunk. */
static void FlushChunk(const VitExactSum *es, PetscInt R, PetscReal *restrict work, VitInt128 *restrict acc)
{
  const PetscInt L = VIT_KPM_STEP_ROWS * R;

  for (PetscInt k = 0; k < R; k++) {
    PetscReal sum[4] = {0, 0, 0, 0}, tmax = 0;
    for (PetscInt p = k; p < L; p += R) {
      for (PetscInt l = 0; l < 4; l++) sum[l] += work[l * L + p];
      tmax = PetscMax(tmax, work[4 * L + p]);
    }
    if (VitExactSumChunkValid(es, sum[0], sum[1], tmax) && VitExactSumChunkValid(es, sum[2], sum[3], tmax)) {
      acc[k] += VitExactSumFlush(es, sum[0], sum[1]);
      acc[R + k] += VitExactSumFlush(es, sum[2], sum[3]);
    } else acc[2 * R] += 1;
  }
  for (PetscInt p = 0; p < 5 * L; p++) work[p] = 0;
}

/* <v, v> and <w, v> of the entries q0..q1-1 (whole rows) deposited into the slots. Two loops (with
   and without the update) because GCC vectorises neither body with the update under a condition. */
static void Dots(const VitExactSum *es, PetscInt q0, PetscInt q1, PetscInt L, const PetscReal *restrict v, const PetscReal *restrict w, PetscReal *restrict work)
{
  const PetscReal C1 = es->fold[0], C2 = es->fold[1];
  PetscReal *restrict vv1 = work, *restrict vv2 = work + L, *restrict wv1 = work + 2 * L, *restrict wv2 = work + 3 * L, *restrict tmax = work + 4 * L;

  for (PetscInt b = q0; b < q1; b += L) {
    const PetscInt len = PetscMin(L, q1 - b);
    for (PetscInt p = 0; p < len; p++) {
      const PetscInt q = b + p;
      VitExactSumDeposit(C1, C2, v[q] * v[q], &vv1[p], &vv2[p], &tmax[p]);
      VitExactSumDeposit(C1, C2, w[q] * v[q], &wv1[p], &wv2[p], &tmax[p]);
    }
  }
}

/* The same with w = (y - a v) s - w first, in the same pass. */
static void UpdateDots(const VitExactSum *es, PetscInt q0, PetscInt q1, PetscInt L, const PetscReal *restrict y, PetscReal a, PetscReal s, const PetscReal *restrict v, PetscReal *restrict w, PetscReal *restrict work)
{
  const PetscReal C1 = es->fold[0], C2 = es->fold[1];
  PetscReal *restrict vv1 = work, *restrict vv2 = work + L, *restrict wv1 = work + 2 * L, *restrict wv2 = work + 3 * L, *restrict tmax = work + 4 * L;

  for (PetscInt b = q0; b < q1; b += L) {
    const PetscInt len = PetscMin(L, q1 - b);
    for (PetscInt p = 0; p < len; p++) {
      const PetscInt q = b + p;
      w[q]             = (y[q] - a * v[q]) * s - w[q];
      VitExactSumDeposit(C1, C2, v[q] * v[q], &vv1[p], &vv2[p], &tmax[p]);
      VitExactSumDeposit(C1, C2, w[q] * v[q], &wv1[p], &wv2[p], &tmax[p]);
    }
  }
}

void VIT_CAT(VitKpmStep_, VIT_KPM_ISA)(const VitExactSum *es, PetscInt n, PetscInt R, const PetscReal *y, PetscReal a, PetscReal s, const PetscReal *v, PetscReal *w, VitInt128 acc[], PetscReal work[])
{
  const PetscInt L = VIT_KPM_STEP_ROWS * R;

  for (PetscInt p = 0; p < 5 * L; p++) work[p] = 0;
  for (PetscInt j0 = 0; j0 < n; j0 += es->chunk) {
    const PetscInt j1 = PetscMin(n, j0 + es->chunk);
    if (y) UpdateDots(es, j0 * R, j1 * R, L, y, a, s, v, w, work);
    else Dots(es, j0 * R, j1 * R, L, v, w, work);
    FlushChunk(es, R, work, acc);
  }
}
#endif
