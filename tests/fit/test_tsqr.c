static const char help[] = "TSQR test: R of a pseudo-random n x c matrix whose rows are split over the ranks.\n"
                           "Rank 0 writes the matrix and R to -o FILE for comparison with LAPACK (numpy).\n";

#include <vitrum/fit.h>

/* Entry (i, j) of the test matrix: a hash of (seed, i, j) mapped to [-1, 1), plus a row scale
   that spreads the column norms. */
static PetscReal Entry(PetscInt i, PetscInt j, PetscInt seed)
{
  uint64_t z = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + (uint64_t)i * 0xBF58476D1CE4E5B9ULL + (uint64_t)j * 0x94D049BB133111EBULL;
  z          = (z ^ (z >> 31)) * 0xD6E8FEB86659FD93ULL;
  z          = z ^ (z >> 32);
  return (PetscReal)(z % 2000003) / 1000001.5 - 1.0 + (j == 0 ? 3.0 : 0.0);
}

int main(int argc, char **argv)
{
  PetscInt    n = 50, c = 7, seed = 1, m = PETSC_DECIDE, start = 0;
  char        out[PETSC_MAX_PATH_LEN] = "tsqr.txt";
  VitTriangle local, R;
  PetscMPIInt rank;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "TSQR test", NULL);
  PetscCall(PetscOptionsInt("-n", "rows", NULL, n, &n, NULL));
  PetscCall(PetscOptionsInt("-c", "columns", NULL, c, &c, NULL));
  PetscCall(PetscOptionsInt("-seed", "matrix seed", NULL, seed, &seed, NULL));
  PetscCall(PetscOptionsString("-o", "output file", NULL, out, out, sizeof(out), NULL));
  PetscOptionsEnd();
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(PetscSplitOwnership(PETSC_COMM_WORLD, &m, &n));
  PetscCallMPI(MPI_Exscan(&m, &start, 1, MPIU_INT, MPI_SUM, PETSC_COMM_WORLD));
  if (!rank) start = 0;
  PetscCall(VitTriangleCreate(m, c, &local));
  for (PetscInt i = 0; i < m; i++)
    for (PetscInt j = 0; j < c; j++) local.a[i + j * m] = Entry(start + i, j, seed);
  PetscCall(VitTSQR(PETSC_COMM_WORLD, &local, &R));
  if (!rank) {
    FILE *f = fopen(out, "w");
    PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", out);
    fprintf(f, "%d %d %d\n", (int)n, (int)c, (int)R.k);
    for (PetscInt i = 0; i < n; i++)
      for (PetscInt j = 0; j < c; j++) fprintf(f, "%.17g%c", (double)Entry(i, j, seed), j == c - 1 ? '\n' : ' ');
    for (PetscInt i = 0; i < R.k; i++)
      for (PetscInt j = 0; j < c; j++) fprintf(f, "%.17g%c", (double)R.a[i + j * R.k], j == c - 1 ? '\n' : ' ');
    fclose(f);
  }
  PetscCall(VitTriangleDestroy(&local));
  PetscCall(VitTriangleDestroy(&R));
  PetscCall(PetscFinalize());
  return 0;
}
