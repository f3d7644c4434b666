/* The KPM's block-CSR kernel, compiled once per micro-architecture level: CMakeLists.txt builds this
   file with -march=x86-64-v2/-v3/-v4 (or none) and -DVIT_KPM_ISA=v2/v3/v4/generic, which names the
   function VitKpmRows_<ISA> (kpm_rows.h). */
#include "kpm_rows.h"
#include <string.h>

#define VIT_CAT_(a, b) a##b
#define VIT_CAT(a, b)  VIT_CAT_(a, b)

/* One SIMD register of doubles (GCC vector extension): 8 lanes with AVX-512, 4 with AVX, else 2;
   the widest chunk of vectors keeps its bs x width accumulators in the registers. */
#if defined(__AVX512F__)
  #define VIT_KPM_LANES     8
  #define VIT_KPM_MAX_WIDTH 16
#elif defined(__AVX__)
  #define VIT_KPM_LANES     4
  #define VIT_KPM_MAX_WIDTH 8
#else
  #define VIT_KPM_LANES     2
  #define VIT_KPM_MAX_WIDTH 8
#endif
#define VIT_KPM_MAX_BS 3
typedef double VitKpmLanes __attribute__((vector_size(VIT_KPM_LANES * sizeof(double))));

/* y(c, k) of one block row for the W vectors k0..k0+W-1 of a multi-vector with R vectors (x, y start
   at k0): acc(c, k) = sum over the row's blocks p (increasing global atom id), then over cc, of
   A_p(c, cc) x_j(cc, k), from 0 and in that order: the additions of a plain triple loop, so the
   result is bitwise the same for any W (lanes are independent; no fused multiply-add). With bs and
   W compile-time constants (always inlined at each call site) the accumulators are bs W / lanes
   SIMD registers. */
static inline __attribute__((always_inline)) void RowChunk(const PetscInt bs, const PetscInt W, PetscInt R, PetscInt nb, const PetscInt *restrict ja, const PetscReal *restrict blk, const PetscReal *restrict x, PetscReal *restrict y)
{
  if (W % VIT_KPM_LANES == 0) {
    const PetscInt nl = W / VIT_KPM_LANES;
    VitKpmLanes    acc[VIT_KPM_MAX_BS * VIT_KPM_MAX_WIDTH / VIT_KPM_LANES];
    for (PetscInt q = 0; q < bs * nl; q++) acc[q] = (VitKpmLanes){0};
    for (PetscInt p = 0; p < nb; p++) {
      const PetscReal *restrict xj = x + ja[p] * bs * R;
      for (PetscInt cc = 0; cc < bs; cc++) /* each x(cc, :) loaded once; acc(c, k) still sums cc in order */
        for (PetscInt l = 0; l < nl; l++) {
          VitKpmLanes xl;
          memcpy(&xl, xj + cc * R + l * VIT_KPM_LANES, sizeof(xl));
          for (PetscInt c = 0; c < bs; c++) acc[c * nl + l] += blk[(p * bs + c) * bs + cc] * xl;
        }
    }
    for (PetscInt c = 0; c < bs; c++)
      for (PetscInt l = 0; l < nl; l++) memcpy(y + c * R + l * VIT_KPM_LANES, &acc[c * nl + l], sizeof(acc[0]));
  } else {
    PetscReal acc[VIT_KPM_MAX_BS * VIT_KPM_LANES];
    for (PetscInt q = 0; q < bs * W; q++) acc[q] = 0;
    for (PetscInt p = 0; p < nb; p++) {
      const PetscReal *restrict xj = x + ja[p] * bs * R;
      for (PetscInt c = 0; c < bs; c++)
        for (PetscInt cc = 0; cc < bs; cc++) {
          const PetscReal v = blk[(p * bs + c) * bs + cc];
          for (PetscInt k = 0; k < W; k++) acc[c * W + k] += v * xj[cc * R + k];
        }
    }
    for (PetscInt c = 0; c < bs; c++)
      for (PetscInt k = 0; k < W; k++) y[c * R + k] = acc[c * W + k];
  }
}

/* All owned rows, the R vectors in chunks of VIT_KPM_MAX_WIDTH, then 8, 4, 2, 1 (the row's blocks
   are in cache for the later chunks). */
static inline __attribute__((always_inline)) void ApplyRows(const PetscInt bs, PetscInt nrows, const PetscInt *ia, const PetscInt *ja_all, const PetscReal *val, PetscInt R, const PetscReal *restrict x, PetscReal *restrict y)
{
  for (PetscInt i = 0; i < nrows; i++) {
    const PetscInt   nb = ia[i + 1] - ia[i], *ja = ja_all + ia[i];
    const PetscReal *blk = val + ia[i] * bs * bs;
    PetscReal       *yi  = y + i * bs * R;
    PetscInt         k0  = 0;
    for (; k0 + VIT_KPM_MAX_WIDTH <= R; k0 += VIT_KPM_MAX_WIDTH) RowChunk(bs, VIT_KPM_MAX_WIDTH, R, nb, ja, blk, x + k0, yi + k0);
#if VIT_KPM_MAX_WIDTH > 8
    if (k0 + 8 <= R) RowChunk(bs, 8, R, nb, ja, blk, x + k0, yi + k0), k0 += 8;
#endif
    if (k0 + 4 <= R) RowChunk(bs, 4, R, nb, ja, blk, x + k0, yi + k0), k0 += 4;
    if (k0 + 2 <= R) RowChunk(bs, 2, R, nb, ja, blk, x + k0, yi + k0), k0 += 2;
    if (k0 + 1 <= R) RowChunk(bs, 1, R, nb, ja, blk, x + k0, yi + k0);
  }
}

void VIT_CAT(VitKpmRows_, VIT_KPM_ISA)(PetscInt bs, PetscInt nrows, const PetscInt *ia, const PetscInt *ja, const PetscReal *val, PetscInt R, const PetscReal *x, PetscReal *y)
{
  switch (bs) {
  case 1:
    ApplyRows(1, nrows, ia, ja, val, R, x, y);
    break;
  case 2:
    ApplyRows(2, nrows, ia, ja, val, R, x, y);
    break;
  default:
    ApplyRows(3, nrows, ia, ja, val, R, x, y);
  }
}
