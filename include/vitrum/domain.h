/* Spatial domain decomposition with ghost atoms and cell lists (module src/domain/).

   The periodic box is cut in fractional coordinates into a Cartesian grid of ranks
   (MPI_Dims_create, 2D or 3D). Each rank owns the atoms whose fractional position lies in
   its cell of the grid. Ghost atoms are periodic images of atoms (owned here or elsewhere)
   within a Cartesian distance `ghost_width` of the subdomain; subdomains thinner than the
   width are handled by passing ghosts on over several hops.

   Atom arrays hold owned atoms first, [0, nowned), then ghosts, [nowned, nowned+nghost).
   Every atom keeps its wrapped fractional position s (as read) plus an integer periodic
   image n, so its unwrapped position is s + n. Displacements between two atoms are computed
   from these as cell^T ((s_j - s_i) + (n_j - n_i)), which gives bitwise the same number for a
   pair whatever the rank count (results independent of the decomposition). */
#ifndef VITRUM_DOMAIN_H
#define VITRUM_DOMAIN_H

#include <vitrum/sample.h>
#include <petscsf.h>

typedef struct {
  MPI_Comm  comm;
  PetscInt  dim;
  PetscReal lo[3], cell[3][3];  /* copied from the sample */
  PetscReal width[3];           /* perpendicular widths of the box */
  int       grid[3], coord[3];  /* process grid and this rank's place in it */
  int       neighbor[3][2];     /* ranks below/above in each direction */
  PetscReal slo[3], shi[3];     /* owned fractional interval per direction */
  PetscReal ghost_width;        /* Cartesian ghost width used in the last set-up */

  PetscInt   nowned, nghost, capacity;
  PetscInt  *gid;   /* global id */
  PetscInt  *fid;   /* id in the sample file */
  PetscInt  *type;  /* species */
  PetscReal *s;     /* wrapped fractional position, 3 per atom */
  PetscInt  *image; /* periodic image, 3 per atom (0 for owned atoms) */
  PetscReal *x;     /* unwrapped Cartesian position lo + cell^T (s + n), 3 per atom */
  PetscInt  *row;   /* PETSc global index of the atom's owner copy (row block in Mats/Vecs) */
  PetscInt   row_start;   /* first PETSc index owned here: owned atom i has row row_start + i */
  PetscInt   natoms;      /* global */
  PetscSF    ghost_sf;    /* roots: owned atoms, leaves: ghosts (for per-atom data exchange) */
} VitDomain;

/* Compressed neighbour list: for atom i < nlist, neighbours j = nbr[offset[i] .. offset[i+1]-1]
   (local indices, owned or ghost) with |x_j - x_i| < cutoff, j != i. Full lists: every pair
   appears from both sides when both atoms are listed. */
typedef struct {
  PetscInt  nlist;   /* atoms with a list: nowned, or nowned+nghost if ghosts were included */
  PetscReal cutoff;
  PetscInt *offset;  /* nlist + 1 */
  PetscInt *nbr;
} VitNeighborList;

/* Distribute the sample's atoms over comm by position and build ghosts out to ghost_width.
   Errors if ghost_width >= half the smallest perpendicular width when require_half is true. */
PetscErrorCode VitDomainSetUp(MPI_Comm comm, const VitSample *sample, PetscReal ghost_width, VitDomain *dom);
PetscErrorCode VitDomainDestroy(VitDomain *dom);
/* -help of the commands that decompose a sample: lists -domain_grid and -domain_view. */
PetscErrorCode VitDomainOptionsHelp(MPI_Comm comm);

/* After the owned positions dom->s changed (e.g. a minimisation step), refresh the ghosts' s and
   every x. Between two VitDomainSetUp calls owned s must NOT be wrapped (it may leave [0,1)
   slightly): ghosts keep their periodic image, so wrapping would move them by a box length.
   Rebuild (VitDomainSetUp from the moved sample) before atoms move more than the ghost skin. */
PetscErrorCode VitDomainUpdateGhosts(VitDomain *dom);

/* Per-atom data exchange, bs values per atom: owners -> ghosts (copy). */
PetscErrorCode VitDomainGhostBcast(VitDomain *dom, MPI_Datatype type, PetscInt bs, void *data);

/* Displacement d = x_j - x_i (see the note at the top), its length returned. Inline: the pair loops
   of the potentials and the Hessian spend a tenth of their time here. */
static inline PetscReal VitDomainDisplacement(const VitDomain *dom, PetscInt i, PetscInt j, PetscReal d[3])
{
  PetscReal ds[3];

  for (int k = 0; k < 3; k++) ds[k] = (dom->s[3 * j + k] - dom->s[3 * i + k]) + (PetscReal)(dom->image[3 * j + k] - dom->image[3 * i + k]);
  for (int c = 0; c < 3; c++) d[c] = ds[0] * dom->cell[0][c] + ds[1] * dom->cell[1][c] + ds[2] * dom->cell[2][c];
  return PetscSqrtReal(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
}

/* Call fn(i, j, d = x_j - x_i, r, ctx) for every ordered pair with r < cutoff, i listed (owned atoms, and
   ghosts too if include_ghosts), j any atom: the loop of neighbour lists without storing them. */
typedef PetscErrorCode (*VitPairFunction)(PetscInt i, PetscInt j, const PetscReal d[3], PetscReal r, void *ctx);
PetscErrorCode VitDomainForEachPair(const VitDomain *dom, PetscReal cutoff, PetscBool include_ghosts, VitPairFunction fn, void *ctx);
/* Half the work for symmetric sums: owned i with owned j > i (each pair of owned atoms once) or with
   any ghost j (the mirror pair is visited on the ghost's owner, as its own owned-ghost pair). */
PetscErrorCode VitDomainForEachPairHalf(const VitDomain *dom, PetscReal cutoff, VitPairFunction fn, void *ctx);

/* Neighbour lists from cell lists. include_ghosts: also list ghosts (complete only for ghosts
   deeper than cutoff inside the ghost shell, as many-body potentials need). */
PetscErrorCode VitNeighborListBuild(const VitDomain *dom, PetscReal cutoff, PetscBool include_ghosts, VitNeighborList *nl);
/* The same for owned atoms with a cutoff per pair of species: j is listed when r < pair_cutoff[type i][type j]
   (cutoff: the largest of them). */
PetscErrorCode VitNeighborListBuildByType(const VitDomain *dom, PetscReal cutoff, const PetscReal pair_cutoff[][VIT_MAX_TYPES], VitNeighborList *nl);
PetscErrorCode VitNeighborListDestroy(VitNeighborList *nl);

/* Gather per-atom owned data (bs values per atom) into a Vec laid out in global id order
   (contiguous blocks of ids per rank), for output in id order. */
PetscErrorCode VitDomainToGlobalOrder(const VitDomain *dom, PetscInt bs, const PetscReal *owned_data, Vec *v);

#endif
