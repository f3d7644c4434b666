/* Structure profiles (module src/structure/): partial radial distribution functions and S(q). */
#ifndef VITRUM_STRUCTURE_H
#define VITRUM_STRUCTURE_H

#include <vitrum/domain.h>
#include <vitrum/h5io.h>

/* Partial RDFs on bins [k dr, (k+1) dr), k < nbins, for the npairs = ntypes(ntypes+1)/2 species
   pairs a <= b (order 0-0, 0-1, ..., 0-(n-1), 1-1, ...). Normalised so that g -> 1 for an ideal gas:
   g_ab(r) = C_ab(r) V / (N_a (N_b - delta_ab) (2 - delta_ab) shell(r)), C_ab the number of ordered
   pairs (i in a, j in b, or i in b, j in a for a != b) at distance in the bin; shell = pi (r2^2 - r1^2) in 2D,
   4/3 pi (r2^3 - r1^3) in 3D. Pair counts are 64-bit integers summed with MPI, so g is bitwise the same
   for any number of ranks. Results are held on every rank.
   A sheet (a 3D sample with one vacuum layer along z wider than rmax and none across x or y,
   VitVacuumIsSheet) is normalised
   as a 2D sample: V = area |a x b|, shell = pi (r2^2 - r1^2); then dim = 2 and sheet = true. */
typedef enum { VIT_RDF_AUTO, VIT_RDF_BULK, VIT_RDF_SHEET } VitRdfGeometry;
extern const char *const VitRdfGeometries[];

typedef struct {
  PetscInt   dim, ntypes, npairs, nbins; /* dim: of the normalisation (2 for a sheet) */
  PetscBool  sheet;
  PetscReal  dr, rmax, volume;           /* volume: area when dim = 2 */
  PetscReal  gap;                        /* widest empty layer along z (3D samples; lower bound) */
  PetscInt   type_count[VIT_MAX_TYPES];
  char       pair_name[VIT_MAX_TYPES * (VIT_MAX_TYPES + 1) / 2][2 * VIT_NAME_LEN + 2]; /* "A-B" */
  PetscReal *r;       /* bin centres, nbins */
  PetscReal *g;       /* partial g, npairs x nbins (row = pair) */
  PetscReal *g_total; /* total g over all species, nbins */
  int64_t   *count;   /* ordered pair counts, npairs x nbins */
} VitRdf;

PetscInt       VitPairIndex(PetscInt ntypes, PetscInt a, PetscInt b); /* index of pair (min, max) */
/* Ordered pairs an ideal gas of the rdf's type counts has in species pair (a, b),
   N_a (N_b - delta_ab) (2 - delta_ab): 0 where the partial has no pair to count (N_a = 0 or
   N_b = 0, or a = b with N_a = 1), where g_ab and S_ab are 0 by convention. */
PetscReal      VitRdfIdealPairs(const VitRdf *rdf, PetscInt a, PetscInt b);
/* Check -rdf_rmax and -rdf_dr against the sample (rmax at most half the shortest periodic width)
   and against memory (at most VIT_RDF_MAX_BINS bins and half the node's memory), before any
   allocation; nbins: the number of bins. Collective on comm. */
#define VIT_RDF_MAX_BINS 10000000
PetscErrorCode VitRdfCheckGrid(MPI_Comm comm, const VitSample *sample, PetscReal rmax, PetscReal dr, PetscInt *nbins);
PetscErrorCode VitRdfCompute(VitDomain *dom, const VitSample *sample, PetscReal rmax, PetscReal dr, VitRdfGeometry geometry, VitRdf *rdf);
/* The empty layers of a 3D sample across each direction (z: perpendicular to a and b), within
   1/1000 of the width (VitSampleGaps; lower bounds; all 0 for 2D samples), and the mean spacing
   (A_k/N)^(1/2) in the plane of the two other cell vectors (A_k = V / width_k; for z, |a x b|). A
   sheet (a monolayer, a few layers, a film) has one vacuum layer along z much wider than any other
   empty layer and none along x or y; a periodic stack of layers (graphite, h-BN, bulk MoS2, a
   layered glass) has gaps that recur, or with one layer per cell a gap of the order of the spacing
   between atoms; a wire has vacuum across two directions, a cluster across all three. */
typedef struct {
  PetscReal gap[3];     /* the widest empty layer across x, y, z: gap[2] is a sheet's vacuum */
  PetscReal next[3];    /* the second widest */
  PetscReal spacing[3]; /* mean spacing in the plane normal to x, y, z */
} VitVacuum;
PetscErrorCode VitSampleVacuum(MPI_Comm comm, const VitSample *sample, VitVacuum *v); /* collective */
/* Vacuum across direction k for pairs or interactions of range reach (rmax, a cutoff): no pair
   across it (gap > reach), and wider than VIT_SHEET_RATIO times both the other empty layers across k
   and the spacing in the plane normal to k, which a periodic stack's gaps are not. A sheet: vacuum
   across z alone (docs/structure.md#sheets); a wire, a cluster or a slab normal to x or y, with
   vacuum across x or y, is no sheet. */
#define VIT_SHEET_RATIO 3
PetscBool VitVacuumAcross(const VitVacuum *v, PetscInt k, PetscReal reach);
PetscBool VitVacuumIsSheet(const VitVacuum *v, PetscReal reach);
/* Mean interatomic spacing a = (V/N)^(1/d), or (A/N)^(1/2) for a sheet (VitVacuumIsSheet with
   reach): the length that sample-scaled defaults are multiples of. Collective. */
PetscErrorCode VitSampleMeanSpacing(MPI_Comm comm, const VitSample *sample, PetscReal reach, PetscReal *a);
/* Default g(r) grid of a sample (docs/structure.md): rmax = 5 L and dr = 0.005 L with L = 2^round(log2 a),
   the power of two nearest the mean spacing a (of a sheet: VitVacuumIsSheet with reach 5 L):
   L = 1 for Lennard-Jones samples at usual densities (today's 5 and 0.005), 2 A for metallic glasses,
   Si, SiC and carbon (10 A and 0.01 A). rmax is capped at half the shortest periodic width. Collective. */
typedef struct {
  PetscReal spacing, unit; /* a and L */
  PetscReal rmax, dr;
  PetscBool capped;        /* rmax is half the shortest periodic width (5 L is more) */
} VitRdfGrid;
PetscErrorCode VitRdfDefaultGrid(MPI_Comm comm, const VitSample *sample, VitRdfGrid *grid);
/* One grid for an ensemble (features, pipeline): the grid of the first sample's rdf output when it
   can be read (first_cached) and fits the boxes of the n samples whose g(r) is to be computed,
   else the first sample's default grid with rmax at most 95% of half the shortest periodic width
   of those samples (a whole number of bins); it replaces the per-sample defaults of
   -rdf_rmax/-rdf_dr not given, for every later VitRdfRunSample of this run. The options database
   is not changed (so cache keys are not either). A note on stdout. Collective; reads the boxes of
   the n samples (samples with fresh cached outputs are not read). */
PetscErrorCode VitRdfEnsembleGrid(MPI_Comm comm, const char first_sample[], const char first_cached[], PetscInt n, char *const computed[]);
/* The ensemble grid fixed by VitRdfEnsembleGrid (*set false when none). */
void VitRdfEnsembleGridGet(VitRdfGrid *grid, PetscBool *set);
PetscErrorCode VitRdfWrite(VitH5 *h5, const VitRdf *rdf);   /* /structure/rdf/{r,g,g_total,pairs,counts} */
/* Attribute of /structure/rdf/r: the unit style the sample file declares ("none": no declaration),
   which features compares across an ensemble for the samples it does not read again. */
#define VIT_RDF_UNITS_DECLARED "units_declared"
/* What else the sample file declares, recorded in its rdf output for the same purpose (the
   masses and Pair Coeffs features compares with a pair -potential): the masses of its types, NaN
   for a type it gives none (always written: its presence marks the record), and its Pair Coeffs
   as read (VitPairCoeffsWriteH5; absent when the file has no such section). */
#define VIT_RDF_DECLARED_MASS        "/structure/rdf/declared/type_mass"
#define VIT_RDF_DECLARED_PAIR_COEFFS "/structure/rdf/declared/pair_coeffs"
PetscErrorCode VitRdfDestroy(VitRdf *rdf);

/* S(q) from g(r) (Faber-Ziman partials and Bhatia-Thornton-free total from g_total):
   3D: S(q) = 1 + 4 pi rho int r^2 (g(r)-1) sin(qr)/(qr) dr;  2D: S(q) = 1 + 2 pi rho int r (g(r)-1) J0(qr) dr.
   A partial with no pair to count (VitRdfIdealPairs 0) is 0 at every q, as its g is. */
typedef struct {
  PetscInt   nq, npairs;
  PetscReal *q;       /* nq */
  PetscReal *S;       /* total, nq */
  PetscReal *S_partial; /* npairs x nq */
} VitSq;
PetscErrorCode VitSqFromRdf(const VitRdf *rdf, PetscReal qmax, PetscInt nq, VitSq *sq); /* qmax > 0, nq > 0: checked when read (vitrum rdf) */
PetscErrorCode VitSqWrite(VitH5 *h5, const VitSq *sq); /* /structure/sq/{q,S,S_partial} */
PetscErrorCode VitSqDestroy(VitSq *sq);

/* Scattering-weighted (Faber-Ziman) totals of the partial profiles, as neutron or X-ray diffraction
   measures them (scattering.c, docs/structure.md): total = sum_{a<=b} (2 - delta_ab) c_a c_b f_a f_b
   P_ab / (sum_a c_a f_a)^2, c_a number fractions, f_a = c + sum_i a_i exp(-b_i (q/(4 pi))^2) (neutron:
   the constant coherent length in fm; X-ray: the Waasmaier-Kirfel form factor, q in 1/A; at q = 0
   for g(r)). */
typedef enum { VIT_RADIATION_NONE, VIT_RADIATION_NEUTRON, VIT_RADIATION_XRAY } VitRadiation;
extern const char *const VitRadiations[];
#define VIT_SCATTERING_NCOEF 11
typedef struct {
  VitRadiation radiation;
  PetscInt     ntypes;
  char         species[VIT_MAX_TYPES][VIT_NAME_LEN];
  PetscReal    coef[VIT_MAX_TYPES][VIT_SCATTERING_NCOEF]; /* a1..a5, c, b1..b5 */
} VitScattering;
/* Factors of the species (element names, from the tables) unless overridden by "A:value,..."
   (constant lengths in fm, or constant X-ray factors in electrons). Collective on comm. */
PetscErrorCode VitScatteringSetUp(MPI_Comm comm, VitRadiation radiation, PetscInt ntypes, char species[][VIT_NAME_LEN], const char overrides[], VitScattering *sc);
/* total[i] from partial (npairs x nx, pair order of VitRdf) with the fractions of counts; q = NULL:
   the q = 0 weights (for g(r)). */
PetscErrorCode VitScatteringTotal(MPI_Comm comm, const VitScattering *sc, const PetscInt counts[], PetscInt nx, const PetscReal q[], const PetscReal partial[], PetscReal total[]);
PetscErrorCode VitScatteringWrite(VitH5 *h5, const char group[], const VitScattering *sc); /* GROUP/{species,form_factor} */
PetscErrorCode VitScatteringRead(VitH5 *h5, const char group[], VitScattering *sc, PetscBool *found);
/* Species names from the pair names of an rdf output ("A-A", "A-B", ...). */
PetscErrorCode VitPairsTypeNames(MPI_Comm comm, PetscInt npairs, char *const pairs[], PetscInt ntypes, char names[][VIT_NAME_LEN]);

/* The rdf command on one sample file, writing out (used by `features` on sub-communicators).
   Options (-rdf_rmax, -rdf_dr, -sq, ...) come from the options database. */
PetscErrorCode VitRdfRunSample(MPI_Comm comm, const char sample_path[], const char out_path[]);
/* -help of the commands that run it (features, pipeline): lists the rdf command's grid and S(q) options. */
PetscErrorCode VitRdfOptionsHelp(MPI_Comm comm);

#endif
