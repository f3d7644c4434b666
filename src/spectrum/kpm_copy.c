/* Filling the KPM's block operator (kpm_impl.h) from the PETSc Hessian: BAIJ copied block by block,
   SBAIJ kept as stored (one block per pair of atoms, read transposed for the other atom's row). */
#include "kpm_impl.h"
#include <sys/mman.h>
#include <unistd.h>

/* The pages of a source array that a copy has read, handed back to the OS as the copy advances
   (MADV_DONTNEED on whole pages inside the array; its contents are never read again), so that the
   source and its copy are not both resident: the copy of a Hessian about to be destroyed peaks near
   one matrix instead of two. The array is the matrix's own heap memory: only whole pages strictly
   inside it are touched, never the allocator's headers around it. */
typedef struct {
  uintptr_t begin, next, end; /* the array's first byte, the first page not yet handed back, its end */
  uintptr_t page, chunk;      /* the OS page; bytes handed back at a time: a 16th of the array, at most 16 MB */
} ConsumedPages;

static void ConsumedPagesInit(ConsumedPages *p, const void *array, size_t bytes, PetscBool release)
{
  p->page  = (uintptr_t)sysconf(_SC_PAGESIZE);
  p->begin = (uintptr_t)array;
  p->end   = release && array ? p->begin + bytes : 0;
  p->next  = (p->begin + p->page - 1) / p->page * p->page;
  p->chunk = PetscMax(p->page, PetscMin((uintptr_t)16 << 20, (uintptr_t)bytes / 16));
}

/* Bytes [0, consumed) of the array have been read for the last time. */
static PetscErrorCode ConsumedPagesRelease(ConsumedPages *p, size_t consumed, PetscBool last)
{
  const uintptr_t upto = (p->begin + consumed) / p->page * p->page;

  PetscFunctionBegin;
  if (!p->end || upto <= p->next || (!last && upto - p->next < p->chunk)) PetscFunctionReturn(0);
  PetscCheck(madvise((void *)p->next, upto - p->next, MADV_DONTNEED) == 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "KPM: madvise failed on the consumed Hessian pages");
  p->next = upto;
  PetscFunctionReturn(0);
}

/* One bs x bs block from PETSc's (column-major, (c, cc) at cc bs + c) to the operator's row-major. */
static inline void BlockToRowMajor(PetscInt bs, const PetscScalar *src, PetscReal *dst)
{
  for (PetscInt c = 0; c < bs; c++)
    for (PetscInt cc = 0; cc < bs; cc++) dst[c * bs + cc] = PetscRealPart(src[cc * bs + c]);
}

/* Copy the blocks of a BAIJ matrix (column-major bs x bs blocks) into op: operator row r is the
   matrix's local block row op->order[r], an owned block column j becomes inv[j]; each row's blocks
   ordered by the global atom id of their column (gid of owned, gidg of ghost blocks), values
   row-major. The source rows are read once, in their own order, so that with release (the matrix
   is destroyed right after) its pages go back to the OS behind the copy (ConsumedPages); the
   operator's pages are not made huge while it fills, in scattered rows, for the same reason. */
PetscErrorCode VitKpmCopyBaijRows(VitKpmOperator op, Mat Ad, Mat Ao, const PetscInt inv[], const PetscInt gid[], const PetscInt gidg[], PetscBool release)
{
  const PetscInt     bs = op->bs, bs2 = bs * bs;
  const PetscInt    *iad, *jad, *iao = NULL, *jao = NULL;
  const PetscScalar *ad, *ao = NULL;
  PetscInt           n, maxrow = 0, *key, *perm;
  PetscBool          done;
  const PetscScalar **src;
  ConsumedPages      pd, po;

  PetscFunctionBegin;
  PetscCall(MatGetRowIJ(Ad, 0, PETSC_FALSE, PETSC_TRUE, &n, &iad, &jad, &done));
  PetscCheck(done && n == op->nrows, op->comm, PETSC_ERR_PLIB, "KPM: no block row structure from the Hessian");
  PetscCall(MatSeqBAIJGetArray(Ad, (PetscScalar **)&ad));
  if (Ao) {
    PetscCall(MatGetRowIJ(Ao, 0, PETSC_FALSE, PETSC_TRUE, &n, &iao, &jao, &done));
    PetscCheck(done && n == op->nrows, op->comm, PETSC_ERR_PLIB, "KPM: no block row structure from the Hessian");
    PetscCall(MatSeqBAIJGetArray(Ao, (PetscScalar **)&ao));
  }
  op->ia[0] = 0;
  for (PetscInt r = 0; r < op->nrows; r++) {
    const PetscInt i  = op->order[r];
    const PetscInt nb = iad[i + 1] - iad[i] + (Ao ? iao[i + 1] - iao[i] : 0);
    op->ia[r + 1]     = op->ia[r] + nb;
    maxrow            = PetscMax(maxrow, nb);
  }
  op->ja_bytes  = (size_t)op->ia[op->nrows] * sizeof(PetscInt);
  op->val_bytes = (size_t)op->ia[op->nrows] * bs2 * sizeof(PetscReal);
  PetscCall(VitBigAlloc(op->ja_bytes, &op->ja));
  PetscCall(VitBigAlloc(op->val_bytes, &op->val));
#if defined(MADV_NOHUGEPAGE)
  if (release) (void)madvise(op->val, op->val_bytes, MADV_NOHUGEPAGE); /* advice only: a failure changes nothing */
#endif
  ConsumedPagesInit(&pd, ad, (size_t)iad[op->nrows] * bs2 * sizeof(PetscScalar), release);
  ConsumedPagesInit(&po, ao, Ao ? (size_t)iao[op->nrows] * bs2 * sizeof(PetscScalar) : 0, release);
  PetscCall(PetscMalloc3(maxrow, &key, maxrow, &perm, maxrow, &src));
  for (PetscInt i = 0; i < op->nrows; i++) {
    const PetscInt r  = inv[i];
    PetscInt       nb = 0, *ja = op->ja + op->ia[r];
    PetscReal     *val = op->val + op->ia[r] * bs2;
    for (PetscInt k = iad[i]; k < iad[i + 1]; k++, nb++) {
      ja[nb]  = inv[jad[k]];
      key[nb] = gid[jad[k]];
      src[nb] = ad + k * bs2;
    }
    for (PetscInt k = Ao ? iao[i] : 0; k < (Ao ? iao[i + 1] : 0); k++, nb++) {
      ja[nb]  = op->nrows + jao[k];
      key[nb] = gidg[jao[k]];
      src[nb] = ao + k * bs2;
    }
    for (PetscInt k = 0; k < nb; k++) perm[k] = k;
    PetscCall(PetscSortIntWithPermutation(nb, key, perm));
    for (PetscInt k = 0; k < nb; k++) key[k] = ja[perm[k]];
    for (PetscInt k = 0; k < nb; k++) {
      ja[k] = key[k];
      BlockToRowMajor(bs, src[perm[k]], val + k * bs2);
    }
    PetscCall(ConsumedPagesRelease(&pd, (size_t)iad[i + 1] * bs2 * sizeof(PetscScalar), (PetscBool)(i == op->nrows - 1)));
    if (Ao) PetscCall(ConsumedPagesRelease(&po, (size_t)iao[i + 1] * bs2 * sizeof(PetscScalar), (PetscBool)(i == op->nrows - 1)));
  }
  PetscCall(PetscFree3(key, perm, src));
  PetscCall(MatSeqBAIJRestoreArray(Ad, (PetscScalar **)&ad));
  PetscCall(MatRestoreRowIJ(Ad, 0, PETSC_FALSE, PETSC_TRUE, &n, &iad, &jad, &done));
  if (Ao) {
    PetscCall(MatSeqBAIJRestoreArray(Ao, (PetscScalar **)&ao));
    PetscCall(MatRestoreRowIJ(Ao, 0, PETSC_FALSE, PETSC_TRUE, &n, &iao, &jao, &done));
  }
  PetscFunctionReturn(0);
}

/* ---- SBAIJ: each pair of atoms stored once ------------------------------------------------------ */
PetscErrorCode VitKpmOffBlocksDestroy(VitKpmOffBlocks *b)
{
  PetscFunctionBegin;
  PetscCall(PetscFree3(b->row, b->col, b->val));
  b->n = 0;
  PetscFunctionReturn(0);
}

/* This rank's off-process blocks (PETSc's B part, which MPISBAIJ does not expose): MatGetRow of each
   scalar row returns its upper triangle with increasing global columns; those at or beyond the
   rank's last row are the B blocks, each spanning bs consecutive columns (0.06-0.13 s for all rows
   of a 1.25e5-atom Hessian on 2 ranks). */
static PetscErrorCode SbaijUpperBlocks(Mat H, VitKpmOffBlocks *up)
{
  const PetscInt    *cols;
  const PetscScalar *vals;
  PetscInt           bs, rstart, rend, ncols, n = 0, b0 = 0;

  PetscFunctionBegin;
  PetscCall(MatGetBlockSize(H, &bs));
  PetscCall(MatGetOwnershipRange(H, &rstart, &rend));
  PetscCall(MatGetRowUpperTriangular(H));
  for (PetscInt r = rstart; r < rend; r += bs) {
    PetscCall(MatGetRow(H, r, &ncols, &cols, NULL));
    for (PetscInt q = 0; q < ncols; q++) n += cols[q] >= rend;
    PetscCall(MatRestoreRow(H, r, &ncols, &cols, NULL));
  }
  PetscCheck(n % bs == 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "KPM: off-process columns of the SBAIJ Hessian are not whole blocks");
  up->n = n / bs;
  PetscCall(PetscMalloc3(up->n, &up->row, up->n, &up->col, up->n * bs * bs, &up->val));
  for (PetscInt i = 0; i < (rend - rstart) / bs; i++) {
    PetscInt k = 0, k0 = 0; /* off-process columns of this scalar row, and of the block row's first */
    for (PetscInt c = 0; c < bs; c++) {
      k = 0;
      PetscCall(MatGetRow(H, rstart + i * bs + c, &ncols, &cols, &vals));
      for (PetscInt q = 0; q < ncols; q++) {
        const PetscInt blk = b0 + k / bs;
        if (cols[q] < rend) continue;
        PetscCheck(blk < up->n, PETSC_COMM_SELF, PETSC_ERR_PLIB, "KPM: the SBAIJ Hessian's rows do not hold whole blocks");
        if (c == 0 && k % bs == 0) up->row[blk] = i, up->col[blk] = cols[q] / bs;
        up->val[(blk * bs + c) * bs + cols[q] % bs] = PetscRealPart(vals[q]);
        k++;
      }
      PetscCall(MatRestoreRow(H, rstart + i * bs + c, &ncols, &cols, &vals));
      if (c == 0) k0 = k;
      PetscCheck(k == k0 && k % bs == 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "KPM: the SBAIJ Hessian's rows do not hold whole blocks");
    }
    b0 += k / bs;
  }
  PetscCheck(b0 == up->n, PETSC_COMM_SELF, PETSC_ERR_PLIB, "KPM: the SBAIJ Hessian's rows do not hold whole blocks");
  PetscCall(MatRestoreRowUpperTriangular(H));
  PetscFunctionReturn(0);
}

/* The other ranks' upper blocks whose column is one of our rows: each rank sends its B blocks to
   the owners of their columns. Only the ranks that share blocks talk: PetscCommBuildTwoSided tells
   each rank who sends to it and how many blocks, so the set-up does not grow with the number of
   ranks (an all-to-all of counts would, O(P) per rank). Blocks are received in the order of the
   sending rank, each sender's in its row order. */
typedef struct {
  PetscInt  row, col; /* the receiver's local row (the block's column), the sender's global block row */
  PetscReal val[VIT_KPM_MAX_BS * VIT_KPM_MAX_BS];
} OffBlockMessage;

/* The ranks owning the columns of the upper blocks (toranks, ascending) and the blocks packed for
   them in that order (sbuf, tocount[k] blocks for toranks[k]). */
static PetscErrorCode PackUpperBlocks(Mat H, const VitKpmOffBlocks *up, PetscMPIInt *nto, PetscMPIInt **toranks, PetscMPIInt **tocount, OffBlockMessage **sbuf)
{
  PetscLayout  rmap;
  PetscInt     bs, nranks = up->n, *slot, *next;
  PetscMPIInt *dest;

  PetscFunctionBegin;
  PetscCall(MatGetBlockSize(H, &bs));
  PetscCall(MatGetLayouts(H, &rmap, NULL));
  PetscCall(PetscMalloc2(up->n, &dest, up->n, &slot));
  for (PetscInt b = 0; b < up->n; b++) PetscCall(PetscLayoutFindOwner(rmap, up->col[b] * bs, &dest[b]));
  PetscCall(PetscMalloc1(up->n, toranks));
  PetscCall(PetscArraycpy(*toranks, dest, up->n));
  PetscCall(PetscSortRemoveDupsMPIInt(&nranks, *toranks));
  PetscCall(PetscCalloc1(nranks, tocount));
  PetscCall(PetscMalloc1(nranks + 1, &next));
  for (PetscInt b = 0; b < up->n; b++) {
    PetscCall(PetscFindMPIInt(dest[b], nranks, *toranks, &slot[b]));
    (*tocount)[slot[b]]++;
  }
  next[0] = 0;
  for (PetscInt k = 0; k < nranks; k++) next[k + 1] = next[k] + (*tocount)[k];
  PetscCall(PetscMalloc1(up->n, sbuf));
  for (PetscInt b = 0; b < up->n; b++) {
    OffBlockMessage *m = &(*sbuf)[next[slot[b]]++];
    m->row             = up->col[b] - rmap->range[dest[b]] / bs;
    m->col             = rmap->rstart / bs + up->row[b];
    PetscCall(PetscArraycpy(m->val, up->val + b * bs * bs, bs * bs));
  }
  *nto = (PetscMPIInt)nranks;
  PetscCall(PetscFree(next));
  PetscCall(PetscFree2(dest, slot));
  PetscFunctionReturn(0);
}

static PetscErrorCode SbaijLowerBlocks(Mat H, const VitKpmOffBlocks *up, VitKpmOffBlocks *low)
{
  MPI_Comm         comm;
  MPI_Request     *req;
  PetscMPIInt      tag, nto = 0, nfrom, *toranks, *tocount, *fromranks, *fromcount;
  PetscInt         bs, bs2, nrecv = 0, most = 0, off;
  OffBlockMessage *sbuf, *rbuf;

  PetscFunctionBegin;
  PetscCall(PetscObjectGetComm((PetscObject)H, &comm));
  PetscCall(PetscObjectGetNewTag((PetscObject)H, &tag));
  PetscCall(MatGetBlockSize(H, &bs));
  bs2 = bs * bs;
  PetscCall(PackUpperBlocks(H, up, &nto, &toranks, &tocount, &sbuf));
  PetscCall(PetscCommBuildTwoSided(comm, 1, MPI_INT, nto, toranks, tocount, &nfrom, &fromranks, &fromcount));
  PetscCall(PetscSortMPIIntWithArray(nfrom, fromranks, fromcount)); /* receive in rank order */
  for (PetscMPIInt k = 0; k < nfrom; k++) nrecv += fromcount[k];
  for (PetscMPIInt k = 0; k < nto; k++) most = PetscMax(most, tocount[k]);
  for (PetscMPIInt k = 0; k < nfrom; k++) most = PetscMax(most, fromcount[k]);
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &most, 1, MPIU_INT, MPI_MAX, comm)); /* one verdict on every rank */
  PetscCheck((double)most * sizeof(OffBlockMessage) < PETSC_MPI_INT_MAX, comm, PETSC_ERR_SUP, "KPM: %" PetscInt_FMT " SBAIJ blocks between two ranks are too many for one message; use -hessian_type baij or more ranks", most);
  PetscCall(PetscMalloc2(nrecv, &rbuf, nto + nfrom, &req));
  off = 0;
  for (PetscMPIInt k = 0; k < nfrom; k++) {
    PetscCallMPI(MPI_Irecv(rbuf + off, fromcount[k] * (PetscMPIInt)sizeof(OffBlockMessage), MPI_BYTE, fromranks[k], tag, comm, &req[k]));
    off += fromcount[k];
  }
  off = 0;
  for (PetscMPIInt k = 0; k < nto; k++) {
    PetscCallMPI(MPI_Isend(sbuf + off, tocount[k] * (PetscMPIInt)sizeof(OffBlockMessage), MPI_BYTE, toranks[k], tag, comm, &req[nfrom + k]));
    off += tocount[k];
  }
  PetscCallMPI(MPI_Waitall(nto + nfrom, req, MPI_STATUSES_IGNORE));
  low->n = nrecv;
  PetscCall(PetscMalloc3(nrecv, &low->row, nrecv, &low->col, nrecv * bs2, &low->val));
  for (PetscInt b = 0; b < nrecv; b++) {
    low->row[b] = rbuf[b].row;
    low->col[b] = rbuf[b].col;
    PetscCall(PetscArraycpy(low->val + b * bs2, rbuf[b].val, bs2));
  }
  PetscCall(PetscFree2(rbuf, req));
  PetscCall(PetscFree(sbuf));
  PetscCall(PetscFree(fromranks));
  PetscCall(PetscFree(fromcount));
  PetscCall(PetscFree(toranks));
  PetscCall(PetscFree(tocount));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmSbaijOffBlocks(Mat H, VitKpmOffBlocks *upper, VitKpmOffBlocks *lower, PetscInt *nghost, PetscInt **ghosts)
{
  PetscBool mpi;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(upper, sizeof(*upper)));
  PetscCall(PetscMemzero(lower, sizeof(*lower)));
  *nghost = 0;
  *ghosts = NULL;
  PetscCall(PetscObjectTypeCompare((PetscObject)H, MATMPISBAIJ, &mpi));
  if (!mpi) PetscFunctionReturn(0);
  PetscCall(SbaijUpperBlocks(H, upper));
  PetscCall(SbaijLowerBlocks(H, upper, lower));
  PetscCall(PetscMalloc1(upper->n + lower->n, ghosts));
  PetscCall(PetscArraycpy(*ghosts, upper->col, upper->n));
  PetscCall(PetscArraycpy(*ghosts + upper->n, lower->col, lower->n));
  *nghost = upper->n + lower->n;
  PetscCall(PetscSortRemoveDupsInt(nghost, *ghosts));
  PetscFunctionReturn(0);
}

/* Append an entry (x block xi, value block vb) to operator row r. */
static inline void PutEntry(VitKpmOperator op, PetscInt next[], PetscInt r, PetscInt xi, PetscInt vb)
{
  op->ja[next[r]]   = xi;
  op->vb[next[r]++] = vb;
}

/* Each row's entries in increasing global atom id (the BAIJ kernel's order, hence its bits). */
static PetscErrorCode SortRowsById(VitKpmOperator op, const PetscInt gidg[])
{
  PetscInt maxrow = 0, *key, *perm, *tmp;

  PetscFunctionBegin;
  for (PetscInt r = 0; r < op->nrows; r++) maxrow = PetscMax(maxrow, op->ia[r + 1] - op->ia[r]);
  PetscCall(PetscMalloc3(maxrow, &key, maxrow, &perm, 2 * maxrow, &tmp));
  for (PetscInt r = 0; r < op->nrows; r++) {
    const PetscInt nb = op->ia[r + 1] - op->ia[r];
    PetscInt      *ja = op->ja + op->ia[r], *vb = op->vb + op->ia[r];
    for (PetscInt k = 0; k < nb; k++) {
      key[k]  = ja[k] < op->nrows ? op->gid[ja[k]] : gidg[ja[k] - op->nrows];
      perm[k] = k;
    }
    PetscCall(PetscSortIntWithPermutation(nb, key, perm));
    for (PetscInt k = 0; k < nb; k++) tmp[k] = ja[perm[k]], tmp[maxrow + k] = vb[perm[k]];
    PetscCall(PetscArraycpy(ja, tmp, nb));
    PetscCall(PetscArraycpy(vb, tmp + maxrow, nb));
  }
  PetscCall(PetscFree3(key, perm, tmp));
  PetscFunctionReturn(0);
}

/* The values: As's blocks (column-major in PETSc) row-major, each row's together in operator row
   order (vpos[i]: where local row i's first block goes), so that the kernel reads a row's own
   blocks in one stretch and finds its neighbours' nearby; As is read once in its own order, its
   pages handed back behind the copy with release. Then the upper and lower off-process blocks. */
static PetscErrorCode CopySbaijValues(VitKpmOperator op, Mat As, const PetscInt ia[], const PetscInt vpos[], const VitKpmOffBlocks *upper, const VitKpmOffBlocks *lower, PetscBool release)
{
  const PetscInt     bs = op->bs, bs2 = bs * bs, n = op->nrows, nA = ia[n];
  const PetscScalar *a;
  ConsumedPages      pa;

  PetscFunctionBegin;
  op->val_bytes = (size_t)(nA + upper->n + lower->n) * bs2 * sizeof(PetscReal);
  PetscCall(VitBigAlloc(op->val_bytes, &op->val));
#if defined(MADV_NOHUGEPAGE)
  if (release) (void)madvise(op->val, op->val_bytes, MADV_NOHUGEPAGE); /* advice only: a failure changes nothing */
#endif
  PetscCall(MatSeqSBAIJGetArray(As, (PetscScalar **)&a));
  ConsumedPagesInit(&pa, a, (size_t)nA * bs2 * sizeof(PetscScalar), release);
  for (PetscInt i = 0; i < n; i++) {
    for (PetscInt k = ia[i]; k < ia[i + 1]; k++) BlockToRowMajor(bs, a + k * bs2, op->val + (vpos[i] + k - ia[i]) * bs2);
    PetscCall(ConsumedPagesRelease(&pa, (size_t)ia[i + 1] * bs2 * sizeof(PetscScalar), (PetscBool)(i == n - 1)));
  }
  PetscCall(MatSeqSBAIJRestoreArray(As, (PetscScalar **)&a));
  PetscCall(PetscArraycpy(op->val + (size_t)nA * bs2, upper->val, upper->n * bs2));
  PetscCall(PetscArraycpy(op->val + (size_t)(nA + upper->n) * bs2, lower->val, lower->n * bs2));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmCopySbaijRows(VitKpmOperator op, Mat As, const VitKpmOffBlocks *upper, const VitKpmOffBlocks *lower, const PetscInt ghosts[], const PetscInt inv[], const PetscInt gidg[], PetscBool release)
{
  const PetscInt *ia, *ja;
  PetscInt        n, nA, *next, *vpos;
  PetscBool       done;

  PetscFunctionBegin;
  PetscCall(MatGetRowIJ(As, 0, PETSC_FALSE, PETSC_TRUE, &n, &ia, &ja, &done));
  PetscCheck(done && n == op->nrows, op->comm, PETSC_ERR_PLIB, "KPM: no block row structure from the SBAIJ Hessian");
  nA = ia[n];
  {
    PetscReal most = 2.0 * (nA + upper->n + lower->n);
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &most, 1, MPIU_REAL, MPI_MAX, op->comm));
    PetscCheck(most < PETSC_MAX_INT, op->comm, PETSC_ERR_SUP, "KPM: %.0f blocks on one rank are too many for 32-bit indices; use more ranks", (double)(most / 2));
  }
  PetscCall(PetscMalloc1(n + 1, &vpos));
  for (PetscInt r = 0, v = 0; r < n; r++) vpos[op->order[r]] = v, v += ia[op->order[r] + 1] - ia[op->order[r]];
  PetscCall(CopySbaijValues(op, As, ia, vpos, upper, lower, release));
  /* entries per operator row: each stored block of As once for its row, once more (transposed)
     for its column's row unless diagonal; each off-process block once */
  PetscCall(PetscCalloc1(op->nrows + 1, &next));
  for (PetscInt i = 0; i < n; i++)
    for (PetscInt k = ia[i]; k < ia[i + 1]; k++) {
      next[inv[i]]++;
      if (ja[k] != i) next[inv[ja[k]]]++;
    }
  for (PetscInt b = 0; b < upper->n; b++) next[inv[upper->row[b]]]++;
  for (PetscInt b = 0; b < lower->n; b++) next[inv[lower->row[b]]]++;
  op->ia[0] = 0;
  for (PetscInt r = 0; r < op->nrows; r++) op->ia[r + 1] = op->ia[r] + next[r], next[r] = op->ia[r];
  op->ja_bytes = op->vb_bytes = (size_t)op->ia[op->nrows] * sizeof(PetscInt);
  PetscCall(VitBigAlloc(op->ja_bytes, &op->ja));
  PetscCall(VitBigAlloc(op->vb_bytes, &op->vb));
  for (PetscInt i = 0; i < n; i++)
    for (PetscInt k = ia[i]; k < ia[i + 1]; k++) {
      const PetscInt v = vpos[i] + k - ia[i];
      PutEntry(op, next, inv[i], inv[ja[k]], 2 * v);
      if (ja[k] != i) PutEntry(op, next, inv[ja[k]], inv[i], 2 * v + 1);
    }
  for (PetscInt b = 0; b < upper->n + lower->n; b++) {
    const PetscBool up  = (PetscBool)(b < upper->n);
    const PetscInt  row = up ? upper->row[b] : lower->row[b - upper->n], col = up ? upper->col[b] : lower->col[b - upper->n];
    PetscInt        g;
    PetscCall(PetscFindInt(col, op->nghost, ghosts, &g));
    PetscCheck(g >= 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "KPM: ghost block %" PetscInt_FMT " missing", col);
    PutEntry(op, next, inv[row], op->nrows + g, 2 * (nA + b) + !up);
  }
  PetscCall(PetscFree(next));
  PetscCall(PetscFree(vpos));
  PetscCall(MatRestoreRowIJ(As, 0, PETSC_FALSE, PETSC_TRUE, &n, &ia, &ja, &done));
  PetscCall(SortRowsById(op, gidg));
  PetscFunctionReturn(0);
}
