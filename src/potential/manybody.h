/* Machinery shared by the many-body potentials (eam.c, tersoff.c); private to src/potential/.

   A many-body potential is written as a sum of site energies, E = sum_i E_i, where E_i depends
   on atom i and its neighbours m within the cutoff only through the relative vectors
   d_m = x_m - x_i. A site function returns E_i (split over the atoms it belongs to, as LAMMPS
   tallies per-atom energies), g_m = dE_i/dd_m and optionally G_mm' = d^2E_i/dd_m dd_m'. The
   drivers below turn these into per-atom energies, forces, the virial and Hessian blocks:
     dE_i/dx_m = g_m,  dE_i/dx_i = -sum_m g_m,
     H_mm' += G_mm',  H_im' += -sum_m G_mm',  H_mi += -sum_m' G_mm',  H_ii += sum_mm' G_mm',
     W_ab  -= sum_m d_m,a g_m,b  (virial of site i, given to atom i; W = sum over atoms x_a f_b).
   The ghost shell is two cutoffs wide, so every site within a cutoff of an owned atom has its
   complete neighbourhood here: each rank adds the contributions of those sites to its own
   atoms and rows only, visiting sites in global id order (with neighbours in global id order),
   so energies, forces and the Hessian do not depend on the number of ranks and no ghost data
   is sent back to owners. */
#ifndef VITRUM_MANYBODY_H
#define VITRUM_MANYBODY_H

#include <vitrum/potential.h>

/* Site i with n neighbours nbr[m] (local indices), d (3n) and r (n): fill e (n+1: the share of E_i
   given to i, then to each neighbour), g (3n) and, when G is not NULL, G (3n x 3n, row-major):
   at least the rows of the neighbours m with need[m] (all rows when need is NULL), exactly
   symmetric (G_pq and G_qp equal bit for bit; see VitManyBodySymmetrize). */
typedef PetscErrorCode (*VitSiteFunction)(VitPotential pot, const VitDomain *dom, PetscInt i, PetscInt n, const PetscInt nbr[], const PetscReal d[], const PetscReal r[], PetscReal e[], PetscReal g[], PetscReal G[], const PetscBool need[]);

/* G <- (G + G^T)/2 for site functions whose G is symmetric only up to rounding. */
void VitManyBodySymmetrize(PetscInt n, PetscReal G[]);

PetscErrorCode VitManyBodyCompute(VitPotential pot, VitDomain *dom, VitSiteFunction site, PetscReal *energy, PetscReal *force, PetscReal *virial);
/* lists: the cutoff's lists of the owned and ghost atoms sorted by id (VitHessian's), or NULL: built here. */
PetscErrorCode VitManyBodyHessian(VitPotential pot, VitDomain *dom, VitSiteFunction site, const VitNeighborList *lists, const PetscReal w[], Mat H);

/* Error unless the sample suits a many-body potential (3D). */
PetscErrorCode VitManyBodyCheckSample(MPI_Comm comm, const VitSample *sample, const char potential[]);

/* Element of each sample type from -potential_elements ("Cu,Zr": one name per type, in type
   order), as an index into names[0..nnames-1] read from the potential file. */
PetscErrorCode VitManyBodyMapElements(MPI_Comm comm, const VitSample *sample, const char elements[], const char file[], PetscInt nnames, const char names[][VIT_NAME_LEN], PetscInt map[]);
/* Split "Cu,Zr" (commas or blanks) into names; errors name the option when the count differs from ntypes. */
PetscErrorCode VitManyBodySplitElements(MPI_Comm comm, const char elements[], PetscInt ntypes, char names[][VIT_NAME_LEN]);

/* Gradient (6: d/du then d/dv) and, when hess is not NULL, Hessian (6 x 6, row-major) of a
   function F(r1, r2, c) of two bond vectors u (length r1) and v (length r2), c = u.v/(r1 r2) the
   cosine of their angle, from Fs = dF/ds and Fss = d^2F/ds ds' with s = (r1, r2, c), by the chain
   rule: Hess = sum_ss' Fss J_s J_s'^T + sum_s Fs Hess(s). Used by tersoff.c and sw.c. */
void VitManyBodyAngularTerm(const PetscReal u[3], PetscReal r1, const PetscReal v[3], PetscReal r2, const PetscReal Fs[3], const PetscReal Fss[3][3], PetscReal grad[6], PetscReal hess[36]);
/* G += d2 u u^T + d1/r (I - u u^T) in block (m, m) of the 3n x 3n site Hessian G: the Hessian of a
   function of r_m = |d| with derivatives d1, d2. */
void VitManyBodyAddRadial(PetscInt n, PetscReal G[], PetscInt m, const PetscReal d[3], PetscReal r, PetscReal d1, PetscReal d2);
/* G += h (6 x 6 over the bond vectors of neighbours j, k) in blocks (j,j), (j,k), (k,j), (k,k). */
void VitManyBodyAddPairBlocks(PetscInt n, PetscReal G[], PetscInt j, PetscInt k, PetscReal scale, const PetscReal h[36]);

/* Parameter files of three-body potentials (LAMMPS .tersoff, .sw, ...): entries of 3 element
   names and nnum numbers, which may span lines ('#' starts a comment). Rank 0 reads the entries
   whose three elements are all among element[0..ne-1] into values[(a ne + b) ne + c][0..nnum-1]
   and the line where each starts into line[]; errors (file:line, a missing or repeated triplet)
   go to errmsg. `what` names the potential in messages ("Tersoff"). */
PetscErrorCode VitTripletFileReadRank0(const char path[], const char what[], PetscInt nnum, PetscInt ne, const char element[][VIT_NAME_LEN], PetscReal values[], PetscInt line[], char errmsg[], size_t len);
/* Element index of `name` among element[0..ne-1], or -1. */
PetscInt VitElementIndex(PetscInt ne, const char element[][VIT_NAME_LEN], const char name[]);

/* The pair style a potential file is written for, from its content (rank 0): "eam" (DYNAMO
   funcfl), "eam/alloy" (setfl), "eam/fs", "sw", "tersoff", "tersoff/mod", "tersoff/zbl or
   tersoff/mod/c" (18 numbers per entry), or "" when not recognised (or not readable). */
void VitPotentialFileStyleRank0(const char path[], char style[], size_t len);
/* EAM part of the above (eam.c): "eam", "eam/alloy", "eam/fs" or "". */
void VitEAMFileStyleRank0(const char path[], char style[], size_t len);

/* Rank-0 line reader for potential files that keeps the line number for error messages. */
typedef struct {
  FILE       *fp;
  const char *path;
  PetscInt    line;    /* number of the line last read (1-based) */
  char        buf[4096];
} VitLineReader;
/* Next line into r->buf (text after '#' removed when strip_comments); false at the end of the file. */
PetscBool VitLineReaderNext(VitLineReader *r, PetscBool strip_comments);
/* Parse s as a number; false when it is not one entirely. */
PetscBool VitParseReal(const char s[], PetscReal *v);

#endif
