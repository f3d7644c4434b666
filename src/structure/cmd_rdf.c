/* vitrum rdf: partial radial distribution functions (and optionally S(q)) of one sample.

     vitrum rdf -sample glass.data -rdf_rmax 5 -rdf_dr 0.005 [-sq -sq_qmax 20] -o glass.rdf.h5

   Without -rdf_rmax/-rdf_dr the grid scales with the sample (VitRdfDefaultGrid): 5 and 0.005 times
   the power of two nearest the mean spacing, i.e. 5 and 0.005 sigma for Lennard-Jones samples. */
#include <vitrum/commands.h>
#include <vitrum/structure.h>

typedef struct {
  PetscReal      rmax, dr, qmax;
  PetscInt       nq;
  PetscBool      sq, rmax_set, dr_set; /* not given: the sample's default grid */
  VitRdfGeometry geometry;
} RdfOptions;

static PetscErrorCode RdfOptionsRead(MPI_Comm comm, RdfOptions *o)
{
  PetscFunctionBeginUser;
  o->rmax = 5.0;
  o->dr   = 0.005;
  o->sq   = PETSC_FALSE;
  o->qmax = 20.0;
  o->nq   = 400;
  o->geometry = VIT_RDF_AUTO;
  PetscOptionsBegin(comm, NULL, "Radial distribution function options (vitrum rdf)", NULL);
  PetscCall(PetscOptionsReal("-rdf_rmax", "Largest distance r (at most half the shortest periodic width); default 5 L, L = the power of two nearest the mean spacing (1 for LJ samples, 2 A for metallic glasses), capped at half the width", NULL, o->rmax, &o->rmax, &o->rmax_set));
  PetscCall(PetscOptionsReal("-rdf_dr", "Bin width: small, the first peak carries the physics; default 0.005 L (0.005 for LJ samples, 0.01 A for metallic glasses)", NULL, o->dr, &o->dr, &o->dr_set));
  PetscCall(PetscOptionsEnum("-rdf_geometry", "auto (a sheet when a vacuum layer along z is wider than rmax and more than 3 times wider than every other empty layer and the in-plane spacing (A/N)^(1/2), and none lies across x or y; a periodic stack of layers such as graphite, a wire, a cluster or a slab normal to x or y is bulk), bulk (volume density, 4 pi r^2 shells) or sheet (area density, 2 pi r shells; 3D samples with vacuum along z alone). A 2D sample is normalised by its area (auto, bulk)", NULL, VitRdfGeometries, (PetscEnum)o->geometry, (PetscEnum *)&o->geometry, NULL));
  PetscCall(PetscOptionsBool("-sq", "Also compute S(q) from g(r)", NULL, o->sq, &o->sq, NULL));
  PetscCall(PetscOptionsReal("-sq_qmax", "Largest wave number q for S(q), in inverse length units of the sample (1/sigma, 1/Angstrom); above pi/dr, where the sampled g(r) stops resolving it, S(q) is aliased: a warning", NULL, o->qmax, &o->qmax, NULL));
  PetscCall(PetscOptionsInt("-sq_nq", "Number of q points (q = qmax k / nq, k = 1..nq)", NULL, o->nq, &o->nq, NULL));
  PetscOptionsEnd();
  if (!o->sq) PetscFunctionReturn(0);
  PetscCall(VitCheckPositiveReal(comm, "-sq_qmax", o->qmax, PETSC_FALSE, "the largest wave number, an inverse length"));
  /* at most 10^6 q points: S_partial then takes at most 136 pairs x 8 MB */
  PetscCheck(o->nq > 0 && o->nq <= 1000000, comm, PETSC_ERR_ARG_OUTOFRANGE, "-sq_nq must be between 1 and 1000000, got %" PetscInt_FMT, o->nq);
  PetscFunctionReturn(0);
}

/* The grid: the options given, for the others the ensemble's grid (VitRdfEnsembleGrid, in
   features) or else the sample's defaults (VitRdfDefaultGrid). */
static PetscErrorCode RdfGridOfSample(MPI_Comm comm, const VitSample *sample, const RdfOptions *o, VitRdfGrid *grid)
{
  PetscBool ensemble;

  PetscFunctionBeginUser;
  VitRdfEnsembleGridGet(grid, &ensemble);
  if (!ensemble) PetscCall(VitRdfDefaultGrid(comm, sample, grid));
  if (o->rmax_set) grid->rmax = o->rmax;
  if (o->dr_set) grid->dr = o->dr;
  PetscFunctionReturn(0);
}

/* What the sample file declares, as features compares it across an ensemble for the samples it
   does not read again (their outputs cached): its unit style (VIT_RDF_UNITS_DECLARED), masses and
   Pair Coeffs (VIT_RDF_DECLARED_MASS, VIT_RDF_DECLARED_PAIR_COEFFS). */
static PetscErrorCode WriteDeclared(VitH5 *h5, const VitSample *sample)
{
  PetscReal mass[VIT_MAX_TYPES];
  hsize_t   nt = (hsize_t)sample->ntypes;

  PetscFunctionBeginUser;
  PetscCall(VitH5WriteAttrString(h5, "/structure/rdf/r", VIT_RDF_UNITS_DECLARED, sample->units[0] ? sample->units : "none"));
  for (PetscInt t = 0; t < sample->ntypes; t++) mass[t] = sample->has_masses && sample->type_mass[t] > 0 ? sample->type_mass[t] : (PetscReal)NAN;
  PetscCall(VitH5WriteReal(h5, VIT_RDF_DECLARED_MASS, 1, &nt, mass, "mass"));
  PetscCall(VitPairCoeffsWriteH5(h5, VIT_RDF_DECLARED_PAIR_COEFFS, sample));
  PetscFunctionReturn(0);
}

static PetscErrorCode RdfOfSample(MPI_Comm comm, VitSample *sample, const RdfOptions *o, const char out_path[], VitRdfGrid *grid)
{
  VitDomain dom;
  VitRdf    rdf;
  VitH5     h5;
  PetscReal rmax, dr;
  PetscInt  nbins;

  PetscFunctionBeginUser;
  PetscCall(RdfGridOfSample(comm, sample, o, grid));
  rmax = grid->rmax;
  dr   = grid->dr;
  PetscCall(VitRdfCheckGrid(comm, sample, rmax, dr, &nbins)); /* before the domain allocates ghosts for rmax */
  grid->rmax = nbins * dr; /* the last whole bin ends here */
  PetscCall(PetscLogStagePush(vit_log.stage_structure));
  PetscCall(VitDomainSetUp(comm, sample, rmax, &dom));
  PetscCall(VitRdfCompute(&dom, sample, rmax, dr, o->geometry, &rdf));
  PetscCall(VitH5Create(comm, out_path, &h5));
  PetscCall(VitRdfWrite(&h5, &rdf));
  PetscCall(WriteDeclared(&h5, sample));
  if (o->sq) {
    VitSq sq;
    PetscCall(VitSqFromRdf(&rdf, o->qmax, o->nq, &sq));
    PetscCall(VitSqWrite(&h5, &sq));
    PetscCall(VitSqDestroy(&sq));
  }
  PetscCall(VitH5Close(&h5));
  PetscCall(VitRdfDestroy(&rdf));
  PetscCall(VitDomainDestroy(&dom));
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(0);
}

PetscErrorCode VitRdfRunSample(MPI_Comm comm, const char sample_path[], const char out_path[])
{
  RdfOptions o;
  VitSample  sample;
  VitRdfGrid grid;

  PetscFunctionBeginUser;
  PetscCall(RdfOptionsRead(comm, &o));
  PetscCall(VitSampleReadPath(comm, sample_path, &sample));
  PetscCall(RdfOfSample(comm, &sample, &o, out_path, &grid));
  PetscCall(VitSampleDestroy(&sample));
  PetscFunctionReturn(0);
}

PetscErrorCode VitRdfOptionsHelp(MPI_Comm comm)
{
  RdfOptions o;

  PetscFunctionBeginUser;
  PetscCall(RdfOptionsRead(comm, &o));
  PetscFunctionReturn(0);
}

PetscErrorCode VitCmdRdf(void)
{
  MPI_Comm   comm = PETSC_COMM_WORLD;
  RdfOptions o;
  VitSample  sample;
  VitRdfGrid grid;
  char       out[PETSC_MAX_PATH_LEN] = "", given[VIT_REAL_STRING_LEN];

  PetscFunctionBeginUser;
  PetscCall(RdfOptionsRead(comm, &o));
  PetscOptionsBegin(comm, NULL, "Output", NULL);
  PetscCall(VitOptionsString("-o", "Output HDF5 file (default: the sample's file name without its extension + .rdf.h5, in the current folder)", NULL, out, out, sizeof(out), NULL));
  PetscOptionsEnd();
  PetscCall(VitSampleReadFromOptions(comm, &sample));
  if (VitHelpRequested()) {
    PetscCall(VitDomainOptionsHelp(comm));
    PetscFunctionReturn(0);
  }
  if (!out[0]) PetscCall(VitOutputPath(sample.source, ".rdf.h5", out, sizeof(out)));
  PetscCall(VitOutputCheck(comm, "-o", out, 0, NULL));
  PetscCall(RdfOfSample(comm, &sample, &o, out, &grid));
  /* S(q) from g(r) sampled every dr: above the Nyquist wave number pi/dr the transform only aliases */
  if (o.sq && o.qmax > PETSC_PI / grid.dr) PetscCall(PetscPrintf(comm, "rdf: warning: -sq_qmax %.6g is above pi/dr = %.6g: S(q) beyond it is aliased, not resolved by bins of %.6g (give a smaller -rdf_dr or -sq_qmax)\n", (double)o.qmax, (double)(PETSC_PI / grid.dr), (double)grid.dr));
  if (o.rmax_set && grid.rmax < o.rmax * (1 - 1e-9)) PetscCall(PetscPrintf(comm, "rdf: note: -rdf_rmax %s is not a whole number of bins of %.6g: g(r) ends with the last whole bin, at r = %.6g\n", VitRealString(o.rmax, given), (double)grid.dr, (double)grid.rmax));
  if (grid.unit != 1 && !(o.rmax_set && o.dr_set)) PetscCall(PetscPrintf(comm, "rdf: note: default grid 5 and 0.005 x %.6g, the power of two nearest the mean spacing %.4g (-rdf_rmax, -rdf_dr to choose)\n", (double)grid.unit, (double)grid.spacing));
  PetscCall(PetscPrintf(comm, "rdf: %" PetscInt_FMT " atoms, %" PetscInt_FMT " species, r < %.6g in bins of %.6g: wrote %s\n", sample.natoms, sample.ntypes, (double)grid.rmax, (double)grid.dr, out));
  PetscCall(VitSampleDestroy(&sample));
  PetscFunctionReturn(0);
}
