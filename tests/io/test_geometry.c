/* Unit test of the sample geometry helpers: VitWrapUnit at its edge cases, fractional <->
   Cartesian round trips, volume and widths against direct formulas, VitSampleWrapPosition on
   positions at the faces of a triclinic box. */
#include <vitrum/sample.h>

static PetscErrorCode CheckWrap(void)
{
  const PetscReal u[]    = {0.25, -0.25, 1.0, -1.0, 3.5, -1e-20, 1 - 1e-17, 2.0 - PETSC_MACHINE_EPSILON};
  const PetscReal want[] = {0.25, 0.75, 0.0, 0.0, 0.5, 0.0, 0.0, 1.0 - PETSC_MACHINE_EPSILON};

  PetscFunctionBeginUser;
  for (size_t k = 0; k < sizeof(u) / sizeof(u[0]); k++) {
    PetscReal w = VitWrapUnit(u[k]);
    PetscCheck(w >= 0 && w < 1, PETSC_COMM_SELF, PETSC_ERR_PLIB, "VitWrapUnit(%g) = %g is not in [0,1)", (double)u[k], (double)w);
    PetscCheck(w == want[k], PETSC_COMM_SELF, PETSC_ERR_PLIB, "VitWrapUnit(%.17g) = %.17g, expected %.17g", (double)u[k], (double)w, (double)want[k]);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckCell(void)
{
  VitSample s = {0};
  PetscReal frac[3] = {0.3, -0.7, 1.9}, x[3], back[3], width[3], cross;

  PetscFunctionBeginUser;
  s.dim        = 3;
  s.cell[0][0] = 4.0;
  s.cell[1][0] = 1.5, s.cell[1][1] = 5.0;
  s.cell[2][0] = -0.8, s.cell[2][1] = 0.6, s.cell[2][2] = 6.0;
  VitSampleFracToCart(&s, frac, x);
  VitSampleCartToFrac(&s, x, back);
  for (int d = 0; d < 3; d++) PetscCheck(PetscAbsReal(back[d] - frac[d]) < 1e-14, PETSC_COMM_SELF, PETSC_ERR_PLIB, "frac -> cart -> frac differs in %d", d);
  PetscCheck(PetscAbsReal(x[0] - (0.3 * 4.0 - 0.7 * 1.5 - 1.9 * 0.8)) < 1e-14, PETSC_COMM_SELF, PETSC_ERR_PLIB, "x = s0 a + s1 b + s2 c");
  PetscCheck(PetscAbsReal(VitSampleVolume(&s) - 120.0) < 1e-12, PETSC_COMM_SELF, PETSC_ERR_PLIB, "volume");
  VitSampleWidths(&s, width);
  /* width along c = lz; along b = V / |c x a| = V / (lx sqrt(lz^2 + yz^2)) */
  cross = 4.0 * PetscSqrtReal(36.0 + 0.36);
  PetscCheck(PetscAbsReal(width[2] - 6.0) < 1e-12 && PetscAbsReal(width[1] - 120.0 / cross) < 1e-12, PETSC_COMM_SELF, PETSC_ERR_PLIB, "widths %g %g", (double)width[1], (double)width[2]);
  s.dim = 2; /* 2D: area lx ly, widths area/|b|, ly */
  PetscCheck(PetscAbsReal(VitSampleVolume(&s) - 20.0) < 1e-12, PETSC_COMM_SELF, PETSC_ERR_PLIB, "area");
  VitSampleWidths(&s, width);
  PetscCheck(PetscAbsReal(width[0] - 20.0 / PetscSqrtReal(1.5 * 1.5 + 25.0)) < 1e-12 && PetscAbsReal(width[1] - 5.0) < 1e-12, PETSC_COMM_SELF, PETSC_ERR_PLIB, "2D widths");
  PetscFunctionReturn(0);
}

/* Positions on and near the faces of a triclinic box whose origin is not 0 (fractional coordinates
   integers plus 0, +-1e-17, +-1e-16, on every axis), and random ones from -2 to 3 box lengths:
   VitSampleWrapPosition puts each inside (0 <= frac < 1), keeps one that is inside bit for bit, and
   applied again changes nothing (what makes a written sample read back unchanged). Counts the
   positions that lo + wrapped frac times the cell alone would leave outside. */
static PetscErrorCode CheckWrapPosition(void)
{
  const PetscReal off[] = {0, 1e-17, -1e-17, 1e-16, -1e-16};
  VitSample       s     = {0};
  PetscRandom     rnd;
  PetscInt        n = 0, outside = 0;

  PetscFunctionBeginUser;
  s.dim   = 3;
  s.lo[0] = -0.8, s.lo[1] = -1.3, s.lo[2] = -2.1;
  s.cell[0][0] = 9.0;
  s.cell[1][0] = 1.2, s.cell[1][1] = 7.0;
  s.cell[2][0] = -0.8, s.cell[2][1] = 0.5, s.cell[2][2] = 6.0;
  PetscCall(PetscRandomCreate(PETSC_COMM_SELF, &rnd));
  PetscCall(PetscRandomSetInterval(rnd, -2, 3));
  for (PetscInt trial = 0; trial < 20000; trial++) {
    PetscReal f[3], r[3], x[3], x1[3], f1[3], x2[3], f2[3], naive[3];
    for (int k = 0; k < 3; k++) {
      PetscCall(PetscRandomGetValueReal(rnd, &f[k]));
      if (trial % 2) f[k] = PetscFloorReal(f[k]) + off[(trial / 2 + 3 * k) % 5]; /* at a face */
    }
    VitSampleFracToCart(&s, f, r);
    for (int k = 0; k < 3; k++) x[k] = x1[k] = s.lo[k] + r[k];
    VitSampleWrapPosition(&s, x1, f1);
    for (int k = 0; k < 3; k++) {
      PetscCheck(f1[k] >= 0 && f1[k] < 1, PETSC_COMM_SELF, PETSC_ERR_PLIB, "wrapped frac[%d] = %.17g is not in [0,1)", k, (double)f1[k]);
      x2[k] = x1[k];
    }
    VitSampleWrapPosition(&s, x2, f2);
    for (int k = 0; k < 3; k++) PetscCheck(x2[k] == x1[k] && f2[k] == f1[k], PETSC_COMM_SELF, PETSC_ERR_PLIB, "wrapping a wrapped position moved it (axis %d: %.17g -> %.17g)", k, (double)x1[k], (double)x2[k]);
    if (x1[0] == x[0] && x1[1] == x[1] && x1[2] == x[2]) continue; /* kept: it was inside */
    n++;
    for (int k = 0; k < 3; k++) f[k] = VitWrapUnit(f[k]);
    VitSampleFracToCart(&s, f, r);
    for (int k = 0; k < 3; k++) naive[k] = s.lo[k] + r[k] - s.lo[k];
    VitSampleCartToFrac(&s, naive, f);
    outside += !(f[0] >= 0 && f[0] < 1 && f[1] >= 0 && f[1] < 1 && f[2] >= 0 && f[2] < 1);
  }
  PetscCall(PetscRandomDestroy(&rnd));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "wrapped %" PetscInt_FMT " positions; lo + wrapped frac cell alone would have left %" PetscInt_FMT " outside\n", n, outside));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(CheckWrap());
  PetscCall(CheckCell());
  PetscCall(CheckWrapPosition());
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "geometry helpers ok\n"));
  PetscCall(PetscFinalize());
  return 0;
}
