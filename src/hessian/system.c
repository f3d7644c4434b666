/* VitSystem: sample, domain, potential and Hessian, as the hessian, spectrum and response commands
   start from. Options: -hessian_type, -mass_weighted, -hessian_ftol, -hessian_max_memory (see docs/hessian.md). */
#include <vitrum/hessian.h>

typedef struct {
  MatType   type;
  PetscBool mass_weighted;
  PetscReal ftol;
} SystemOptions;

static PetscErrorCode SystemReadOptions(MPI_Comm comm, SystemOptions *o)
{
  char      type[16] = "baij";
  PetscBool baij, sbaij, shell;
  PetscReal memory_share;

  PetscFunctionBeginUser;
  o->mass_weighted = PETSC_TRUE;
  o->ftol          = 1e-5;
  PetscOptionsBegin(comm, NULL, "Hessian (dynamical matrix)", "vitrum");
  PetscCall(VitOptionsString("-hessian_type", "baij (assembled), sbaij (upper triangle only: about 0.6x the memory of baij for the whole spectrum command, 1.05-1.3x its KPM time) or shell (matrix-free, pair potentials)", NULL, type, type, sizeof(type), NULL));
  PetscCall(PetscOptionsBool("-mass_weighted", "dynamical matrix M^-1/2 H M^-1/2 from the sample's masses", NULL, o->mass_weighted, &o->mass_weighted, NULL));
  PetscCall(PetscOptionsReal("-hessian_ftol", "warn that the sample is not relaxed when the largest force exceeds this", NULL, o->ftol, &o->ftol, NULL));
  PetscOptionsEnd();
  PetscCall(PetscStrcmp(type, "baij", &baij));
  PetscCall(PetscStrcmp(type, "sbaij", &sbaij));
  PetscCall(PetscStrcmp(type, "shell", &shell));
  PetscCheck(baij || sbaij || shell, comm, PETSC_ERR_USER_INPUT, "-hessian_type %s: unknown (use baij, sbaij or shell)", type);
  o->type = baij ? MATBAIJ : sbaij ? MATSBAIJ : MATSHELL;
  PetscCall(VitCheckPositiveReal(comm, "-hessian_ftol", o->ftol, PETSC_TRUE, "a force, >= 0"));
  PetscCall(VitHessianMemoryOption(comm, &memory_share)); /* listed and checked here, applied where the Hessian is assembled */
  PetscFunctionReturn(0);
}

/* After the sample is read: potential, domain, energy and force check, Hessian. A pair potential's
   neighbour list is built once for both (lent as pot->pair_list). */
static PetscErrorCode SystemFinishSetUp(MPI_Comm comm, const SystemOptions *o, VitSystem *sys)
{
  PetscReal       virial[6];
  VitNeighborList pair_list;

  PetscFunctionBeginUser;
  sys->mass_weighted = o->mass_weighted;
  PetscCall(VitPotentialCreateFromOptions(comm, &sys->sample, &sys->pot));
  PetscCall(VitUnitsSetUpForPotential(comm, sys->pot, &sys->sample, &sys->units, &sys->mass_source));
  PetscCall(VitPotentialSetUpDomain(comm, sys->pot, &sys->sample, 0, &sys->dom));
  if (sys->pot->pair) {
    PetscCall(VitPotentialPairList(sys->pot, &sys->dom, &pair_list));
    sys->pot->pair_list = &pair_list;
  }
  PetscCall(VitPotentialEvaluate(sys->pot, &sys->dom, NULL, NULL, virial, &sys->energy, &sys->max_force));
  if (sys->max_force > o->ftol)
    PetscCall(PetscPrintf(comm, "vitrum: warning: %s is not relaxed (largest force %.6g > -hessian_ftol %.6g): its Hessian may have negative eigenvalues; relax it with `vitrum minimize` first\n", sys->sample.source, (double)sys->max_force, (double)o->ftol));
  PetscCall(PetscLogStagePush(vit_log.stage_hessian));
  PetscCall(VitHessianCreate(sys->pot, &sys->dom, &sys->sample, o->type, o->mass_weighted, &sys->H));
  PetscCall(PetscLogStagePop());
  if (sys->pot->pair_list) {
    sys->pot->pair_list = NULL;
    PetscCall(VitNeighborListDestroy(&pair_list));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitSystemSetUpFromOptions(MPI_Comm comm, VitSystem *sys)
{
  SystemOptions o;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(sys, sizeof(*sys)));
  PetscCall(SystemReadOptions(comm, &o));
  PetscCall(VitSampleReadFromOptions(comm, &sys->sample));
  if (VitHelpRequested()) { /* list the potential's and the domain's options too */
    PetscCall(VitPotentialCreateFromOptions(comm, NULL, &sys->pot));
    PetscCall(VitDomainOptionsHelp(comm));
    PetscCall(VitUnitsFromOptions(comm, NULL, "lj", &sys->units));
    PetscFunctionReturn(0);
  }
  PetscCall(SystemFinishSetUp(comm, &o, sys));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSystemSetUp(MPI_Comm comm, const char sample_path[], VitSystem *sys)
{
  SystemOptions o;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(sys, sizeof(*sys)));
  PetscCall(SystemReadOptions(comm, &o));
  PetscCall(VitSampleReadPath(comm, sample_path, &sys->sample));
  PetscCall(SystemFinishSetUp(comm, &o, sys));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSystemDestroy(VitSystem *sys)
{
  PetscFunctionBeginUser;
  PetscCall(MatDestroy(&sys->H));
  PetscCall(VitPotentialDestroy(&sys->pot));
  PetscCall(VitDomainDestroy(&sys->dom));
  PetscCall(VitSampleDestroy(&sys->sample));
  PetscFunctionReturn(0);
}
