/* vitrum hessian: assemble the Hessian (dynamical matrix) of a sample, print checks and write it.

     vitrum hessian -sample glass.data -potential ka3d [-hessian_type baij|sbaij|shell]
                    [-hessian_binary H.bin] [-o glass.hessian.h5]

   Checks: symmetry ||Hv - H^T v||/||Hv|| (random v), acoustic sum rule max_a ||H t_a||/||t_a|| for the
   uniform translations t_a (mass weighted: sqrt(m_i) e_a), trace, stored nonzeros and memory.
   The matrix is written in global atom id order, so files do not depend on the rank count. */
#include <vitrum/commands.h>
#include <vitrum/hessian.h>
#include <vitrum/h5io.h>

typedef struct {
  char      out[PETSC_MAX_PATH_LEN], binary[PETSC_MAX_PATH_LEN];
  PetscBool h5_matrix, h5_matrix_set;
} HessianCmdOptions;

static PetscErrorCode HessianCmdReadOptions(MPI_Comm comm, HessianCmdOptions *o)
{
  PetscFunctionBeginUser;
  o->out[0] = o->binary[0] = 0;
  o->h5_matrix             = PETSC_TRUE;
  PetscOptionsBegin(comm, NULL, "vitrum hessian: output", "vitrum");
  PetscCall(VitOptionsString("-o", "output HDF5 file with /hessian (default: the sample's file name without its extension + .hessian.h5, in the current folder)", NULL, o->out, o->out, sizeof(o->out), NULL));
  PetscCall(VitOptionsString("-hessian_binary", "also write the matrix in PETSc binary format (MatLoad), rows in atom id order", NULL, o->binary, o->binary, sizeof(o->binary), NULL));
  PetscCall(PetscOptionsBool("-hessian_h5_matrix", "write the matrix as CSR into the HDF5 file (gathered on rank 0; default: true up to 100000 atoms)", NULL, o->h5_matrix, &o->h5_matrix, &o->h5_matrix_set));
  PetscOptionsEnd();
  PetscFunctionReturn(0);
}

typedef struct {
  PetscReal      symmetry, asr, diag_max, trace;
  PetscLogDouble nnz, memory; /* stored scalar entries (upper triangle for sbaij; -1 for shell), bytes */
} HessianChecks;

/* ||H v - H^T v|| / ||H v|| for a random v. */
static PetscErrorCode CheckSymmetry(Mat H, PetscReal *asym)
{
  Vec         v, y, yt;
  PetscRandom rnd;
  PetscReal   norm;

  PetscFunctionBeginUser;
  PetscCall(MatCreateVecs(H, &v, &y));
  PetscCall(VecDuplicate(y, &yt));
  PetscCall(PetscRandomCreate(PetscObjectComm((PetscObject)H), &rnd));
  PetscCall(PetscRandomSetFromOptions(rnd));
  PetscCall(VecSetRandom(v, rnd));
  PetscCall(MatMult(H, v, y));
  PetscCall(MatMultTranspose(H, v, yt));
  PetscCall(VecNorm(y, NORM_2, &norm));
  PetscCall(VecAXPY(yt, -1, y));
  PetscCall(VecNorm(yt, NORM_2, asym));
  if (norm > 0) *asym /= norm;
  PetscCall(PetscRandomDestroy(&rnd));
  PetscCall(VecDestroy(&v));
  PetscCall(VecDestroy(&y));
  PetscCall(VecDestroy(&yt));
  PetscFunctionReturn(0);
}

/* max over directions a of ||H t_a|| / ||t_a||, t_a = translation along a (times sqrt(m_i) when
   mass weighted, the zero mode of M^-1/2 H M^-1/2). */
static PetscErrorCode CheckAcousticSumRule(const VitSystem *sys, PetscReal *residual)
{
  const VitDomain *dom = &sys->dom;
  Vec              t, y;
  PetscReal        tnorm, ynorm;

  PetscFunctionBeginUser;
  *residual = 0;
  PetscCall(MatCreateVecs(sys->H, &t, &y));
  for (PetscInt a = 0; a < dom->dim; a++) {
    PetscScalar *ta;

    PetscCall(VecGetArray(t, &ta));
    for (PetscInt i = 0; i < dom->nowned; i++)
      for (PetscInt k = 0; k < dom->dim; k++) ta[dom->dim * i + k] = k != a ? 0 : sys->mass_weighted ? PetscSqrtReal(sys->sample.type_mass[dom->type[i]]) : 1;
    PetscCall(VecRestoreArray(t, &ta));
    PetscCall(MatMult(sys->H, t, y));
    PetscCall(VecNorm(t, NORM_2, &tnorm));
    PetscCall(VecNorm(y, NORM_2, &ynorm));
    *residual = PetscMax(*residual, ynorm / tnorm);
  }
  PetscCall(VecDestroy(&t));
  PetscCall(VecDestroy(&y));
  PetscFunctionReturn(0);
}

/* Stored entries and bytes: values, block column indices and block row offsets. */
static PetscErrorCode MatrixSize(Mat H, PetscLogDouble *nnz, PetscLogDouble *bytes)
{
  MatInfo   info;
  PetscInt  bs, m;
  PetscBool shell;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectTypeCompare((PetscObject)H, MATSHELL, &shell));
  if (shell) {
    *nnz = -1;
    PetscCall(VitHessianShellMemory(H, bytes));
    PetscFunctionReturn(0);
  }
  PetscCall(MatGetInfo(H, MAT_GLOBAL_SUM, &info));
  PetscCall(MatGetBlockSize(H, &bs));
  PetscCall(MatGetSize(H, &m, NULL));
  *nnz   = info.nz_used;
  *bytes = info.nz_allocated * sizeof(PetscScalar) + info.nz_allocated / (bs * bs) * sizeof(PetscInt) + (PetscLogDouble)(m / bs + 1) * sizeof(PetscInt);
  PetscFunctionReturn(0);
}

static PetscErrorCode HessianCheck(const VitSystem *sys, HessianChecks *c)
{
  Vec diag;

  PetscFunctionBeginUser;
  PetscCall(CheckSymmetry(sys->H, &c->symmetry));
  PetscCall(CheckAcousticSumRule(sys, &c->asr));
  PetscCall(MatCreateVecs(sys->H, &diag, NULL));
  PetscCall(MatGetDiagonal(sys->H, diag));
  PetscCall(VitHessianExactTrace(diag, &c->trace));
  PetscCall(VecNorm(diag, NORM_INFINITY, &c->diag_max));
  PetscCall(VecDestroy(&diag));
  PetscCall(MatrixSize(sys->H, &c->nnz, &c->memory));
  PetscFunctionReturn(0);
}

static PetscErrorCode HessianPrint(MPI_Comm comm, const VitSystem *sys, const HessianChecks *c)
{
  const char *type;

  PetscFunctionBeginUser;
  PetscCall(MatGetType(sys->H, &type));
  PetscCall(PetscPrintf(comm, "hessian: %" PetscInt_FMT " atoms, %" PetscInt_FMT "D, -potential %s, %s%s\n", sys->sample.natoms, sys->sample.dim, sys->pot->name, type, sys->mass_weighted ? ", mass weighted" : ""));
  PetscCall(PetscPrintf(comm, "  symmetry  ||Hv - H^T v||/||Hv||  %.3e\n", (double)c->symmetry));
  PetscCall(PetscPrintf(comm, "  acoustic sum rule max ||H t||/||t|| %.3e (largest diagonal entry %.3e)\n", (double)c->asr, (double)c->diag_max));
  PetscCall(PetscPrintf(comm, "  trace     %.12e   (<omega^2> = trace/(dN) = %.12e %s)\n", (double)c->trace, (double)(c->trace / (sys->sample.dim * sys->sample.natoms)), sys->mass_weighted ? sys->units.hessian : sys->units.stiffness));
  if (c->nnz >= 0) PetscCall(PetscPrintf(comm, "  nonzeros  %.0f stored (%.1f per atom)\n", c->nnz, c->nnz / sys->sample.natoms));
  PetscCall(PetscPrintf(comm, "  memory    %.3e bytes (%.1f bytes per atom%s)\n", c->memory, c->memory / sys->sample.natoms, c->nnz >= 0 ? "; the assembled matrix alone, not the copies made to write it" : ""));
  PetscCall(PetscPrintf(comm, "  max force %.3e\n", (double)sys->max_force));
  PetscFunctionReturn(0);
}

/* Writing the matrix takes more than H itself (docs/reliability.md): VitHessianToIdOrder holds
   two AIJ copies of this rank's rows at once (MatConvert, then the permuted MatCreateSubMatrix;
   sbaij: both triangles), then the id-ordered copy stays while WriteCSR gathers the whole matrix
   on rank 0 (AIJ) with its int64 row offsets. They must fit in the same share
   (-hessian_max_memory) of what is left on each node with H assembled; else one line, before
   anything is copied (the operating system would kill the run later, without a message). */
static PetscErrorCode CheckCopiesFit(MPI_Comm comm, Mat H, PetscBool h5_matrix)
{
  MatInfo        info;
  PetscInt       bs, rows, m;
  PetscBool      sbaij, fits;
  PetscMPIInt    rank;
  PetscReal      fraction, need, avail;
  PetscLogDouble local, global, entry = sizeof(PetscScalar) + sizeof(PetscInt), row = 4 * sizeof(PetscInt);
  char           bound[VIT_MEMORY_BOUND_LEN];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(VitHessianMemoryOption(comm, &fraction));
  PetscCall(PetscObjectBaseTypeCompare((PetscObject)H, MATSEQSBAIJ, &sbaij));
  if (!sbaij) PetscCall(PetscObjectBaseTypeCompare((PetscObject)H, MATMPISBAIJ, &sbaij));
  PetscCall(MatGetBlockSize(H, &bs));
  PetscCall(MatGetLocalSize(H, &rows, NULL));
  PetscCall(MatGetSize(H, &m, NULL));
  PetscCall(MatGetInfo(H, MAT_LOCAL, &info));
  local = (sbaij ? 2 * info.nz_used : info.nz_used) * entry + rows * row; /* one AIJ copy of this rank's rows */
  PetscCallMPI(MPI_Allreduce(&local, &global, 1, MPI_DOUBLE, MPI_SUM, comm));
  need = PetscMax(2 * local, local + (h5_matrix && !rank ? global + (m + 1) * sizeof(int64_t) : 0));
  PetscCall(VitNodeMemoryFits(comm, need, fraction, &fits, &need, &avail, bound, sizeof(bound)));
  PetscCheck(fits, comm, PETSC_ERR_USER_INPUT, "writing the Hessian needs %.3g GB more than the assembled matrix (its copies in atom id order%s) on a node where %.6g of the available memory (%s) is %.3g GB (-hessian_max_memory): run on more nodes%s", (double)need, h5_matrix ? ", and the whole matrix on rank 0 for the HDF5 file" : "", (double)fraction, bound, (double)avail,
             h5_matrix ? ", or use -hessian_h5_matrix false (the HDF5 file without the matrix; -hessian_binary writes it without a gather)" : "");
  PetscFunctionReturn(0);
}

/* PETSc binary, written under a temporary name (renamed with the other outputs, VitOutputsCommit). */
static PetscErrorCode WriteBinary(MPI_Comm comm, Mat Hid, const char path[])
{
  PetscViewer viewer;
  char        tmp[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(VitOutputTmp(comm, path, tmp));
  PetscCall(PetscViewerBinaryOpen(comm, tmp, FILE_MODE_WRITE, &viewer));
  PetscCall(PetscViewerBinarySetSkipInfo(viewer, PETSC_TRUE));
  PetscCall(MatView(Hid, viewer));
  PetscCall(PetscViewerDestroy(&viewer));
  PetscCall(VitOutputDone(comm, path));
  PetscFunctionReturn(0);
}

/* /hessian/{indptr,indices,data,shape}: scipy.sparse CSR of the whole matrix in id order (rank 0). */
static PetscErrorCode WriteCSR(VitH5 *h5, Mat Hid, const char units[])
{
  PetscMPIInt     rank;
  PetscInt        m, n, nrows;
  IS              all;
  Mat            *seq;
  const PetscInt *ia, *ja;
  PetscScalar    *a;
  PetscBool       done;
  int64_t        *indptr;
  hsize_t         dims[1];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(h5->comm, &rank));
  PetscCall(MatGetSize(Hid, &m, &n));
  PetscCall(ISCreateStride(PETSC_COMM_SELF, rank ? 0 : m, 0, 1, &all));
  PetscCall(MatCreateSubMatrices(Hid, 1, &all, &all, MAT_INITIAL_MATRIX, &seq));
  PetscCall(MatGetRowIJ(seq[0], 0, PETSC_FALSE, PETSC_FALSE, &nrows, &ia, &ja, &done));
  PetscCall(MatSeqAIJGetArray(seq[0], &a));
  PetscCall(PetscMalloc1(nrows + 1, &indptr));
  for (PetscInt i = 0; i <= nrows; i++) indptr[i] = ia[i];
  dims[0] = (hsize_t)m + 1;
  PetscCall(VitH5WriteInt64(h5, "/hessian/indptr", 1, dims, indptr, "1"));
  dims[0] = rank ? 0 : (hsize_t)ia[nrows];
  PetscCallMPI(MPI_Bcast(dims, 1, MPI_UINT64_T, 0, h5->comm));
  PetscCall(VitH5WriteInt(h5, "/hessian/indices", 1, dims, ja, "1"));
  PetscCall(VitH5WriteReal(h5, "/hessian/data", 1, dims, a, units));
  {
    PetscInt shape[2] = {m, n};
    dims[0]           = 2;
    PetscCall(VitH5WriteInt(h5, "/hessian/shape", 1, dims, shape, "1"));
  }
  PetscCall(PetscFree(indptr));
  PetscCall(MatSeqAIJRestoreArray(seq[0], &a));
  PetscCall(MatRestoreRowIJ(seq[0], 0, PETSC_FALSE, PETSC_FALSE, &nrows, &ia, &ja, &done));
  PetscCall(MatDestroySubMatrices(1, &seq));
  PetscCall(ISDestroy(&all));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteH5(MPI_Comm comm, const VitSystem *sys, const HessianChecks *c, Mat Hid, const char path[])
{
  VitH5       h5;
  const char *units = sys->mass_weighted ? sys->units.hessian : sys->units.stiffness;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(vit_log.write, 0, 0, 0, 0));
  PetscCall(VitH5Create(comm, path, &h5));
  PetscCall(VitH5WriteScalar(&h5, "/hessian/trace", c->trace, units));
  PetscCall(VitH5WriteScalar(&h5, "/hessian/checks/symmetry", c->symmetry, "1"));
  PetscCall(VitH5WriteScalar(&h5, "/hessian/checks/acoustic_sum_rule", c->asr, units));
  PetscCall(VitH5WriteScalar(&h5, "/hessian/checks/max_force", sys->max_force, sys->units.force));
  PetscCall(VitH5WriteScalar(&h5, "/hessian/nnz", c->nnz, "1"));
  PetscCall(VitH5WriteScalar(&h5, "/hessian/memory", c->memory, "bytes"));
  PetscCall(VitH5WriteScalar(&h5, "/hessian/mass_weighted", sys->mass_weighted, "1"));
  if (Hid) PetscCall(WriteCSR(&h5, Hid, units));
  PetscCall(VitH5Close(&h5));
  PetscCall(PetscLogEventEnd(vit_log.write, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode VitCmdHessian(void)
{
  MPI_Comm          comm = PETSC_COMM_WORLD;
  HessianCmdOptions o;
  VitSystem         sys;
  HessianChecks     c;
  PetscBool         shell, h5_matrix;
  Mat               Hid = NULL;

  PetscFunctionBeginUser;
  PetscCall(HessianCmdReadOptions(comm, &o));
  PetscCall(VitSystemSetUpFromOptions(comm, &sys));
  if (VitHelpRequested()) {
    PetscCall(VitSystemDestroy(&sys));
    PetscFunctionReturn(0);
  }
  if (!o.out[0]) PetscCall(VitOutputPath(sys.sample.source, ".hessian.h5", o.out, sizeof(o.out)));
  if (o.binary[0]) PetscCall(VitOutputsDistinct(comm, "-hessian_binary", o.binary, "-o", o.out));
  PetscCall(VitOutputCheck(comm, "-o", o.out, 0, NULL));
  if (o.binary[0]) PetscCall(VitOutputCheck(comm, "-hessian_binary", o.binary, 0, NULL));
  PetscCall(PetscObjectTypeCompare((PetscObject)sys.H, MATSHELL, &shell));
  h5_matrix = o.h5_matrix_set ? o.h5_matrix : (PetscBool)(sys.sample.natoms <= 100000);
  PetscCheck(!shell || (!o.binary[0] && !(o.h5_matrix_set && o.h5_matrix)), comm, PETSC_ERR_USER_INPUT, "-hessian_type shell stores no matrix to write: drop -hessian_binary/-hessian_h5_matrix or use -hessian_type baij");
  PetscCall(HessianCheck(&sys, &c));
  if (!shell && (o.binary[0] || h5_matrix)) {
    PetscCall(CheckCopiesFit(comm, sys.H, h5_matrix));
    PetscCall(VitHessianToIdOrder(&sys.dom, sys.H, &Hid));
  }
  VitOutputsHold(); /* both files appear together, or neither */
  if (o.binary[0]) PetscCall(WriteBinary(comm, Hid, o.binary));
  PetscCall(WriteH5(comm, &sys, &c, h5_matrix ? Hid : NULL, o.out));
  PetscCall(VitOutputsCommit(comm));
  PetscCall(HessianPrint(comm, &sys, &c)); /* after the files: a reader of stdout that stops early (| head) keeps them */
  PetscCall(PetscPrintf(comm, "  wrote %s%s%s\n", o.out, o.binary[0] ? " and " : "", o.binary));
  PetscCall(MatDestroy(&Hid));
  PetscCall(VitSystemDestroy(&sys));
  PetscFunctionReturn(0);
}
