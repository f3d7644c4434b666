/* Sparse Hessian products against the machine's roofline (docs/BENCHMARKS.md, "## KPM kernel").

     mpirun -n K build/bench_spmv -sample glass.data -potential ka3d [-spmv_vectors 16,10,1] [-spmv_reps 10]

   Measured in the same run, on every rank at once (sums over ranks): the STREAM triad bandwidth
   a = b + s c (3 x 8 bytes per element, as STREAM counts) and an FMA peak (12 independent chains of
   the widest FMA the CPU has); then, for the sample's Hessian, the best of reps of
     - the KPM operator (vitrum's block CSR, R interleaved vectors), alone and in the KPM's moment
       loop (with its Chebyshev step, exact dot products and their reduction),
     - PETSc MatMult with BAIJ and with SBAIJ storage, R times (one vector each).
   For each: time, bytes moved (matrix + vectors read + vectors written, no cache reuse across
   products), useful flops 2 nnz R, GB/s, GFlop/s and the fraction of the roofline bound
   max(bytes / triad, flops / FMA peak) achieved. */
#include <vitrum/spectrum.h>
#include <slepcsys.h>
#include <immintrin.h>

static double Now(void)
{
  return MPI_Wtime();
}

/* Best-of-10 triad on this rank (all ranks at once), GB/s. */
static double Triad(long n)
{
  double *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double)), *c = malloc(n * sizeof(double)), best = 1e30;
  for (long i = 0; i < n; i++) a[i] = 0, b[i] = 1, c[i] = 2;
  for (int rep = 0; rep < 10; rep++) {
    double t0;
    MPI_Barrier(PETSC_COMM_WORLD);
    t0 = Now();
    for (long i = 0; i < n; i++) a[i] = b[i] + 3.0 * c[i];
    best = PetscMin(best, Now() - t0);
  }
  if (a[n / 2] != 7.0) fprintf(stderr, "triad: wrong result\n");
  free(a), free(b), free(c);
  return 3.0 * n * sizeof(double) / best / 1e9;
}

#define CHAINS 12
/* 12 independent FMA chains a = a m + c; returns GFlop/s (2 flops per lane per FMA). */
__attribute__((target("avx512f"))) static double Peak512(long iters)
{
  __m512d acc[CHAINS], m = _mm512_set1_pd(0.999999999), c = _mm512_set1_pd(1e-9);
  double  t0, s = 0;
  for (int q = 0; q < CHAINS; q++) acc[q] = _mm512_set1_pd(q);
  t0 = Now();
  for (long it = 0; it < iters; it++)
    for (int q = 0; q < CHAINS; q++) acc[q] = _mm512_fmadd_pd(acc[q], m, c);
  t0 = Now() - t0;
  for (int q = 0; q < CHAINS; q++) s += _mm512_reduce_add_pd(acc[q]);
  if (s == 42) fprintf(stderr, "(unlikely)\n");
  return 2.0 * 8 * CHAINS * iters / t0 / 1e9;
}

__attribute__((target("avx2,fma"))) static double Peak256(long iters)
{
  __m256d acc[CHAINS], m = _mm256_set1_pd(0.999999999), c = _mm256_set1_pd(1e-9);
  double  t0, s = 0, out[4];
  for (int q = 0; q < CHAINS; q++) acc[q] = _mm256_set1_pd(q);
  t0 = Now();
  for (long it = 0; it < iters; it++)
    for (int q = 0; q < CHAINS; q++) acc[q] = _mm256_fmadd_pd(acc[q], m, c);
  t0 = Now() - t0;
  for (int q = 0; q < CHAINS; q++) {
    _mm256_storeu_pd(out, acc[q]);
    s += out[0] + out[1] + out[2] + out[3];
  }
  if (s == 42) fprintf(stderr, "(unlikely)\n");
  return 2.0 * 4 * CHAINS * iters / t0 / 1e9;
}

static double FmaPeak(const char **isa)
{
  const long iters = 200000000 / CHAINS;
  double     best  = 0;
  for (int rep = 0; rep < 3; rep++) {
    MPI_Barrier(PETSC_COMM_WORLD);
    if (__builtin_cpu_supports("avx512f")) best = PetscMax(best, Peak512(iters)), *isa = "AVX-512 FMA";
    else if (__builtin_cpu_supports("fma")) best = PetscMax(best, Peak256(iters)), *isa = "AVX2 FMA";
    else *isa = "none";
  }
  return best;
}

typedef struct {
  double triad, peak; /* GB/s, GFlop/s, sums over ranks */
} Roofline;

static PetscErrorCode Report(const char *what, PetscInt R, double t, double bytes, double flops, const Roofline *roof)
{
  const double bound = PetscMax(bytes / (roof->triad * 1e9), flops / (roof->peak * 1e9));

  PetscFunctionBegin;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| %s | %" PetscInt_FMT " | %.4g | %.1f | %.2f | %.2f | %.3g | %.2f |\n", what, R, t, bytes / 1e6, bytes / t / 1e9, flops / t / 1e9, bound, bound / t));
  PetscFunctionReturn(0);
}

/* Bytes one product of the KPM operator moves, all ranks: its matrix, x (owned and ghost rows)
   read and y written once. */
static PetscErrorCode KpmBytes(VitKpmOperator op, PetscInt bs, PetscInt R, double *bytes)
{
  PetscInt       nrows, nghost;
  PetscLogDouble mbytes;

  PetscFunctionBegin;
  PetscCall(VitKpmOperatorSizes(op, &nrows, &nghost, &mbytes));
  *bytes = mbytes + (2.0 * nrows + nghost) * bs * R * sizeof(PetscReal);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, bytes, 1, MPI_DOUBLE, MPI_SUM, PETSC_COMM_WORLD));
  PetscFunctionReturn(0);
}

/* Best time of reps products of the KPM operator with R vectors. */
static PetscErrorCode TimeKpm(VitKpmOperator op, const char *what, PetscInt bs, PetscInt R, PetscInt reps, PetscInt64 nnz_blocks, const Roofline *roof)
{
  PetscInt   nrows, nghost;
  PetscReal *x, *y;
  double     best = 1e30, bytes;

  PetscFunctionBegin;
  PetscCall(VitKpmOperatorSizes(op, &nrows, &nghost, NULL));
  PetscCall(KpmBytes(op, bs, R, &bytes));
  PetscCall(PetscMalloc2((nrows + nghost) * bs * R, &x, nrows * bs * R, &y));
  for (PetscInt j = 0; j < nrows * bs * R; j++) x[j] = VitRademacher(1, j, 0, 0);
  for (PetscInt rep = 0; rep < reps; rep++) {
    double t0;
    PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
    t0 = Now();
    PetscCall(VitKpmOperatorApply(op, R, x, y));
    PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
    best = PetscMin(best, Now() - t0);
  }
  PetscCall(Report(what, R, best, bytes, 2.0 * nnz_blocks * bs * bs * R, roof));
  PetscCall(PetscFree2(x, y));
  PetscFunctionReturn(0);
}

/* Best time of reps iterations of the KPM moment loop (VitKpmContinue by 2 moments: one product fused
   with its Chebyshev step, the exact dot products and their reduction), the cost per product of
   `vitrum spectrum`'s KPM stage; the bytes and flops of the product alone, so that the fraction
   shows what the step adds. Interval from 20 Lanczos steps, as the spectrum's default. */
static PetscErrorCode TimeKpmLoop(VitKpmOperator op, const VitSpectrumProblem *prob, PetscInt bs, PetscInt R, PetscInt reps, PetscInt64 nnz_blocks, const Roofline *roof)
{
  PetscReal lo, hi;
  VitKpm    kpm, more;
  double    best = 1e30, bytes;

  PetscFunctionBegin;
  PetscCall(KpmBytes(op, bs, R, &bytes));
  PetscCall(VitKpmBounds(op, prob, 20, 1, &lo, &hi));
  PetscCall(VitKpmCompute(op, prob, 2, 1, lo, hi, &kpm));
  for (PetscInt rep = 0; rep < reps; rep++) {
    double t0;
    PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
    t0 = Now();
    PetscCall(VitKpmContinue(op, prob, &kpm, kpm.moments + 2, &more));
    PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
    best = PetscMin(best, Now() - t0);
    PetscCall(VitKpmDestroy(&kpm));
    kpm = more;
  }
  PetscCall(VitKpmDestroy(&kpm));
  PetscCall(Report("vitrum KPM moment loop (product, step, exact dots), per product", R, best, bytes, 2.0 * nnz_blocks * bs * bs * R, roof));
  PetscFunctionReturn(0);
}

/* Best time of reps x (R MatMults); bytes from the stored scalars and block indices. */
static PetscErrorCode TimeMatMult(Mat A, const char *what, PetscInt bs, PetscInt R, PetscInt reps, PetscInt64 nnz_blocks, const Roofline *roof)
{
  MatInfo info;
  Vec     x, y;
  double  best = 1e30, bytes;
  PetscInt n;

  PetscFunctionBegin;
  PetscCall(MatGetInfo(A, MAT_GLOBAL_SUM, &info));
  PetscCall(MatGetSize(A, &n, NULL));
  bytes = R * (info.nz_used * (sizeof(PetscScalar) + sizeof(PetscInt) / (double)(bs * bs)) + (n / bs + 1.0) * sizeof(PetscInt) + 2.0 * n * sizeof(PetscScalar));
  PetscCall(MatCreateVecs(A, &x, &y));
  PetscCall(VecSetRandom(x, NULL));
  for (PetscInt rep = 0; rep < reps; rep++) {
    double t0;
    PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
    t0 = Now();
    for (PetscInt k = 0; k < R; k++) PetscCall(MatMult(A, x, y));
    PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
    best = PetscMin(best, Now() - t0);
  }
  PetscCall(Report(what, R, best, bytes, 2.0 * nnz_blocks * bs * bs * R, roof));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&y));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  VitSystem          sys;
  VitSpectrumProblem prob;
  Roofline           roof;
  Mat                S;
  MatInfo            info;
  PetscInt           vectors[8] = {16, 10, 1}, nv = 3, reps = 10, bs;
  PetscInt           triad_n = 1 << 25;
  PetscMPIInt        size;
  const char        *isa = "";
  char               kernel[16] = "auto";
  PetscInt64         nnz_blocks;
  PetscBool          set;

  PetscFunctionBeginUser;
  PetscCall(SlepcInitialize(&argc, &argv, NULL, NULL));
  PetscCall(VitInitialize());
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "bench_spmv: KPM kernel and MatMult against the roofline", NULL);
  PetscCall(PetscOptionsIntArray("-spmv_vectors", "vector counts R to time", NULL, vectors, &nv, &set));
  PetscCall(PetscOptionsInt("-spmv_reps", "repetitions (best is kept)", NULL, reps, &reps, NULL));
  PetscCall(PetscOptionsInt("-spmv_triad_n", "triad elements per rank", NULL, triad_n, &triad_n, NULL));
  PetscOptionsEnd();
  if (!set) nv = 3;

  roof.triad = Triad(triad_n);
  roof.peak  = FmaPeak(&isa);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &roof.triad, 1, MPI_DOUBLE, MPI_SUM, PETSC_COMM_WORLD));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &roof.peak, 1, MPI_DOUBLE, MPI_SUM, PETSC_COMM_WORLD));

  PetscCall(VitSystemSetUpFromOptions(PETSC_COMM_WORLD, &sys));
  PetscCall(MatGetBlockSize(sys.H, &bs));
  PetscCall(MatGetInfo(sys.H, MAT_GLOBAL_SUM, &info));
  nnz_blocks = (PetscInt64)(info.nz_used / (bs * bs));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-kpm_kernel", kernel, sizeof(kernel), NULL));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%d rank(s), %" PetscInt_FMT " atoms, %.1f blocks/atom; STREAM triad %.2f GB/s, FMA peak %.1f GFlop/s (%s), sums over ranks; KPM kernel -kpm_kernel %s, rest of the code %s\n\n", size, sys.dom.natoms, (double)nnz_blocks / sys.dom.natoms, roof.triad, roof.peak, isa, kernel,
#if defined(__AVX512F__)
                        "with AVX-512 (VITRUM_NATIVE)"
#else
                        "portable (x86-64-v2)"
#endif
                        ));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| product | R | time (s) | MB moved | GB/s | GFlop/s | roofline bound (s) | fraction of roofline |\n|---|---|---|---|---|---|---|---|\n"));
  for (PetscInt v = 0; v < nv; v++) PetscCall(TimeMatMult(sys.H, "PETSc MatMult BAIJ", bs, vectors[v], reps, nnz_blocks, &roof));
  PetscCall(MatConvert(sys.H, MATSBAIJ, MAT_INITIAL_MATRIX, &S));
  for (PetscInt v = 0; v < nv; v++) PetscCall(TimeMatMult(S, "PETSc MatMult SBAIJ", bs, vectors[v], reps, nnz_blocks, &roof));
  PetscCall(VitSpectrumProblemFromSystem(&sys, &prob));
  PetscCall(MatDestroy(&sys.H)); /* the operators below release the problem's reference */
  for (PetscInt storage = 0; storage < 2; storage++) { /* the KPM operator from BAIJ, then from SBAIJ (blocks shared) */
    if (storage) {
      PetscCall(MatDestroy(&prob.H));
      prob.H = S; /* the problem takes the SBAIJ copy */
    }
    for (PetscInt v = 0; v < nv; v++) {
      VitKpmOperator op;
      PetscCall(VitKpmOperatorCreate(&prob, vectors[v], PETSC_FALSE, &op));
      PetscCall(TimeKpm(op, storage ? "vitrum KPM block CSR, SBAIJ (blocks shared)" : "vitrum KPM block CSR", bs, vectors[v], reps, nnz_blocks, &roof));
      if (!storage) PetscCall(TimeKpmLoop(op, &prob, bs, vectors[v], reps, nnz_blocks, &roof));
      PetscCall(VitKpmOperatorDestroy(&op));
    }
  }
  PetscCall(VitSpectrumProblemDestroy(&prob));
  PetscCall(VitSystemDestroy(&sys));
  PetscCall(SlepcFinalize());
  return 0;
}
