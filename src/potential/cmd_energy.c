/* vitrum energy: total and per-atom energy, forces, virial and pressure of a sample.

     vitrum energy -sample glass.data -potential ka3d [-o glass.energy.h5]

   At zero temperature the pressure is the virial part only: P = (W_xx + W_yy [+ W_zz]) / (d V),
   with W_ab = sum over pairs r_a f_b (as LAMMPS, whose thermo `press` equals it for zero velocities). */
#include <vitrum/commands.h>
#include <vitrum/potential.h>
#include <vitrum/h5io.h>
#include <vitrum/units.h>

typedef struct {
  PetscReal *energy, *force; /* per owned atom: 1 and 3 values */
  PetscReal  virial[6], total, fmax, pressure;
} EnergyResult;

static PetscErrorCode EnergyCompute(VitPotential pot, VitDomain *dom, const VitSample *sample, EnergyResult *res)
{
  PetscReal trace = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(dom->nowned, &res->energy, 3 * dom->nowned, &res->force));
  PetscCall(VitPotentialEvaluate(pot, dom, res->energy, res->force, res->virial, &res->total, &res->fmax));
  for (PetscInt a = 0; a < dom->dim; a++) trace += res->virial[a];
  res->pressure = trace / (dom->dim * VitSampleVolume(sample));
  PetscFunctionReturn(0);
}

/* A per-atom array of bs values (owned atoms) as an (N, bs) dataset in global id order. */
static PetscErrorCode WritePerAtom(VitH5 *h5, const VitDomain *dom, const char name[], PetscInt bs, const PetscReal *data, const char units[])
{
  Vec v;

  PetscFunctionBeginUser;
  PetscCall(VitDomainToGlobalOrder(dom, bs, data, &v));
  PetscCall(VitH5WriteVec(h5, name, v, units));
  PetscCall(VecDestroy(&v));
  PetscFunctionReturn(0);
}

/* The units attributes name the units of the sample's style (metal: "eV", "eV/A", "eV/A^3"), as
   the other commands' files do. */
static PetscErrorCode EnergyWrite(MPI_Comm comm, const VitDomain *dom, const EnergyResult *res, const VitUnits *u, const char path[])
{
  VitH5      h5;
  PetscReal *f;
  hsize_t    six = 6;
  char       pressure[64];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(pressure, sizeof(pressure), "%s/%s^%" PetscInt_FMT, u->energy, u->length, dom->dim));
  PetscCall(PetscLogEventBegin(vit_log.write, 0, 0, 0, 0));
  PetscCall(PetscMalloc1(dom->dim * dom->nowned, &f)); /* d components per atom */
  for (PetscInt i = 0; i < dom->nowned; i++)
    for (PetscInt a = 0; a < dom->dim; a++) f[dom->dim * i + a] = res->force[3 * i + a];
  PetscCall(VitH5Create(comm, path, &h5));
  PetscCall(VitH5WriteScalar(&h5, "/energy/total", res->total, u->energy));
  PetscCall(WritePerAtom(&h5, dom, "/energy/per_atom", 1, res->energy, u->energy));
  PetscCall(WritePerAtom(&h5, dom, "/forces", dom->dim, f, u->force));
  PetscCall(VitH5WriteReal(&h5, "/energy/virial", 1, &six, res->virial, u->energy));
  PetscCall(VitH5WriteScalar(&h5, "/energy/pressure", res->pressure, pressure));
  PetscCall(VitH5WriteScalar(&h5, "/energy/max_force", res->fmax, u->force));
  PetscCall(VitH5Close(&h5));
  PetscCall(PetscFree(f));
  PetscCall(PetscLogEventEnd(vit_log.write, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* The pressure as the summary prints it: in the units of /energy/pressure (energy/length^d) and, for a
   3D sample in metal or real units, also in the unit LAMMPS prints (bar, atm; its force->nktv2p
   factors, src/update.cpp), so that it reads against LAMMPS's thermo output. */
static PetscErrorCode PressureWords(const VitUnits *u, PetscInt dim, PetscReal pressure, char buf[], size_t size)
{
  const PetscReal nktv2p[] = {1, 1.6021765e6, 68568.415}; /* lj, metal, real */
  const char     *lammps[] = {"", "bar", "atm"};

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(buf, size, "%.10e %s/%s^%" PetscInt_FMT, (double)pressure, u->energy, u->length, dim));
  if (dim == 3 && u->style != VIT_UNITS_LJ) {
    char lmp[64];
    PetscCall(PetscSNPrintf(lmp, sizeof(lmp), " = %.10e %s (LAMMPS %s units)", (double)(pressure * nktv2p[u->style]), lammps[u->style], u->name));
    PetscCall(PetscStrlcat(buf, lmp, size));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitCmdEnergy(void)
{
  MPI_Comm     comm = PETSC_COMM_WORLD;
  char         out[PETSC_MAX_PATH_LEN] = "";
  VitSample    sample;
  VitPotential pot;
  VitDomain    dom;
  EnergyResult res;
  VitUnits     units;
  char         pressure[192];

  PetscFunctionBeginUser;
  PetscOptionsBegin(comm, NULL, "vitrum energy: output", "vitrum");
  PetscCall(VitOptionsString("-o", "output HDF5 file with /energy and /forces (default: the sample's file name without its extension + .energy.h5, in the current folder)", NULL, out, out, sizeof(out), NULL));
  PetscOptionsEnd();
  PetscCall(VitSampleReadFromOptions(comm, &sample));
  PetscCall(VitPotentialCreateFromOptions(comm, VitHelpRequested() ? NULL : &sample, &pot));
  if (VitHelpRequested()) { /* the domain's options and -units */
    PetscCall(VitDomainOptionsHelp(comm));
    PetscCall(VitUnitsFromOptions(comm, NULL, "lj", &units));
    PetscFunctionReturn(0);
  }
  PetscCall(VitUnitsCheckForPotential(comm, pot, &sample, &units)); /* the refusals of hessian, minimize, spectrum */
  if (!out[0]) PetscCall(VitOutputPath(sample.source, ".energy.h5", out, sizeof(out)));
  PetscCall(VitOutputCheck(comm, "-o", out, 0, NULL));
  PetscCall(VitPotentialSetUpDomain(comm, pot, &sample, 0, &dom));
  PetscCall(EnergyCompute(pot, &dom, &sample, &res));
  PetscCall(EnergyWrite(comm, &dom, &res, &units, out)); /* before the summary: a reader of stdout that stops early (| head) keeps the file */
  PetscCall(PressureWords(&units, dom.dim, res.pressure, pressure, sizeof(pressure)));
  PetscCall(PetscPrintf(comm, "energy: %" PetscInt_FMT " atoms, -potential %s\n  total %.15e %s  per atom %.15e %s\n  max force %.6e %s  pressure %s\n", sample.natoms, pot->name, (double)res.total, units.energy, (double)(res.total / sample.natoms), units.energy, (double)res.fmax, units.force, pressure));
  PetscCall(PetscPrintf(comm, "  virial (xx yy zz xy xz yz, %s) %.10e %.10e %.10e %.10e %.10e %.10e\n", units.energy, (double)res.virial[0], (double)res.virial[1], (double)res.virial[2], (double)res.virial[3], (double)res.virial[4], (double)res.virial[5]));
  PetscCall(PetscPrintf(comm, "  wrote %s\n", out));
  PetscCall(PetscFree2(res.energy, res.force));
  PetscCall(VitDomainDestroy(&dom));
  PetscCall(VitPotentialDestroy(&pot));
  PetscCall(VitSampleDestroy(&sample));
  PetscFunctionReturn(0);
}
