/* The KPM's block-CSR product y = H x on R interleaved vectors (kpm_rows.c), compiled once per
   x86-64 micro-architecture level (v2: SSE4.2, v3: AVX2, v4: AVX-512; "generic" elsewhere) and
   chosen at run time for the CPU (kpm.c), so that one portable build runs the kernel at the speed
   of a -march=native one. Every variant adds in the same order without fused multiply-adds
   (-ffp-contract=off), so all give bitwise the same result. */
#ifndef VITRUM_KPM_ROWS_H
#define VITRUM_KPM_ROWS_H
#include <petscsys.h>

/* y(i, c, k) = sum over row i's blocks p (increasing global atom id), then over cc, of
   val[p](c, cc) x(ja[p], cc, k), for the nrows owned block rows of block size bs (1, 2 or 3). */
typedef void (*VitKpmRowsFn)(PetscInt bs, PetscInt nrows, const PetscInt *ia, const PetscInt *ja, const PetscReal *val, PetscInt R, const PetscReal *x, PetscReal *y);

void VitKpmRows_generic(PetscInt, PetscInt, const PetscInt *, const PetscInt *, const PetscReal *, PetscInt, const PetscReal *, PetscReal *);
void VitKpmRows_v2(PetscInt, PetscInt, const PetscInt *, const PetscInt *, const PetscReal *, PetscInt, const PetscReal *, PetscReal *);
void VitKpmRows_v3(PetscInt, PetscInt, const PetscInt *, const PetscInt *, const PetscReal *, PetscInt, const PetscReal *, PetscReal *);
void VitKpmRows_v4(PetscInt, PetscInt, const PetscInt *, const PetscInt *, const PetscReal *, PetscInt, const PetscReal *, PetscReal *);
#endif
