static const char help[] = "manybody test: analytic Hessian of a potential and central finite differences of its forces.\n"
                           "Writes, in atom id order, H (3N x 3N, raw float64 row-major) to -hessian_out and the\n"
                           "finite-difference columns to -fd_out: per column its index, the forward and the backward\n"
                           "differences -(F(x+h)-F(x))/h and -(F(x)-F(x-h))/h (3N values each), float64.\n";

#include <vitrum/potential.h>

typedef struct {
  char      hessian_out[PETSC_MAX_PATH_LEN], fd_out[PETSC_MAX_PATH_LEN];
  PetscReal h;
  PetscInt  fd_atoms; /* columns of the atoms with ids 0, stride, 2 stride, ... (all when >= N) */
} Options;

/* Dense 3N x 3N Hessian with rows in dom->row order, gathered on rank 0 in id order. */
static PetscErrorCode DenseHessian(VitPotential pot, VitDomain *dom, PetscReal **Hid)
{
  const PetscInt N = 3 * dom->natoms, nloc = 3 * dom->nowned;
  Mat            H;
  PetscInt      *gid_of_row = NULL;
  PetscMPIInt    rank, size, *counts = NULL, *displs = NULL, n = (PetscMPIInt)(nloc * N);
  PetscReal     *rows, *all = NULL;
  const PetscScalar *a;
  PetscInt       lda;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(dom->comm, &rank));
  PetscCallMPI(MPI_Comm_size(dom->comm, &size));
  PetscCall(MatCreateDense(dom->comm, nloc, nloc, N, N, NULL, &H));
  PetscCall(MatSetBlockSize(H, 3));
  PetscCall(MatZeroEntries(H));
  PetscCheck(!pot->pair, dom->comm, PETSC_ERR_SUP, "hessian_fd tests many-body potentials (a pair potential's Hessian takes VitHessian's neighbour list)");
  PetscCall(pot->hessian(pot, dom, NULL, NULL, H));
  PetscCall(MatAssemblyBegin(H, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(H, MAT_FINAL_ASSEMBLY));
  PetscCall(PetscMalloc1(nloc * N + 1, &rows));
  PetscCall(MatDenseGetLDA(H, &lda));
  PetscCall(MatDenseGetArrayRead(H, &a));
  for (PetscInt r = 0; r < nloc; r++)
    for (PetscInt c = 0; c < N; c++) rows[r * N + c] = a[c * lda + r];
  PetscCall(MatDenseRestoreArrayRead(H, &a));
  if (!rank) PetscCall(PetscMalloc4(size, &counts, size, &displs, dom->natoms, &gid_of_row, N * N, &all));
  PetscCallMPI(MPI_Gather(&n, 1, MPI_INT, counts, 1, MPI_INT, 0, dom->comm));
  for (PetscMPIInt p = 0; !rank && p < size; p++) displs[p] = p ? displs[p - 1] + counts[p - 1] : 0;
  PetscCallMPI(MPI_Gatherv(rows, n, MPIU_REAL, all, counts, displs, MPIU_REAL, 0, dom->comm));
  for (PetscMPIInt p = 0; !rank && p < size; p++) counts[p] /= (PetscMPIInt)N * 3, displs[p] /= (PetscMPIInt)N * 3;
  PetscCallMPI(MPI_Gatherv(dom->gid, (int)dom->nowned, MPIU_INT, gid_of_row, counts, displs, MPIU_INT, 0, dom->comm));
  *Hid = NULL;
  if (!rank) { /* permute block rows and block columns from row order to id order */
    PetscCall(PetscMalloc1(N * N, Hid));
    for (PetscInt r = 0; r < N; r++)
      for (PetscInt c = 0; c < N; c++) (*Hid)[(3 * gid_of_row[r / 3] + r % 3) * N + 3 * gid_of_row[c / 3] + c % 3] = all[r * N + c];
    PetscCall(PetscFree4(counts, displs, gid_of_row, all));
  }
  PetscCall(PetscFree(rows));
  PetscCall(MatDestroy(&H));
  PetscFunctionReturn(0);
}

/* Forces in id order on rank 0 (3N values; other ranks: untouched). */
static PetscErrorCode ForcesById(VitPotential pot, VitDomain *dom, PetscReal *f_id)
{
  PetscReal         *f;
  Vec                v, v0;
  VecScatter         sc;
  const PetscScalar *a;
  PetscMPIInt        rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(dom->comm, &rank));
  PetscCall(PetscMalloc1(3 * dom->nowned + 1, &f));
  PetscCall(pot->compute(pot, dom, NULL, f, NULL));
  PetscCall(VitDomainToGlobalOrder(dom, 3, f, &v));
  PetscCall(VecScatterCreateToZero(v, &sc, &v0));
  PetscCall(VecScatterBegin(sc, v, v0, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(sc, v, v0, INSERT_VALUES, SCATTER_FORWARD));
  if (!rank) {
    PetscCall(VecGetArrayRead(v0, &a));
    for (PetscInt k = 0; k < 3 * dom->natoms; k++) f_id[k] = a[k];
    PetscCall(VecRestoreArrayRead(v0, &a));
  }
  PetscCall(VecScatterDestroy(&sc));
  PetscCall(VecDestroy(&v0));
  PetscCall(VecDestroy(&v));
  PetscCall(PetscFree(f));
  PetscFunctionReturn(0);
}

/* Move atom id by dx along Cartesian direction x (its owner copy; ghosts follow). */
static PetscErrorCode Displace(VitDomain *dom, const VitSample *sample, PetscInt id, int x, PetscReal dx)
{
  PetscReal cart[3] = {0, 0, 0}, frac[3];

  PetscFunctionBeginUser;
  cart[x] = dx;
  VitSampleCartToFrac(sample, cart, frac);
  for (PetscInt i = 0; i < dom->nowned; i++)
    if (dom->gid[i] == id)
      for (int k = 0; k < 3; k++) dom->s[3 * i + k] += frac[k];
  PetscCall(VitDomainUpdateGhosts(dom));
  PetscFunctionReturn(0);
}

/* Column (3 id + x) of the Hessian by forward and backward differences of the forces f0 at x. */
static PetscErrorCode FDColumn(VitPotential pot, VitDomain *dom, const VitSample *sample, PetscInt id, int x, PetscReal h, const PetscReal *f0, PetscReal *f, PetscReal *forward, PetscReal *backward)
{
  PetscFunctionBeginUser;
  PetscCall(Displace(dom, sample, id, x, h));
  PetscCall(ForcesById(pot, dom, f));
  for (PetscInt k = 0; k < 3 * dom->natoms; k++) forward[k] = -(f[k] - f0[k]) / h;
  PetscCall(Displace(dom, sample, id, x, -2 * h));
  PetscCall(ForcesById(pot, dom, f));
  for (PetscInt k = 0; k < 3 * dom->natoms; k++) backward[k] = -(f0[k] - f[k]) / h;
  PetscCall(Displace(dom, sample, id, x, h));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteRaw(MPI_Comm comm, const char path[], const PetscReal *v, size_t n)
{
  PetscMPIInt rank;
  FILE       *fp;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank || !path[0]) PetscFunctionReturn(0);
  fp = fopen(path, "wb");
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
  PetscCheck(fwrite(v, sizeof(PetscReal), n, fp) == n, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "short write to %s", path);
  fclose(fp);
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  MPI_Comm     comm;
  Options      o = {"H.bin", "", 1e-5, 1 << 30};
  VitSample    sample;
  VitPotential pot;
  VitDomain    dom;
  PetscReal   *Hid, *f0, *f, *cols;
  PetscInt     N, stride, ncol = 0;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  comm = PETSC_COMM_WORLD;
  PetscCall(VitInitialize());
  PetscCall(VitPushErrorHandler());
  PetscOptionsBegin(comm, NULL, "hessian_fd", "test");
  PetscCall(PetscOptionsString("-hessian_out", "analytic Hessian output", NULL, o.hessian_out, o.hessian_out, sizeof(o.hessian_out), NULL));
  PetscCall(PetscOptionsString("-fd_out", "finite-difference columns output (none: skip)", NULL, o.fd_out, o.fd_out, sizeof(o.fd_out), NULL));
  PetscCall(PetscOptionsReal("-fd_h", "displacement", NULL, o.h, &o.h, NULL));
  PetscCall(PetscOptionsInt("-fd_atoms", "number of atoms whose columns are checked", NULL, o.fd_atoms, &o.fd_atoms, NULL));
  PetscOptionsEnd();
  PetscCall(VitSampleReadFromOptions(comm, &sample));
  PetscCall(VitPotentialCreateFromOptions(comm, &sample, &pot));
  PetscCall(VitPotentialSetUpDomain(comm, pot, &sample, 0, &dom));
  N = 3 * dom.natoms;
  PetscCall(DenseHessian(pot, &dom, &Hid));
  PetscCall(WriteRaw(comm, o.hessian_out, Hid, (size_t)(N * N)));
  if (o.fd_out[0]) {
    stride = PetscMax(1, dom.natoms / PetscMin(o.fd_atoms, dom.natoms));
    PetscCall(PetscMalloc3(N, &f0, N, &f, (2 * N + 1) * 3 * (dom.natoms / stride + 1), &cols));
    PetscCall(ForcesById(pot, &dom, f0));
    for (PetscInt id = 0; id < dom.natoms; id += stride)
      for (int x = 0; x < 3; x++, ncol++) {
        PetscReal *col = &cols[ncol * (2 * N + 1)];

        col[0] = 3 * id + x;
        PetscCall(FDColumn(pot, &dom, &sample, id, x, o.h, f0, f, col + 1, col + 1 + N));
      }
    PetscCall(WriteRaw(comm, o.fd_out, cols, (size_t)(ncol * (2 * N + 1))));
    PetscCall(PetscFree3(f0, f, cols));
  }
  PetscCall(PetscFree(Hid));
  PetscCall(VitDomainDestroy(&dom));
  PetscCall(VitPotentialDestroy(&pot));
  PetscCall(VitSampleDestroy(&sample));
  PetscCall(PetscFinalize());
  return 0;
}
