static const char help[] = "Forces from a skin list (minimize's Verlet list) against an exact list, bit for bit.\n"
                           "Builds the skin list of a sample (-sample, -potential) with skin -skin, moves every owned\n"
                           "atom by a random displacement shorter than skin/2 (-move, a fraction of that bound), and\n"
                           "evaluates energies, forces and virials with the exact list of the moved atoms and with the\n"
                           "skin list lent (pot->skin_list); exits with 1 unless they are the same bits and the skin\n"
                           "list holds pairs beyond the cutoff (so that its filter is exercised).\n";

#include <vitrum/potential.h>
#include <vitrum/units.h>

/* Every owned atom moved by a random vector of length below move x skin / 2 (a Cartesian
   displacement turned fractional; the stream is seeded by the atom's id, so it is the same on any
   number of ranks), then the ghosts refreshed. */
static PetscErrorCode MoveAtoms(const VitSample *sample, VitDomain *dom, PetscReal skin, PetscReal move)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < dom->nowned; i++) {
    PetscReal d[3] = {0, 0, 0}, ds[3], norm = 0;
    PetscRandom rnd;

    PetscCall(PetscRandomCreate(PETSC_COMM_SELF, &rnd));
    PetscCall(PetscRandomSetSeed(rnd, (unsigned long)(dom->fid[i] + 1)));
    PetscCall(PetscRandomSeed(rnd));
    for (PetscInt k = 0; k < dom->dim; k++) {
      PetscCall(PetscRandomGetValueReal(rnd, &d[k]));
      d[k] -= 0.5;
      norm += d[k] * d[k];
    }
    PetscCall(PetscRandomDestroy(&rnd));
    norm = PetscSqrtReal(norm);
    for (PetscInt k = 0; k < dom->dim; k++) d[k] *= norm > 0 ? move * 0.5 * skin / norm : 0;
    VitSampleCartToFrac(sample, d, ds);
    for (PetscInt k = 0; k < dom->dim; k++) dom->s[3 * i + k] += ds[k];
  }
  PetscCall(VitDomainUpdateGhosts(dom));
  PetscFunctionReturn(0);
}

/* Listed pairs at or beyond the cutoff (summed over the ranks). */
static PetscErrorCode CountBeyond(MPI_Comm comm, const VitDomain *dom, const VitNeighborList *nl, PetscReal cutoff, PetscInt *beyond)
{
  PetscFunctionBeginUser;
  *beyond = 0;
  for (PetscInt i = 0; i < nl->nlist; i++)
    for (PetscInt k = nl->offset[i]; k < nl->offset[i + 1]; k++) {
      PetscReal d[3];
      *beyond += VitDomainDisplacement(dom, i, nl->nbr[k], d) >= cutoff;
    }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, beyond, 1, MPIU_INT, MPI_SUM, comm));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  MPI_Comm        comm;
  VitSample       sample;
  VitPotential    pot;
  VitDomain       dom;
  VitNeighborList skin_list;
  PetscReal       skin = 0.3, move = 0.99, virial[2][6], total[2], *energy[2], *force[2];
  PetscInt        beyond;
  PetscBool       same;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(VitInitialize());
  comm = PETSC_COMM_WORLD;
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-skin", &skin, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-move", &move, NULL));
  PetscCall(VitSampleReadFromOptions(comm, &sample));
  PetscCall(VitPotentialCreateFromOptions(comm, &sample, &pot));
  PetscCall(VitPotentialSetUpDomain(comm, pot, &sample, skin, &dom));
  PetscCall(VitPotentialSkinList(pot, &dom, skin, &skin_list));
  PetscCall(MoveAtoms(&sample, &dom, skin, move));
  for (int k = 0; k < 2; k++) {
    PetscCall(PetscMalloc2(dom.nowned + 1, &energy[k], 3 * dom.nowned + 1, &force[k]));
    pot->skin_list = k ? &skin_list : NULL; /* 0: an exact list of the moved atoms, built inside */
    PetscCall(VitPotentialEvaluate(pot, &dom, energy[k], force[k], virial[k], &total[k], NULL));
    pot->skin_list = NULL;
  }
  PetscCall(CountBeyond(comm, &dom, &skin_list, pot->cutoff, &beyond));
  same = (PetscBool)(!memcmp(energy[0], energy[1], sizeof(PetscReal) * dom.nowned) && !memcmp(force[0], force[1], sizeof(PetscReal) * 3 * dom.nowned) && !memcmp(virial[0], virial[1], sizeof(virial[0])) && total[0] == total[1]);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &same, 1, MPIU_BOOL, MPI_LAND, comm));
  PetscCall(PetscPrintf(comm, "%s energies, forces and virials with the skin list (skin %g, atoms moved up to %g x skin/2) %s those of the exact list; total energy %.17g\n", same ? "ok  " : "FAIL", (double)skin, (double)move, same ? "are the bits of" : "differ from", (double)total[1]));
  PetscCall(PetscPrintf(comm, "%s %" PetscInt_FMT " listed pairs beyond the cutoff %g (skipped by compute)\n", beyond > 0 ? "ok  " : "FAIL", beyond, (double)pot->cutoff));
  for (int k = 0; k < 2; k++) PetscCall(PetscFree2(energy[k], force[k]));
  PetscCall(VitNeighborListDestroy(&skin_list));
  PetscCall(VitDomainDestroy(&dom));
  PetscCall(VitPotentialDestroy(&pot));
  PetscCall(VitSampleDestroy(&sample));
  PetscCall(PetscFinalize());
  return same && beyond > 0 ? 0 : 1;
}
