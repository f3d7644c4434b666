/* Static structure factor from g(r) (see structure.h):
   3D: S(q) = 1 + 4 pi rho int r^2 (g(r) - 1) sin(qr)/(qr) dr
   2D: S(q) = 1 + 2 pi rho int r (g(r) - 1) J0(qr) dr
   midpoint rule on the RDF bins; rho = N / V. Partials in the Faber-Ziman form use the same
   transform of g_ab; a partial with no pair to count (no atom of a or of b, or a = b with one atom)
   is 0, as its g_ab is, not the transform of g - 1 = -1. The finite rmax truncates the integral
   (ripples of period 2 pi / rmax). */
#include <vitrum/structure.h>
#include <math.h>

static PetscReal TransformKernel(PetscInt dim, PetscReal q, PetscReal r)
{
  if (dim == 2) return 2.0 * PETSC_PI * r * j0(q * r);
  return q > 0 ? 4.0 * PETSC_PI * r * PetscSinReal(q * r) / q : 4.0 * PETSC_PI * r * r;
}

static PetscReal Transform(const VitRdf *rdf, const PetscReal *g, PetscReal rho, PetscReal q)
{
  PetscReal sum = 0;
  for (PetscInt k = 0; k < rdf->nbins; k++) sum += TransformKernel(rdf->dim, q, rdf->r[k]) * (g[k] - 1.0);
  return 1.0 + rho * sum * rdf->dr;
}

PetscErrorCode VitSqFromRdf(const VitRdf *rdf, PetscReal qmax, PetscInt nq, VitSq *sq)
{
  PetscReal rho;
  PetscInt  natoms = 0;

  PetscFunctionBeginUser;
  for (PetscInt a = 0; a < rdf->ntypes; a++) natoms += rdf->type_count[a];
  rho        = natoms / rdf->volume;
  sq->nq     = nq;
  sq->npairs = rdf->npairs;
  PetscCall(PetscMalloc3(nq, &sq->q, nq, &sq->S, nq * rdf->npairs, &sq->S_partial));
  for (PetscInt iq = 0; iq < nq; iq++) {
    PetscReal q = qmax * (iq + 1) / nq;
    sq->q[iq]   = q;
    sq->S[iq]   = Transform(rdf, rdf->g_total, rho, q);
    for (PetscInt a = 0; a < rdf->ntypes; a++)
      for (PetscInt b = a; b < rdf->ntypes; b++) {
        PetscInt p                 = VitPairIndex(rdf->ntypes, a, b);
        sq->S_partial[p * nq + iq] = VitRdfIdealPairs(rdf, a, b) > 0 ? Transform(rdf, &rdf->g[p * rdf->nbins], rho, q) : 0.0;
      }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitSqWrite(VitH5 *h5, const VitSq *sq)
{
  hsize_t dims[2] = {(hsize_t)sq->npairs, (hsize_t)sq->nq};

  PetscFunctionBeginUser;
  PetscCall(VitH5WriteReal(h5, "/structure/sq/q", 1, &dims[1], sq->q, "1/length"));
  PetscCall(VitH5WriteReal(h5, "/structure/sq/S", 1, &dims[1], sq->S, "1"));
  PetscCall(VitH5WriteReal(h5, "/structure/sq/S_partial", 2, dims, sq->S_partial, "1"));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSqDestroy(VitSq *sq)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree3(sq->q, sq->S, sq->S_partial));
  PetscFunctionReturn(0);
}
