/* The distributed sparse Hessian (module src/hessian/). Block rows are atoms in dom->row order
   (block size = dimension); the dynamical matrix is M^-1/2 H M^-1/2 when mass weighted. */
#ifndef VITRUM_HESSIAN_H
#define VITRUM_HESSIAN_H

#include <vitrum/potential.h>
#include <vitrum/units.h>

/* type: MATBAIJ (default), MATSBAIJ or MATSHELL (pair potentials: applies H without storing it).
   An assembled type stops with an error where it needs more than -hessian_max_memory of a node's
   available memory. */
PetscErrorCode VitHessianCreate(VitPotential pot, VitDomain *dom, const VitSample *sample, MatType type, PetscBool mass_weighted, Mat *H);
/* dH/deps at eps = 0 of the affine strain x -> (I + eps S) x (rows and columns of S beyond the
   dimension are zero), assembled as a BAIJ matrix like H (block rows dom->row, mass weighted when
   asked): pot->hessian_strain's derivative along the branch the sample sits on (potential.h); an
   error for potentials without one. */
PetscErrorCode VitHessianStrainDerivative(VitPotential pot, VitDomain *dom, const VitSample *sample, const PetscReal S[3][3], PetscBool mass_weighted, Mat *dH);
/* -hessian_max_memory (share of a node's available memory, default 0.9), read and checked; the
   commands that assemble a Hessian call it with their options too, so that -help lists it. */
PetscErrorCode VitHessianMemoryOption(MPI_Comm comm, PetscReal *fraction);

/* What hessian, spectrum and response start from: read -sample, decompose, create the potential
   (-potential ...) and the Hessian (-hessian_type, -mass_weighted). */
typedef struct {
  VitSample    sample;
  VitDomain    dom;
  VitPotential pot;
  Mat          H;
  PetscBool    mass_weighted;
  VitUnits     units;       /* -units, default from the potential (docs/units.md) */
  const char  *mass_source; /* where the masses came from (a static string) */
  PetscReal    max_force; /* largest |F_i| of the sample: not at a minimum when above -hessian_ftol */
  PetscReal    energy;    /* potential energy of the sample as given (exact sum over atoms; energy unit of -units) */
} VitSystem;
PetscErrorCode VitSystemSetUpFromOptions(MPI_Comm comm, VitSystem *sys);
PetscErrorCode VitSystemSetUp(MPI_Comm comm, const char sample_path[], VitSystem *sys); /* sample given by path */
PetscErrorCode VitSystemDestroy(VitSystem *sys);

/* Added by pair. Bytes held by a MATSHELL Hessian (summed over ranks). */
PetscErrorCode VitHessianShellMemory(Mat H, PetscLogDouble *bytes);
/* The assembled Hessian with rows and columns permuted to global atom id order (rows in contiguous
   blocks of ids per rank), as a MATMPIAIJ: the same matrix for any rank count. */
PetscErrorCode VitHessianToIdOrder(const VitDomain *dom, Mat H, Mat *Hid);
/* Tr(H) from its diagonal, and Tr(H^2) = ||H||_F^2 of an assembled H (-1 for a shell), both
   bitwise the same on any number of ranks. */
PetscErrorCode VitHessianExactTrace(Vec diag, PetscReal *tr);
PetscErrorCode VitHessianExactTraceSquare(Mat H, PetscReal *tr2);

#endif
