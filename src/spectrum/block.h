/* Blocks of vectors in the KPM operator's layout, shared by the block eigensolvers
   (subspace.c: Chebyshev-filtered subspace iteration; twolevel.c: LOBPCG). Internal to src/spectrum. */
#ifndef VITRUM_SPECTRUM_BLOCK_H
#define VITRUM_SPECTRUM_BLOCK_H

#include <vitrum/spectrum.h>

/* A block of m vectors: entry (j, k) at x[j m + k] for the n owned entries j (operator row order),
   with room for the ghost entries after them (nall in all). Blocks whose valid columns are fewer
   than m keep the stride m (columns p..m-1 unused). */
typedef struct {
  PetscInt         n, nall, m;
  VitKpmOperator   op;
  const PetscInt  *order, *gid; /* the operator's rows: owned atom order[r], global id gid[r] */
  const PetscReal *sqrt_mass;
} VitBlock;

/* Bytes of one block of vectors, ghost entries included (nall x m). */
size_t VitBlockBytes(const VitBlock *B);
/* The default block for nev modes: nev + max(8, nev/2), rounded up to whole SIMD chunks of 8, at
   most states (the dN - d non-translation modes). */
PetscInt VitBlockDefaultSize(PetscInt nev, PetscInt states);
/* One user error for a tolerance outside (0, 1), naming the solver's option -spectrum_<who>_tol
   (checked with the other options, before the sample is read). */
PetscErrorCode VitBlockCheckTolerance(MPI_Comm comm, const char *who, PetscReal tol);
/* One user error for a block outside (nev, states], naming -spectrum_<who>_block: checked when the
   solver runs, where nev (shrunk for a small sample) and states = dN - d are known. */
PetscErrorCode VitBlockCheckSize(MPI_Comm comm, const char *who, PetscInt block, PetscInt nev, PetscInt states);
/* One Gram matrix of VitBlockGrams: G (p x q, column-major, leading dimension p) = X(:, 0:p)^T Y(:, 0:q). */
typedef struct {
  PetscInt         p;
  const PetscReal *x;
  PetscInt         q;
  const PetscReal *y;
  PetscReal       *G;
} VitGramTerm;
/* Rows per tile of VitBlockGrams: the tiles of a few blocks of 32 columns stay in a core's cache. */
#define VIT_BLOCK_GRAM_TILE 256
/* Several Gram matrices in one pass over the rows (a tile at a time, so that a block that several
   terms read comes from memory once) and one sum over the ranks. */
PetscErrorCode VitBlockGrams(const VitSpectrumProblem *prob, const VitBlock *B, PetscInt count, const VitGramTerm terms[]);
/* G (p x q, column-major, leading dimension p) = X(:, 0:p)^T Y(:, 0:q), summed over the ranks. */
PetscErrorCode VitBlockGram(const VitSpectrumProblem *prob, const VitBlock *B, PetscInt p, const PetscReal x[], PetscInt q, const PetscReal y[], PetscReal G[]);
/* Y(:, 0:q) = beta Y(:, 0:q) + X(:, 0:p) C, C p x q column-major (owned entries; y != x). */
PetscErrorCode VitBlockCombine(const VitBlock *B, PetscInt p, const PetscReal x[], PetscInt q, const PetscReal C[], PetscReal beta, PetscReal y[]);
/* Eigen-decomposition of the symmetric mm x mm matrix A (overwritten by the eigenvectors),
   ascending; who names the solver in the error. */
PetscErrorCode VitBlockSymmetricEigen(const VitSpectrumProblem *prob, const char *who, PetscInt mm, PetscReal A[], PetscReal lambda[]);
/* SVQB coefficients (Stathopoulos & Wu, SIAM J. Sci. Comput. 23, 2165 (2002)) of q vectors with
   Gram matrix G (q x q), in place: with S = diag(G)^-1/2 and S G S = U L U^T (L ascending), the
   vectors times C = S U L^-1/2 are orthonormal. The directions with L at most drop times the
   largest are lost to round-off: their columns of C are zero, and they are the first *lost. */
PetscErrorCode VitBlockSvqb(const VitSpectrumProblem *prob, const char *who, PetscInt q, PetscReal G[], PetscReal drop, PetscInt *lost);
/* Remove the translations t_c(i) = sqrt(m_i) e_c from every column. */
PetscErrorCode VitBlockDeflateTranslations(const VitSpectrumProblem *prob, const VitBlock *B, PetscReal x[]);
/* Column k := a Rademacher vector seeded by global atom id (the same on any rank count). */
void VitBlockRandomColumn(const VitSpectrumProblem *prob, const VitBlock *B, PetscInt64 seed, PetscInt k, PetscReal x[]);
/* Relative residuals ||H x_k - theta_k x_k|| / max(|theta_k|, 1e-6 Tr(H)/(dN)) of the m Ritz pairs
   (x, hx = H x, theta ascending). The floor: an eigenvalue within 1e-6 of the mean of zero is a zero
   mode (the negative count's threshold); relative to itself its residual would have to fall below
   round-off (-3e-8 among eigenvalues up to 10 in a buckled carbon sheet: 1e-8 of it is 3e-16,
   under the 7e-15 the products reach), and no solver would converge. */
PetscErrorCode VitBlockResiduals(const VitSpectrumProblem *prob, const VitBlock *B, const PetscReal x[], const PetscReal hx[], const PetscReal theta[], PetscReal residual[]);
/* The lowest nev Ritz values and the rest of the nev-th's multiplet (to VIT_MULTIPLET_RTOL relative), of m. */
PetscInt VitBlockWanted(PetscInt nev, PetscInt m, const PetscReal theta[]);
/* The first k columns of x (stride B->m) as VitModes (vectors in H's layout). */
PetscErrorCode VitBlockStoreModes(const VitSpectrumProblem *prob, const VitBlock *B, PetscInt k, const PetscReal theta[], const PetscReal residual[], const PetscReal x[], VitModes *modes);
#endif
