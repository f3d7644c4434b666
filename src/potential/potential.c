/* Potential selection from options, and helpers shared by all potentials
   (neighbour order, distance check, evaluation with totals). See docs/potentials.md. */
#include <vitrum/potential.h>

/* -potential lj|ka2d|ka3d|eam|eam/fs|tersoff: LJ-family names are presets of lj.c. */
static PetscBool IsPairPreset(const char name[])
{
  PetscBool lj, ka2, ka3;

  PetscStrcmp(name, "lj", &lj);
  PetscStrcmp(name, "ka2d", &ka2);
  PetscStrcmp(name, "ka3d", &ka3);
  return lj || ka2 || ka3;
}

PetscErrorCode VitPotentialCreateFromOptions(MPI_Comm comm, const VitSample *sample, VitPotential *pot)
{
  char      name[64] = "", file[PETSC_MAX_PATH_LEN] = "", elements[256] = "";
  PetscReal min_distance = -1;
  PetscBool set, eam, eamfs, tersoff;

  PetscFunctionBeginUser;
  *pot = NULL;
  PetscOptionsBegin(comm, NULL, "Interatomic potential", "vitrum");
  PetscCall(PetscOptionsString("-potential", "lj, ka2d, ka3d (Kob-Andersen presets of lj), eam, eam/fs or tersoff", NULL, name, name, sizeof(name), &set));
  PetscCall(PetscOptionsString("-potential_file", "potential file for eam (setfl), eam/fs and tersoff", NULL, file, file, sizeof(file), NULL));
  PetscCall(PetscOptionsString("-potential_elements", "element of each atom type in type order for -potential_file, e.g. Cu,Zr", NULL, elements, elements, sizeof(elements), NULL));
  PetscCall(PetscOptionsReal("-potential_min_distance", "atoms closer than this are an input error (default: set by the potential)", NULL, min_distance, &min_distance, NULL));
  PetscOptionsEnd();
  if (VitHelpRequested()) { /* also list the options of the pair potentials */
    PetscCall(VitPotentialCreateLJ(comm, NULL, set ? name : "lj", pot));
    PetscFunctionReturn(0);
  }
  PetscCheck(set, comm, PETSC_ERR_USER_INPUT, "option -potential is required (lj, ka2d, ka3d, eam, eam/fs or tersoff)");
  PetscCall(PetscStrcmp(name, "eam", &eam));
  PetscCall(PetscStrcmp(name, "eam/fs", &eamfs));
  PetscCall(PetscStrcmp(name, "tersoff", &tersoff));
  if (IsPairPreset(name)) PetscCall(VitPotentialCreateLJ(comm, sample, name, pot));
  else if (eam || eamfs || tersoff) {
    PetscCheck(file[0], comm, PETSC_ERR_USER_INPUT, "-potential %s needs -potential_file FILE", name);
    PetscCheck(elements[0], comm, PETSC_ERR_USER_INPUT, "-potential %s needs -potential_elements (element of each of the sample's %" PetscInt_FMT " atom types, e.g. Cu,Zr)", name, sample->ntypes);
    if (tersoff) PetscCall(VitPotentialCreateTersoff(comm, sample, file, elements, pot));
    else PetscCall(VitPotentialCreateEAM(comm, sample, file, eamfs, elements, pot));
  } else SETERRQ(comm, PETSC_ERR_USER_INPUT, "-potential %s: unknown potential (use lj, ka2d, ka3d, eam, eam/fs or tersoff)", name);
  if (min_distance >= 0) (*pot)->min_distance = min_distance;
  PetscFunctionReturn(0);
}

PetscErrorCode VitPotentialDestroy(VitPotential *pot)
{
  PetscFunctionBeginUser;
  if (!*pot) PetscFunctionReturn(0);
  if ((*pot)->destroy) PetscCall((*pot)->destroy(*pot));
  PetscCall(PetscFree(*pot));
  PetscFunctionReturn(0);
}

PetscErrorCode VitNeighborListSortById(const VitDomain *dom, VitNeighborList *nl)
{
  PetscInt *key, nmax = 0;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < nl->nlist; i++) nmax = PetscMax(nmax, nl->offset[i + 1] - nl->offset[i]);
  PetscCall(PetscMalloc1(nmax, &key));
  for (PetscInt i = 0; i < nl->nlist; i++) {
    PetscInt  n = nl->offset[i + 1] - nl->offset[i];
    PetscInt *nbr = nl->nbr + nl->offset[i];

    for (PetscInt k = 0; k < n; k++) key[k] = dom->gid[nbr[k]];
    PetscCall(PetscSortIntWithArray(n, key, nbr));
  }
  PetscCall(PetscFree(key));
  PetscFunctionReturn(0);
}

PetscErrorCode VitPotentialCheckDistances(VitPotential pot, VitDomain *dom)
{
  VitNeighborList nl;
  struct {
    double r;
    int    rank;
  } local = {PETSC_MAX_REAL, 0}, global;
  PetscInt    pair[2] = {-1, -1};
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  if (pot->min_distance <= 0) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Comm_rank(dom->comm, &rank));
  local.rank = rank;
  PetscCall(VitNeighborListBuild(dom, pot->min_distance, PETSC_FALSE, &nl));
  for (PetscInt i = 0; i < nl.nlist; i++) {
    for (PetscInt k = nl.offset[i]; k < nl.offset[i + 1]; k++) {
      PetscReal d[3], r = VitDomainDisplacement(dom, i, nl.nbr[k], d);

      if (r < local.r) {
        local.r = r;
        pair[0] = dom->fid[i];
        pair[1] = dom->fid[nl.nbr[k]];
      }
    }
  }
  PetscCall(VitNeighborListDestroy(&nl));
  PetscCallMPI(MPI_Allreduce(&local, &global, 1, MPI_DOUBLE_INT, MPI_MINLOC, dom->comm));
  if (global.r >= pot->min_distance) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Bcast(pair, 2, MPIU_INT, global.rank, dom->comm));
  SETERRQ(dom->comm, PETSC_ERR_USER_INPUT, "atoms with ids %" PetscInt_FMT " and %" PetscInt_FMT " are %g apart, closer than -potential_min_distance %g: overlapping atoms or wrong units", PetscMin(pair[0], pair[1]), PetscMax(pair[0], pair[1]), (double)global.r, (double)pot->min_distance);
}

static PetscLogEvent vit_ev_compute;

PetscErrorCode VitPotentialEvaluate(VitPotential pot, VitDomain *dom, PetscReal *energy, PetscReal *force, PetscReal virial[6], PetscReal *etotal, PetscReal *fmax)
{
  PetscReal *e = energy, *f = force, local[2] = {0, 0}, global[2];

  PetscFunctionBeginUser;
  if (!energy) PetscCall(PetscMalloc1(dom->nowned, &e));
  if (!force) PetscCall(PetscMalloc1(3 * dom->nowned, &f));
  if (!vit_ev_compute) PetscCall(PetscLogEventRegister("VitPotCompute", vit_log.classid, &vit_ev_compute));
  PetscCall(PetscLogEventBegin(vit_ev_compute, 0, 0, 0, 0));
  PetscCall(pot->compute(pot, dom, e, f, virial));
  PetscCall(PetscLogEventEnd(vit_ev_compute, 0, 0, 0, 0));
  for (PetscInt i = 0; i < dom->nowned; i++) {
    local[0] += e[i];
    local[1] = PetscMax(local[1], f[3 * i] * f[3 * i] + f[3 * i + 1] * f[3 * i + 1] + f[3 * i + 2] * f[3 * i + 2]);
  }
  PetscCallMPI(MPI_Allreduce(&local[0], &global[0], 1, MPIU_REAL, MPIU_SUM, dom->comm));
  PetscCallMPI(MPI_Allreduce(&local[1], &global[1], 1, MPIU_REAL, MPIU_MAX, dom->comm));
  if (etotal) *etotal = global[0];
  if (fmax) *fmax = PetscSqrtReal(global[1]);
  if (!energy) PetscCall(PetscFree(e));
  if (!force) PetscCall(PetscFree(f));
  PetscFunctionReturn(0);
}

PetscErrorCode VitPotentialSetUpDomain(MPI_Comm comm, VitPotential pot, const VitSample *sample, PetscReal skin, VitDomain *dom)
{
  PetscReal width[3];

  PetscFunctionBeginUser;
  VitSampleWidths(sample, width);
  for (PetscInt k = 0; k < sample->dim; k++)
    PetscCheck(pot->cutoff + skin < 0.5 * width[k], comm, PETSC_ERR_USER_INPUT, "%s: box width %g along %c is too small for -potential %s: the cutoff %g%s must be below half the width; use a larger sample", sample->source, (double)width[k], (char)('x' + k), pot->name, (double)pot->cutoff, skin > 0 ? " plus the minimisation skin (-minimize_skin)" : "");
  PetscCall(VitDomainSetUp(comm, sample, pot->ghost_width + skin, dom));
  PetscCall(VitPotentialCheckDistances(pot, dom));
  PetscFunctionReturn(0);
}
