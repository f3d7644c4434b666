/* Interatomic potentials (module src/potential/): energy, forces and Hessian blocks.

   A potential works on a VitDomain whose ghost shell is at least pot->ghost_width wide.
   Species are the sample's types in order (type t of the sample is species t of the potential,
   named by -potential_elements for EAM/Tersoff files). */
#ifndef VITRUM_POTENTIAL_H
#define VITRUM_POTENTIAL_H

#include <vitrum/domain.h>
#include <petscmat.h>

typedef enum { VIT_POTENTIAL_PAIR, VIT_POTENTIAL_EAM, VIT_POTENTIAL_TERSOFF, VIT_POTENTIAL_SW } VitPotentialKind;

typedef struct _p_VitPotential *VitPotential;

/* One mass-weighted Hessian value v w_i w_j (w = 1/sqrt(m)), rounded the same for block (i, j) and
   block (j, i): the smaller weight multiplies first, so the weighted Hessian is exactly symmetric
   whatever the masses (and SBAIJ's upper triangle is BAIJ's bit for bit on any number of ranks).
   Where one weight is 1 or both are equal (masses 1 and 2: KA, the stored KPM reference) this is
   (v w_i) w_j, the order of PETSc's MatDiagonalScale, bit for bit. */
static inline PetscReal VitMassWeight(PetscReal v, PetscReal wi, PetscReal wj)
{
  return wi < wj ? (v * wi) * wj : (v * wj) * wi;
}
struct _p_VitPotential {
  VitPotentialKind kind;
  char      name[64];      /* "lj", "ka3d", "eam", ... for messages and /meta */
  PetscInt  ntypes;        /* species, in the sample's type order */
  PetscReal cutoff;        /* largest interaction distance */
  PetscReal ghost_width;   /* ghost shell needed for energy, forces and Hessian rows of owned atoms */
  PetscReal hessian_range; /* largest distance between two atoms coupled by a non-zero Hessian block */
  PetscReal min_distance;  /* atoms closer than this are an input error (0: no check); added by pair */
  PetscReal type_mass[VIT_MAX_TYPES]; /* mass of each type given by the potential file (0: none) */
  /* The options (without '-', comma separated) that hold the potential's parameters, each a
     number or a list of numbers that `response -response_param` may perturb; NULL where the
     parameters are in the potential's file (many-body potentials). */
  const char *params;
  char      lj_units_defaults[96];    /* the parameter options (e.g. "-lj_epsilon, -lj_sigma") that took vitrum's defaults, which are lj-unit values: an error in metal or real units; "" when all were given */
  /* Pair potentials: from this distance on, phi, phi' and phi'' of species a, b are all zero (0 for a
     pair that never interacts), so neighbour lists by type (VitNeighborListBuildByType) hold exactly
     the pairs with non-zero terms and Hessian blocks. */
  PetscReal pair_cutoff[VIT_MAX_TYPES][VIT_MAX_TYPES];
  /* Pair potentials: a list of VitPotentialPairList for the domain's current positions, lent by a
     caller that evaluates forces and the Hessian of the same positions (VitSystem), so that both use
     one neighbour pass; NULL otherwise (each builds its own). The lender resets it. */
  const VitNeighborList *pair_list;
  /* Every potential's compute takes a skin list: the neighbours of the owned atoms within the
     cutoff plus a skin (VitPotentialSkinList), lent by a caller that evaluates forces
     many times between decompositions (minimize: the list holds every pair within the cutoff
     while no atom has moved more than half the skin), as LAMMPS's Verlet lists; NULL otherwise.
     compute skips the listed pairs beyond its cutoff, so its results are bitwise those of an
     exact list. The lender resets it. */
  const VitNeighborList *skin_list;
  void     *data;

  /* Energy per owned atom (may be NULL), forces on owned atoms (3 per atom, may be NULL) and the
     virial per owned atom (6 per atom, may be NULL), whose sum is W_ab = sum over pairs r_a f_b
     (Voigt order xx yy zz xy xz yz). Each atom's values are bitwise the same on any number of
     ranks; VitPotentialEvaluate sums them exactly. */
  PetscErrorCode (*compute)(VitPotential, VitDomain *, PetscReal *energy, PetscReal *force, PetscReal *virial);
  /* Add the Hessian blocks d^2E/dx_i dx_j to H, whose block rows are the atoms' dom->row indices
     (block size 3 in 3D, 2 in 2D), each value v of block (i, j) as VitMassWeight(v, w[i], w[j])
     (mass weighted: w = 1/sqrt(m) of the owned and ghost atoms; not weighted when w is NULL). Values for rows owned
     by other ranks may be added; VitHessian assembles. nl: for pair potentials, the full neighbour
     list of the pair cutoffs (VitNeighborListBuildByType) sorted by id (VitNeighborListSortById),
     which VitHessian has already used to preallocate (one neighbour pass); for many-body potentials
     the lists of their cutoff of the owned and ghost atoms, sorted by id, which it has counted from;
     or NULL: the potential builds its own. */
  PetscErrorCode (*hessian)(VitPotential, VitDomain *, const VitNeighborList *nl, const PetscReal w[], Mat H);
  /* Optional (NULL where not implemented): add dH/deps at eps = 0 for the affine strain
     x -> (I + eps S) x, as hessian adds H (the same lists, weights and pattern). It is the analytic
     derivative of the formulas the sample's own distances use: the pairs within the cutoff and, for
     tabulated functions, the spline cell of each distance, as they are at eps = 0. H itself jumps
     where a distance crosses the cutoff (a shifted LJ phi'' is not 0 there) or a knot of a spline
     (its phi'' is piecewise linear), and a finite difference of H across such a jump would be
     dominated by it. */
  PetscErrorCode (*hessian_strain)(VitPotential, VitDomain *, const VitNeighborList *nl, const PetscReal S[3][3], const PetscReal w[], Mat dH);
  /* Pair potentials only (else NULL): phi(r), phi'(r), phi''(r) for species a, b. */
  PetscErrorCode (*pair)(VitPotential, PetscInt a, PetscInt b, PetscReal r, PetscReal *phi, PetscReal *dphi, PetscReal *d2phi);
  PetscErrorCode (*destroy)(VitPotential);
};

/* -potential lj|ka2d|ka3d|eam|eam/fs|tersoff with -potential_file, -potential_elements, ...
   (see docs/potentials.md). The sample gives the number of species and the dimension. */
PetscErrorCode VitPotentialCreateFromOptions(MPI_Comm comm, const VitSample *sample, VitPotential *pot);
/* The same for a variant of a potential already created from the same sample with other option
   values (response's perturbed parameters): the notes and warnings on where the parameters come
   from, which the first creation said, are not repeated. */
PetscErrorCode VitPotentialCreateVariantFromOptions(MPI_Comm comm, const VitSample *sample, VitPotential *pot);
PetscErrorCode VitPotentialDestroy(VitPotential *pot);

/* Constructors, one per family (called by VitPotentialCreateFromOptions). */
/* quiet: no notes or warnings on where the parameters come from (a variant, above). */
PetscErrorCode VitPotentialCreateLJ(MPI_Comm comm, const VitSample *sample, const char preset[], PetscBool quiet, VitPotential *pot);
/* style: "eam" (funcfl files: file is one file, or one per atom type, comma separated; elements
   unused), "eam/alloy" (setfl) or "eam/fs". */
PetscErrorCode VitPotentialCreateEAM(MPI_Comm comm, const VitSample *sample, const char style[], const char file[], const char elements[], VitPotential *pot);
/* style: "tersoff" or "tersoff/mod". */
PetscErrorCode VitPotentialCreateTersoff(MPI_Comm comm, const VitSample *sample, const char style[], const char file[], const char elements[], VitPotential *pot);
PetscErrorCode VitPotentialCreateSW(MPI_Comm comm, const VitSample *sample, const char file[], const char elements[], VitPotential *pot);

/* Added by pair (src/potential/potential.c). */
/* Sort each atom's neighbours by global id, so sums over neighbours are bitwise the same for any
   rank count (no two images of one atom are neighbours while the cutoff is below half the box). */
PetscErrorCode VitNeighborListSortById(const VitDomain *dom, VitNeighborList *nl);
/* Pair potentials: the full list of the owned atoms' neighbours within their pair cutoffs
   (pot->pair_cutoff), each sorted by id: what their forces and Hessian rows sum over. */
PetscErrorCode VitPotentialPairList(VitPotential pot, const VitDomain *dom, VitNeighborList *nl);
/* Many-body potentials: the neighbours within pot->cutoff of the owned and the ghost atoms, each
   sorted by id: the sites and neighbours their Hessian rows sum over. */
PetscErrorCode VitPotentialSiteList(VitPotential pot, const VitDomain *dom, VitNeighborList *nl);
/* The owned atoms' neighbours within the cutoff plus skin (pair potentials: within each pair cutoff
   plus skin; Tersoff and SW: the ghosts' neighbours too), each sorted by id: a list for
   pot->skin_list (the domain's ghosts must reach pot->ghost_width + skin). */
PetscErrorCode VitPotentialSkinList(VitPotential pot, const VitDomain *dom, PetscReal skin, VitNeighborList *nl);
/* Check that the cutoff (plus skin) is below half the box widths, decompose the sample with ghosts
   out to pot->ghost_width + skin, and check distances. */
PetscErrorCode VitPotentialSetUpDomain(MPI_Comm comm, VitPotential pot, const VitSample *sample, PetscReal skin, VitDomain *dom);
/* Energy, forces and the total virial (virial[6], may be NULL) with the totals: *etotal (sum over
   atoms), *fmax (largest |F_i|). energy/force may be NULL (then allocated internally). The total
   energy and the virial are exact sums of the per-atom terms (VitExactSumReals): bitwise the same
   on any number of ranks. */
PetscErrorCode VitPotentialEvaluate(VitPotential pot, VitDomain *dom, PetscReal *energy, PetscReal *force, PetscReal virial[6], PetscReal *etotal, PetscReal *fmax);

/* Whether a -potential style name is a pair potential (lj/cut, lj, ka2d, ka3d). */
PetscBool VitPotentialStyleIsPair(const char name[]);

#endif
