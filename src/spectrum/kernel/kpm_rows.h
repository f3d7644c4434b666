/* The KPM's block-CSR product y = H x on R interleaved vectors and its Chebyshev step (kpm_rows.c),
   compiled once per x86-64 micro-architecture level (v2: SSE4.2, v3: AVX2, v4: AVX-512; "generic"
   elsewhere) and chosen at run time for the CPU (kpm.c), so that one portable build runs the
   kernels at the speed of a -march=native one. Every variant adds in the same order without fused
   multiply-adds (-ffp-contract=off), so all give bitwise the same result. */
#ifndef VITRUM_KPM_ROWS_H
#define VITRUM_KPM_ROWS_H
#include <petscsys.h>
#include <vitrum/exactsum.h>

/* y(i, c, k) = sum over row i's blocks p (increasing global atom id), then over cc, of
   A_p(c, cc) x(ja[p], cc, k), for the nrows owned block rows of block size bs (1, 2 or 3). A_p is
   val's block p (row-major) when vb is NULL; with shared blocks (a symmetric matrix stored once per
   pair of atoms) it is val's block vb[p] / 2, transposed when vb[p] is odd. The same additions in
   the same order either way, so a matrix gives the same bits stored whole or shared. */
typedef void (*VitKpmRowsFn)(PetscInt bs, PetscInt nrows, const PetscInt *ia, const PetscInt *ja, const PetscInt *vb, const PetscReal *val, PetscInt R, const PetscReal *x, PetscReal *y);

void VitKpmRows_generic(PetscInt, PetscInt, const PetscInt *, const PetscInt *, const PetscInt *, const PetscReal *, PetscInt, const PetscReal *, PetscReal *);
void VitKpmRows_v2(PetscInt, PetscInt, const PetscInt *, const PetscInt *, const PetscInt *, const PetscReal *, PetscInt, const PetscReal *, PetscReal *);
void VitKpmRows_v3(PetscInt, PetscInt, const PetscInt *, const PetscInt *, const PetscInt *, const PetscReal *, PetscInt, const PetscReal *, PetscReal *);
void VitKpmRows_v4(PetscInt, PetscInt, const PetscInt *, const PetscInt *, const PetscInt *, const PetscReal *, PetscInt, const PetscReal *, PetscReal *);

/* The same product in single precision (values, x and y float), with fused multiply-adds where the
   CPU has them: for a preconditioner's products (twolevel.c's smoother), not bitwise the same across
   variants. */
typedef void (*VitKpmRows32Fn)(PetscInt bs, PetscInt nrows, const PetscInt *ia, const PetscInt *ja, const PetscInt *vb, const float *val, PetscInt R, const float *x, float *y);

void VitKpmRows32_generic(PetscInt, PetscInt, const PetscInt *, const PetscInt *, const PetscInt *, const float *, PetscInt, const float *, float *);
void VitKpmRows32_v2(PetscInt, PetscInt, const PetscInt *, const PetscInt *, const PetscInt *, const float *, PetscInt, const float *, float *);
void VitKpmRows32_v3(PetscInt, PetscInt, const PetscInt *, const PetscInt *, const PetscInt *, const float *, PetscInt, const float *, float *);
void VitKpmRows32_v4(PetscInt, PetscInt, const PetscInt *, const PetscInt *, const PetscInt *, const float *, PetscInt, const float *, float *);

/* One step of the KPM's Chebyshev recursion on n entries of R interleaved vectors, in one pass:
   when y is given, w = (y - a v) s - w (v_{m+1} = 2 Hs v_m - v_{m-1} written over v_{m-1}); then
   acc[k] += <v_k, v_k> and acc[R + k] += <w_k, v_k> exactly (pre-rounded, exactsum.h), and acc[2R]
   counts the chunks of es->chunk rows with a term beyond es->bound (or a NaN), whose sums are
   dropped; work holds VIT_KPM_STEP_WORK(R) reals. Bitwise the same in every variant and on any rank
   count. */
#define VIT_KPM_STEP_ROWS    8
#define VIT_KPM_STEP_WORK(R) (5 * VIT_KPM_STEP_ROWS * (R))
typedef void (*VitKpmStepFn)(const VitExactSum *es, PetscInt n, PetscInt R, const PetscReal *y, PetscReal a, PetscReal s, const PetscReal *v, PetscReal *w, VitInt128 acc[], PetscReal work[]);

void VitKpmStep_generic(const VitExactSum *, PetscInt, PetscInt, const PetscReal *, PetscReal, PetscReal, const PetscReal *, PetscReal *, VitInt128[], PetscReal[]);
void VitKpmStep_v2(const VitExactSum *, PetscInt, PetscInt, const PetscReal *, PetscReal, PetscReal, const PetscReal *, PetscReal *, VitInt128[], PetscReal[]);
void VitKpmStep_v3(const VitExactSum *, PetscInt, PetscInt, const PetscReal *, PetscReal, PetscReal, const PetscReal *, PetscReal *, VitInt128[], PetscReal[]);
void VitKpmStep_v4(const VitExactSum *, PetscInt, PetscInt, const PetscReal *, PetscReal, PetscReal, const PetscReal *, PetscReal *, VitInt128[], PetscReal[]);
#endif
