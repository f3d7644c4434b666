/* The KPM's block operator (kpm.c), shared with the code that fills it from a PETSc matrix
   (kpm_copy.c). Private to src/spectrum. */
#ifndef VITRUM_KPM_IMPL_H
#define VITRUM_KPM_IMPL_H
#include <vitrum/spectrum.h>
#include "kernel/kpm_rows.h"

/* ---- Block CSR operator with rows summed in global-id order ----------------------------------------- */
struct _n_VitKpmOperator {
  MPI_Comm     comm;
  PetscInt     bs, nrows, nghost, nvec;
  PetscInt    *ia;      /* nrows + 1 */
  PetscInt    *ja;      /* local block index, [0,nrows) owned, [nrows,nrows+nghost) ghost (mapped) */
  PetscInt    *vb;      /* NULL: block p of row i is val's block p; else val's block vb[p] / 2, transposed
                           when vb[p] is odd (an SBAIJ Hessian: each pair of atoms stored once) (mapped) */
  PetscReal   *val;     /* bs*bs per block, row-major (mapped) */
  size_t       ja_bytes, vb_bytes, val_bytes;
  PetscSF      sf;      /* roots: owned blocks, leaves: ghost blocks */
  MPI_Datatype unit[2]; /* one block of a multi-vector of nvec, and of 1, vectors */
  VitKpmRowsFn rows;    /* the kernel variants for this CPU */
  VitKpmStepFn step;
  VitKpmRows32Fn rows32;
  float       *val32;   /* NULL, or val in single precision (VitKpmOperatorSingleCreate) (mapped) */
  size_t       val32_bytes;
  MPI_Datatype unit32;  /* one block of a single-precision multi-vector of nvec vectors */
  PetscInt    *order;   /* operator row r is the problem's owned atom order[r] (a spatially local order) */
  PetscInt    *gid;     /* global atom id of operator row r */
  PetscReal   *sqrt_mass; /* sqrt(m) of operator row r */
  Mat          shell;   /* H without BAIJ storage (MATSHELL): applied with MatMult, vector by vector */
  Vec          xs, ys;
};

/* A single-precision copy of the operator's values, for products where rounding to float does not
   matter (twolevel's smoother, which applies it a tile at a time: VitKpmOperatorGhostsSingle, then
   op->rows32 per tile). Destroy frees the copy (also VitKpmOperatorDestroy).
   VitKpmOperatorApplySingle: the whole product with it on nvec interleaved float vectors (the
   layout of VitKpmOperatorApply, ghost room after the owned blocks of x); the entry point of the
   kernel's test (tests/spectrum/test_kernel32.c), no solver calls it. */
PetscErrorCode VitKpmOperatorSingleCreate(VitKpmOperator op);
PetscErrorCode VitKpmOperatorSingleDestroy(VitKpmOperator op);
PetscErrorCode VitKpmOperatorApplySingle(VitKpmOperator op, float x[], float y[]);
/* The ghost block rows of a multi-vector of nvec vectors (double, or float with the copy) from their
   owners: the first step of a product that a caller applies a tile of rows at a time with op->rows
   or op->rows32 (rows r0 .. r0 + nr - 1: ia + r0, y of the tile), consuming each tile while it is in
   cache (twolevel's cycle). */
PetscErrorCode VitKpmOperatorGhosts(VitKpmOperator op, PetscReal x[]);
PetscErrorCode VitKpmOperatorGhostsSingle(VitKpmOperator op, float x[]);
/* Rows per tile of such a product (and of the KPM's fused product and step): H v of a tile, bs R
   reals of real_bytes per row, takes about 64 kB, so that it stays in the core's cache between the
   product and its use. */
PetscInt VitKpmOperatorTileRows(VitKpmOperator op, PetscInt R, size_t real_bytes);

/* Entry (c, cc) of the operator's block p. */
static inline PetscReal VitKpmBlockEntry(const struct _n_VitKpmOperator *op, PetscInt p, PetscInt c, PetscInt cc)
{
  const PetscInt bs = op->bs, b = op->vb ? op->vb[p] >> 1 : p;

  return op->vb && (op->vb[p] & 1) ? op->val[(b * bs + cc) * bs + c] : op->val[(b * bs + c) * bs + cc];
}

/* The blocks that couple this rank's atoms to other ranks' in an MPISBAIJ matrix, which stores
   each such pair on the rank of the lower global row only: upper, the off-process blocks of this
   rank's rows (PETSc's B part); lower, those of other ranks' rows whose column is this rank's
   (their transposes are this rank's blocks). Row-major values as stored, rows local to the owner of
   the stored row, columns global block indices. Empty on one rank. */
typedef struct {
  PetscInt   n;
  PetscInt  *row, *col; /* upper: local row, global column; lower: local column (our row), global row */
  PetscReal *val;
} VitKpmOffBlocks;

/* Copy a BAIJ matrix's blocks (Ad: the local diagonal part, Ao: the off-process part or NULL, with
   ghost columns 0..nghost-1) into op, each row's blocks ordered by global atom id: gid of owned
   atoms (the matrix's local rows), gidg of ghost columns; inv maps a local row to its operator row.
   release: hand the source's pages back to the OS behind the copy (it is destroyed right after). */
PetscErrorCode VitKpmCopyBaijRows(VitKpmOperator op, Mat Ad, Mat Ao, const PetscInt inv[], const PetscInt gid[], const PetscInt gidg[], PetscBool release);

/* The off-process blocks of an MPISBAIJ matrix H (nothing on one rank), and the ghost block rows
   they need, sorted global block indices (caller frees both with VitKpmOffBlocksDestroy/PetscFree). */
PetscErrorCode VitKpmSbaijOffBlocks(Mat H, VitKpmOffBlocks *upper, VitKpmOffBlocks *lower, PetscInt *nghost, PetscInt **ghosts);
PetscErrorCode VitKpmOffBlocksDestroy(VitKpmOffBlocks *b);

/* Fill op from an SBAIJ matrix without expanding it: As, the local diagonal part (upper triangle),
   the off-process blocks (VitKpmSbaijOffBlocks) with ghost columns indexed in ghosts[0..nghost-1];
   values stored once per pair (op->vb), rows ordered by global atom id (gidg: of the ghosts) as for
   BAIJ; inv maps a local row to its operator row. */
PetscErrorCode VitKpmCopySbaijRows(VitKpmOperator op, Mat As, const VitKpmOffBlocks *upper, const VitKpmOffBlocks *lower, const PetscInt ghosts[], const PetscInt inv[], const PetscInt gidg[], PetscBool release);
#endif
