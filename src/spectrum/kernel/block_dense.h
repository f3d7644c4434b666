/* The dense kernels of the block eigensolvers (block_dense.c), compiled once per x86-64
   micro-architecture level (v2: SSE4.2, v3: AVX2, v4: AVX-512; "generic" elsewhere) like the KPM's
   kernels (kpm_rows.h) and chosen at run time for the CPU (block.c). Blocks are stored row by row,
   entry (j, k) at x[j m + k]. */
#ifndef VITRUM_BLOCK_DENSE_H
#define VITRUM_BLOCK_DENSE_H
#include <petscsys.h>

/* G (p x q, column-major, leading dimension p) += X(0:n, 0:p)^T Y(0:n, 0:q) for blocks x, y of row
   stride m. A few hundred rows at a time keep the rows of both in the cache: every group of G's rows
   reads them again. */
typedef void (*VitBlockGramRowsFn)(PetscInt n, PetscInt m, PetscInt p, const PetscReal *x, PetscInt q, const PetscReal *y, PetscReal *G);
/* Y(0:n, 0:q) = beta Y + X(0:n, 0:p) Ct for blocks x, y of row stride m (y != x), Ct p x q row by row
   with leading dimension ldc (a multiple of 8 at least q); y is not read where beta is 0. */
typedef void (*VitBlockCombineRowsFn)(PetscInt n, PetscInt m, PetscInt p, const PetscReal *x, PetscInt q, PetscInt ldc, const PetscReal *Ct, PetscReal beta, PetscReal *y);

#define VIT_BLOCK_DENSE_DECLARE(isa) \
  void VitBlockGramRows_##isa(PetscInt, PetscInt, PetscInt, const PetscReal *, PetscInt, const PetscReal *, PetscReal *); \
  void VitBlockCombineRows_##isa(PetscInt, PetscInt, PetscInt, const PetscReal *, PetscInt, PetscInt, const PetscReal *, PetscReal, PetscReal *);
VIT_BLOCK_DENSE_DECLARE(generic)
VIT_BLOCK_DENSE_DECLARE(v2)
VIT_BLOCK_DENSE_DECLARE(v3)
VIT_BLOCK_DENSE_DECLARE(v4)
#undef VIT_BLOCK_DENSE_DECLARE
#endif
