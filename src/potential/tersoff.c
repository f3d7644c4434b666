/* Tersoff potential from LAMMPS .tersoff files (pair_tersoff.cpp: 14 parameters per element
   triplet, sine cutoff, m = 1 or 3, LAMMPS's asymptotic branches of b_ij) and its tersoff/mod
   variant (pair_tersoff_mod.cpp, Kumagai et al.: 17 parameters, other fc, g(theta) and b_ij; see
   Cutoff, Angle, BondOrderMod), with an analytic Hessian. See docs/manybody.md.

   E = sum_i sum_{j != i} 1/2 fc(r_ij) [ fR(r_ij) + b_ij fA(r_ij) ]
     fR = A exp(-lam1 r), fA = -B exp(-lam2 r), fc = 1/2 (1 - sin(pi/2 (r - R)/D)) for |r - R| < D
     b_ij = (1 + (beta zeta_ij)^n)^(-1/2n),  zeta_ij = sum_{k != i,j} fc(r_ik) g(cos theta_ijk) exp((lam3 (r_ij - r_ik))^m)
     g(c) = gamma (1 + c^2/d^2 - c^2/(d^2 + (h - cos theta)^2))
   Bond ij uses the parameters of the triplet (i,j,j), the term k of zeta_ij those of (i,j,k).
   Site i as a function of the bond vectors d_m (u_m = d_m/r_m), for each bond j:
     V = fc fR (half of it belongs to site i), A_j = 1/2 b(zeta_j) fa(r_j) with fa = fc fA,
     grad A_j = 1/2 [ b fa' u_j + fa b' grad zeta_j ],
     Hess A_j = 1/2 [ b Hess fa + b' (grad fa grad zeta^T + grad zeta grad fa^T) + fa b'' grad zeta grad zeta^T + fa b' Hess zeta ],
   and each zeta term is a function F(r_ij, r_ik, cos theta) whose Hessian follows from the chain rule
   (ZetaTerm). Per-atom energies are tallied as LAMMPS does: fc fR half to each atom of a pair,
   A_j half to i and half to j. */
#include "manybody.h"

#define TERSOFF_NPARAM     14
#define TERSOFF_MOD_NPARAM 17

typedef struct {
  PetscReal powerm, gamma, lam3, c, d, h, powern, beta, lam2, bigb, bigr, bigd, lam1, biga;
  PetscReal powern_del, gc[5]; /* tersoff/mod only: delta of b_ij and c1..c5 of g(theta) */
  PetscReal cut, c1, c2, c3, c4; /* c1..c4: thresholds of the branches of b_ij (mod: c1 and c4) */
  PetscInt  powermint;
  PetscBool mod; /* tersoff/mod (Kumagai et al.): other fc, g and b_ij */
} TersoffParam;

typedef struct {
  PetscInt      nelements;
  char          element[VIT_MAX_TYPES][VIT_NAME_LEN];
  PetscInt      map[VIT_MAX_TYPES]; /* element of each atom type */
  TersoffParam *param;              /* nelements^3, index (a * ne + b) * ne + c */
  PetscInt      capacity;           /* of the per-neighbour scratch below */
  PetscReal    *gz, *hz;            /* grad zeta (3 per neighbour), Hessian of each zeta term (36 per neighbour) */
  PetscBool    *in_zeta;
} Tersoff;

static inline const TersoffParam *Param(const Tersoff *ts, PetscInt ta, PetscInt tb, PetscInt tc)
{
  const PetscInt ne = ts->nelements;
  return &ts->param[(ts->map[ta] * ne + ts->map[tb]) * ne + ts->map[tc]];
}

/* ---------------------------------------------------------------- scalar functions and derivatives */

/* tersoff: fc = 1/2 (1 - sin(a)), a = pi/2 (r - R)/D; tersoff/mod: fc = 1/2 (1 - 9/8 sin(a) - 1/8 sin(3a)). */
static void Cutoff(const TersoffParam *p, PetscReal r, PetscReal *fc, PetscReal *dfc, PetscReal *d2fc)
{
  PetscReal arg = PETSC_PI / 2 * (r - p->bigr) / p->bigd, k = PETSC_PI / 2 / p->bigd;

  if (r < p->bigr - p->bigd) *fc = 1, *dfc = 0, *d2fc = 0;
  else if (r > p->bigr + p->bigd) *fc = 0, *dfc = 0, *d2fc = 0;
  else if (p->mod) {
    *fc   = 0.5 * (1.0 - 1.125 * PetscSinReal(arg) - 0.125 * PetscSinReal(3 * arg));
    *dfc  = -(0.375 * PETSC_PI / 4 / p->bigd) * (3 * PetscCosReal(arg) + PetscCosReal(3 * arg));
    *d2fc = 0.5625 * k * k * (PetscSinReal(arg) + PetscSinReal(3 * arg));
  } else {
    *fc   = 0.5 * (1.0 - PetscSinReal(arg));
    *dfc  = -(PETSC_PI / 4 / p->bigd) * PetscCosReal(arg);
    *d2fc = PETSC_PI * PETSC_PI / (8 * p->bigd * p->bigd) * PetscSinReal(arg);
  }
}

/* fc(r) c exp(-lam r) and its derivatives (repulsive: c = A, lam = lam1; attractive: c = -B, lam = lam2). */
static void ScreenedExp(const TersoffParam *p, PetscReal c, PetscReal lam, PetscReal r, PetscReal *v, PetscReal *dv, PetscReal *d2v)
{
  PetscReal fc, dfc, d2fc, ex = c * PetscExpReal(-lam * r);

  Cutoff(p, r, &fc, &dfc, &d2fc);
  *v   = ex * fc;
  *dv  = ex * (dfc - lam * fc);
  *d2v = ex * (d2fc - 2 * lam * dfc + lam * lam * fc);
}

/* tersoff/mod: b = (1 + t^eta)^(-1/(2 delta)), t = beta zeta (eta is powern), with LAMMPS's
   branches: t^(-eta/(2 delta)) above c1, 1 below c4. With q = t^eta, K = eta/(2 delta),
   A = 1 + 1/(2 delta): b' = -K (1+q)^-A q/zeta, b'' = -K (1+q)^-A q/zeta^2 ((eta - 1) - A eta q/(1+q)). */
static void BondOrderMod(const TersoffParam *p, PetscReal zeta, PetscReal *b, PetscReal *db, PetscReal *d2b)
{
  const PetscReal eta = p->powern, K = 0.5 * eta / p->powern_del, t = p->beta * zeta;

  if (t > p->c1) {
    *b   = PetscPowReal(t, -K);
    *db  = -K * *b / zeta;
    *d2b = K * (K + 1) * *b / (zeta * zeta);
  } else if (t < p->c4) {
    *b = 1.0, *db = 0, *d2b = 0;
  } else {
    const PetscReal q = PetscPowReal(t, eta), A = 1.0 + 1.0 / (2.0 * p->powern_del);

    *b   = PetscPowReal(1.0 + q, -1.0 / (2.0 * p->powern_del));
    *db  = -K * PetscPowReal(1.0 + q, -A) * q / zeta;
    *d2b = -K * PetscPowReal(1.0 + q, -A) * q / (zeta * zeta) * ((eta - 1.0) - A * eta * q / (1.0 + q));
  }
}

/* b(zeta) with LAMMPS's branches (ters_bij, ters_bij_d) for very large or small beta zeta. */
static void BondOrder(const TersoffParam *p, PetscReal zeta, PetscReal *b, PetscReal *db, PetscReal *d2b)
{
  const PetscReal n = p->powern, beta = p->beta, t = beta * zeta;

  if (p->mod) BondOrderMod(p, zeta, b, db, d2b);
  else if (t > p->c1) {
    *b   = 1.0 / PetscSqrtReal(t);
    *db  = beta * -0.5 * PetscPowReal(t, -1.5);
    *d2b = beta * beta * 0.75 * PetscPowReal(t, -2.5);
  } else if (t > p->c2) {
    *b   = (1.0 - PetscPowReal(t, -n) / (2.0 * n)) / PetscSqrtReal(t);
    *db  = beta * (-0.5 * PetscPowReal(t, -1.5) * (1.0 - (1.0 + 1.0 / (2.0 * n)) * PetscPowReal(t, -n)));
    *d2b = beta * beta * (0.75 * PetscPowReal(t, -2.5) - (n + 0.5) * (n + 1.5) / (2.0 * n) * PetscPowReal(t, -n - 2.5));
  } else if (t < p->c4) {
    *b = 1.0, *db = 0, *d2b = 0;
  } else if (t < p->c3) {
    *b   = 1.0 - PetscPowReal(t, n) / (2.0 * n);
    *db  = -0.5 * beta * PetscPowReal(t, n - 1.0);
    *d2b = -0.5 * beta * beta * (n - 1.0) * PetscPowReal(t, n - 2.0);
  } else {
    const PetscReal q = PetscPowReal(t, n), a = 1.0 + 1.0 / (2.0 * n);

    *b   = PetscPowReal(1.0 + q, -1.0 / (2.0 * n));
    *db  = -0.5 * PetscPowReal(1.0 + q, -a) * q / zeta;
    *d2b = -0.5 * PetscPowReal(1.0 + q, -a) * q / (zeta * zeta) * ((n - 1.0) - a * n * q / (1.0 + q));
  }
}

/* g(cos theta) and derivatives: with w = h - cos, D = d^2 + w^2: g' = -2 gamma c^2 w / D^2,
   g'' = 2 gamma c^2 (D - 4 w^2) / D^3. */
static void Angle(const TersoffParam *p, PetscReal cost, PetscReal *g, PetscReal *dg, PetscReal *d2g)
{
  const PetscReal c2 = p->c * p->c, d2 = p->d * p->d, w = p->h - cost, D = d2 + w * w;

  if (p->mod) { /* g = c1 + P(s) Q(s), s = (h - cos)^2, P = c2 s/(c3 + s), Q = 1 + c4 exp(-c5 s) */
    const PetscReal *gc = p->gc, s = w * w, E = gc[3] * PetscExpReal(-gc[4] * s);
    const PetscReal  P = gc[1] * s / (gc[2] + s), dP = gc[1] * gc[2] / ((gc[2] + s) * (gc[2] + s)), d2P = -2 * dP / (gc[2] + s);
    const PetscReal  Q = 1.0 + E, dQ = -gc[4] * E, d2Q = gc[4] * gc[4] * E, gs = dP * Q + P * dQ;

    *g   = gc[0] + P * Q;
    *dg  = -2 * w * gs; /* ds/dcos = -2 w */
    *d2g = 4 * w * w * (d2P * Q + 2 * dP * dQ + P * d2Q) + 2 * gs;
    return;
  }

  *g   = p->gamma * (1.0 + c2 / d2 - c2 / D);
  *dg  = p->gamma * -2.0 * c2 * w / (D * D);
  *d2g = p->gamma * 2.0 * c2 * (D - 4 * w * w) / (D * D * D);
}

/* exp(arg), arg = (lam3 t)^m, t = r_ij - r_ik, clamped as LAMMPS does (|arg| > 69.0776). */
static void ExpTerm(const TersoffParam *p, PetscReal t, PetscReal *E, PetscReal *dE, PetscReal *d2E)
{
  const PetscReal l3 = p->lam3;
  PetscReal       arg, darg, d2arg;

  if (p->powermint == 3) {
    arg   = PetscPowRealInt(l3 * t, 3);
    darg  = 3.0 * PetscPowRealInt(l3, 3) * t * t;
    d2arg = 6.0 * PetscPowRealInt(l3, 3) * t;
  } else {
    arg   = l3 * t;
    darg  = l3;
    d2arg = 0;
  }
  if (arg > 69.0776) *E = 1.e30;
  else if (arg < -69.0776) *E = 0.0;
  else *E = PetscExpReal(arg);
  *dE  = darg * *E;
  *d2E = (d2arg + darg * darg) * *E;
}

/* One term of zeta: F(r1, r2, c) = fc(r2) g(c) E(r1 - r2) of u = d_j (r1) and v = d_k (r2),
   c = u.v/(r1 r2), with its gradient (6: u then v) and, when hz is not NULL, Hessian (6 x 6). */
static PetscReal ZetaTerm(const TersoffParam *p, const PetscReal u[3], PetscReal r1, const PetscReal v[3], PetscReal r2, PetscReal gz[6], PetscReal hz[36])
{
  PetscReal fc, dfc, d2fc, g, dg, d2g, E, dE, d2E, c = 0, Fs[3], Fss[3][3];

  for (int x = 0; x < 3; x++) c += u[x] * v[x];
  c /= r1 * r2;
  Cutoff(p, r2, &fc, &dfc, &d2fc);
  Angle(p, c, &g, &dg, &d2g);
  ExpTerm(p, r1 - r2, &E, &dE, &d2E);
  Fs[0]     = fc * g * dE;
  Fs[1]     = dfc * g * E - fc * g * dE;
  Fs[2]     = fc * dg * E;
  Fss[0][0] = fc * g * d2E;
  Fss[0][1] = Fss[1][0] = dfc * g * dE - fc * g * d2E;
  Fss[0][2] = Fss[2][0] = fc * dg * dE;
  Fss[1][1] = d2fc * g * E - 2 * dfc * g * dE + fc * g * d2E;
  Fss[1][2] = Fss[2][1] = dfc * dg * E - fc * dg * dE;
  Fss[2][2] = fc * d2g * E;
  VitManyBodyAngularTerm(u, r1, v, r2, Fs, Fss, gz, hz);
  return fc * g * E;
}

/* ---------------------------------------------------------------- site energy */

static PetscErrorCode TersoffScratch(Tersoff *ts, PetscInt n)
{
  PetscFunctionBeginUser;
  if (n <= ts->capacity) PetscFunctionReturn(0);
  PetscCall(PetscFree3(ts->gz, ts->hz, ts->in_zeta));
  ts->capacity = 2 * n;
  PetscCall(PetscMalloc3(3 * ts->capacity, &ts->gz, 36 * ts->capacity, &ts->hz, ts->capacity, &ts->in_zeta));
  PetscFunctionReturn(0);
}

/* zeta_j = sum_k of ZetaTerm, its gradient ts->gz (3n) and the term Hessians ts->hz (when hess). */
static PetscReal Zeta(Tersoff *ts, const VitDomain *dom, PetscInt i, PetscInt j, PetscInt n, const PetscInt nbr[], const PetscReal d[], const PetscReal r[], PetscBool hess)
{
  PetscReal zeta = 0;

  for (PetscInt q = 0; q < 3 * n; q++) ts->gz[q] = 0;
  for (PetscInt k = 0; k < n; k++) {
    const TersoffParam *p = Param(ts, dom->type[i], dom->type[nbr[j]], dom->type[nbr[k]]);
    PetscReal           gzt[6];

    ts->in_zeta[k] = (PetscBool)(k != j && r[k] * r[k] <= p->cut * p->cut);
    if (!ts->in_zeta[k]) continue;
    zeta += ZetaTerm(p, &d[3 * j], r[j], &d[3 * k], r[k], gzt, hess ? &ts->hz[36 * k] : NULL);
    for (int x = 0; x < 3; x++) ts->gz[3 * j + x] += gzt[x], ts->gz[3 * k + x] += gzt[3 + x];
  }
  return zeta;
}

/* Hessian of the attractive bond term A = 1/2 b fa of bond j (see the header comment). */
static void AddBondHessian(const Tersoff *ts, PetscInt n, PetscInt j, const PetscReal d[], PetscReal r, PetscReal b, PetscReal db, PetscReal d2b, PetscReal fa, PetscReal dfa, PetscReal d2fa, PetscReal G[])
{
  const PetscInt N = 3 * n;

  VitManyBodyAddRadial(n, G, j, &d[3 * j], r, 0.5 * b * dfa, 0.5 * b * d2fa);
  for (PetscInt q = 0; q < N; q++) {
    for (int x = 0; x < 3; x++) { /* b' (grad fa gz^T + gz grad fa^T) */
      G[(3 * j + x) * N + q] += 0.5 * db * dfa * d[3 * j + x] / r * ts->gz[q];
      G[q * N + 3 * j + x] += 0.5 * db * dfa * d[3 * j + x] / r * ts->gz[q];
    }
    if (ts->gz[q] == 0) continue;
    for (PetscInt w = 0; w < N; w++) G[q * N + w] += 0.5 * fa * d2b * ts->gz[q] * ts->gz[w];
  }
  for (PetscInt k = 0; k < n; k++) /* fa b' Hess zeta, term k on blocks (j,j), (j,k), (k,j), (k,k) */
    if (ts->in_zeta[k]) VitManyBodyAddPairBlocks(n, G, j, k, 0.5 * fa * db, &ts->hz[36 * k]);
}

/* All rows of G are computed (need is ignored), then symmetrised. */
static PetscErrorCode TersoffSite(VitPotential pot, const VitDomain *dom, PetscInt i, PetscInt n, const PetscInt nbr[], const PetscReal d[], const PetscReal r[], PetscReal e[], PetscReal g[], PetscReal G[], const PetscBool need[])
{
  Tersoff *ts = (Tersoff *)pot->data;

  PetscFunctionBeginUser;
  PetscCall(TersoffScratch(ts, n));
  for (PetscInt m = 0; m <= n; m++) e[m] = 0;
  for (PetscInt q = 0; q < 3 * n; q++) g[q] = 0;
  if (G) PetscCall(PetscArrayzero(G, 9 * n * n));
  for (PetscInt j = 0; j < n; j++) {
    const TersoffParam *p = Param(ts, dom->type[i], dom->type[nbr[j]], dom->type[nbr[j]]);
    PetscReal           V, dV, d2V, fa, dfa, d2fa, zeta, b, db, d2b;

    if (r[j] * r[j] > p->cut * p->cut) continue;
    ScreenedExp(p, p->biga, p->lam1, r[j], &V, &dV, &d2V);
    ScreenedExp(p, -p->bigb, p->lam2, r[j], &fa, &dfa, &d2fa);
    zeta = Zeta(ts, dom, i, j, n, nbr, d, r, (PetscBool)(G != NULL));
    BondOrder(p, zeta, &b, &db, &d2b);
    e[0] += 0.5 * V + 0.25 * b * fa;
    e[1 + j] += 0.25 * b * fa;
    for (int x = 0; x < 3; x++) g[3 * j + x] += 0.5 * (dV + b * dfa) * d[3 * j + x] / r[j];
    for (PetscInt q = 0; q < 3 * n; q++) g[q] += 0.5 * fa * db * ts->gz[q];
    if (!G) continue;
    VitManyBodyAddRadial(n, G, j, &d[3 * j], r[j], 0.5 * dV, 0.5 * d2V);
    AddBondHessian(ts, n, j, d, r[j], b, db, d2b, fa, dfa, d2fa, G);
  }
  if (G) VitManyBodySymmetrize(n, G);
  PetscFunctionReturn(0);
}

static PetscErrorCode TersoffCompute(VitPotential pot, VitDomain *dom, PetscReal *energy, PetscReal *force, PetscReal *virial)
{
  PetscFunctionBeginUser;
  PetscCall(VitManyBodyCompute(pot, dom, TersoffSite, energy, force, virial));
  PetscFunctionReturn(0);
}

static PetscErrorCode TersoffHessian(VitPotential pot, VitDomain *dom, const VitNeighborList *nl, const PetscReal w[], Mat H)
{
  PetscFunctionBeginUser;
  PetscCall(VitManyBodyHessian(pot, dom, TersoffSite, nl, w, H));
  PetscFunctionReturn(0);
}

static PetscErrorCode TersoffDestroy(VitPotential pot)
{
  Tersoff *ts = (Tersoff *)pot->data;

  PetscFunctionBeginUser;
  PetscCall(PetscFree(ts->param));
  PetscCall(PetscFree3(ts->gz, ts->hz, ts->in_zeta));
  PetscCall(PetscFree(pot->data));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- file */

/* LAMMPS's checks of one entry (read_file): message or "" when the parameters are legal. */
static const char *IllegalParameter(const TersoffParam *p)
{
  if (p->powerm != p->powermint || (p->powermint != 1 && p->powermint != 3)) return "m must be 1 or 3";
  if (p->mod && (p->powern < 0 || p->beta < 0 || p->lam2 < 0 || p->bigb < 0 || p->bigr < 0 || p->bigd < 0 || p->lam1 < 0 || p->biga < 0)) return "eta, beta, lambda2, B, R, D, lambda1 and A must not be negative";
  if (p->mod) return p->bigd > p->bigr ? "D must not exceed R" : "";
  if (p->c < 0 || p->d < 0 || p->powern < 0 || p->beta < 0 || p->lam2 < 0 || p->bigb < 0 || p->bigr < 0 || p->bigd < 0 || p->lam1 < 0 || p->biga < 0 || p->gamma < 0) return "gamma, c, d, n, beta, lambda2, B, R, D, lambda1 and A must not be negative";
  if (p->bigd > p->bigr) return "D must not exceed R";
  return "";
}

/* The file's entries for the used triplets, checked as LAMMPS's read_file does. */
static PetscErrorCode ReadFileRank0(Tersoff *ts, PetscBool mod, const char path[], char errmsg[], size_t len)
{
  const PetscInt ne = ts->nelements, ne3 = ne * ne * ne, nnum = mod ? TERSOFF_MOD_NPARAM : TERSOFF_NPARAM;
  PetscReal     *v;
  PetscInt      *line;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(ne3 * nnum, &v, ne3, &line));
  PetscCall(VitTripletFileReadRank0(path, mod ? "tersoff/mod" : "Tersoff", nnum, ne, (const char(*)[VIT_NAME_LEN])ts->element, v, line, errmsg, len));
  for (PetscInt idx = 0; idx < ne3 && !errmsg[0]; idx++) {
    TersoffParam    *p = &ts->param[idx];
    const PetscReal *w = v + idx * nnum;
    const char      *why;

    if (mod) { /* file order: beta(m) alpha h eta beta_ters lambda2 B R D lambda1 A n c1 c2 c3 c4 c5 */
      p->powerm = w[0], p->lam3 = w[1], p->h = w[2], p->powern = w[3], p->beta = w[4], p->lam2 = w[5], p->bigb = w[6];
      p->bigr = w[7], p->bigd = w[8], p->lam1 = w[9], p->biga = w[10], p->powern_del = w[11];
      for (int k = 0; k < 5; k++) p->gc[k] = w[12 + k];
    } else {
      p->powerm = w[0], p->gamma = w[1], p->lam3 = w[2], p->c = w[3], p->d = w[4], p->h = w[5], p->powern = w[6];
      p->beta = w[7], p->lam2 = w[8], p->bigb = w[9], p->bigr = w[10], p->bigd = w[11], p->lam1 = w[12], p->biga = w[13];
    }
    p->mod = mod;
    p->powermint = (p->powerm == 1 || p->powerm == 3) ? (PetscInt)p->powerm : 0; /* converting another value could overflow */
    why          = IllegalParameter(p);
    if (why[0]) snprintf(errmsg, len, "%s:%" PetscInt_FMT ": illegal parameters for the triplet %s %s %s: %s", path, line[idx], ts->element[idx / (ne * ne)], ts->element[(idx / ne) % ne], ts->element[idx % ne], why);
  }
  PetscCall(PetscFree2(v, line));
  PetscFunctionReturn(0);
}

/* Derived parameters (LAMMPS setup()): cutoff R + D and the thresholds of the b_ij branches. */
static PetscReal SetDerived(Tersoff *ts)
{
  PetscReal cutmax = 0;

  for (PetscInt idx = 0; idx < ts->nelements * ts->nelements * ts->nelements; idx++) {
    TersoffParam *p = &ts->param[idx];

    p->cut = p->bigr + p->bigd;
    p->c1  = PetscPowReal(2.0 * (p->mod ? p->powern_del : p->powern) * 1.0e-16, -1.0 / p->powern);
    p->c2  = PetscPowReal(2.0 * p->powern * 1.0e-8, -1.0 / p->powern);
    p->c3  = 1.0 / p->c2;
    p->c4  = 1.0 / p->c1;
    cutmax = PetscMax(cutmax, p->cut);
  }
  return cutmax;
}

/* Distinct elements of -potential_elements, in order of first appearance, and each type's index. */
static PetscErrorCode SetElements(MPI_Comm comm, Tersoff *ts, const VitSample *sample, const char elements[])
{
  char names[VIT_MAX_TYPES][VIT_NAME_LEN];

  PetscFunctionBeginUser;
  PetscCall(VitManyBodySplitElements(comm, elements, sample->ntypes, names));
  for (PetscInt t = 0; t < sample->ntypes; t++) {
    if ((ts->map[t] = VitElementIndex(ts->nelements, (const char(*)[VIT_NAME_LEN])ts->element, names[t])) >= 0) continue;
    PetscCall(PetscStrncpy(ts->element[ts->nelements], names[t], VIT_NAME_LEN));
    ts->map[t] = ts->nelements++;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitPotentialCreateTersoff(MPI_Comm comm, const VitSample *sample, const char style[], const char file[], const char elements[], VitPotential *pot)
{
  const PetscBool mod = (PetscBool)!strcmp(style, "tersoff/mod");
  Tersoff        *ts;
  char            errmsg[1024] = "";
  PetscMPIInt     rank;
  PetscInt        ne3;
  PetscReal       cutmax;

  PetscFunctionBeginUser;
  PetscCall(VitManyBodyCheckSample(comm, sample, style));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscNew(&ts));
  PetscCall(SetElements(comm, ts, sample, elements));
  ne3 = ts->nelements * ts->nelements * ts->nelements;
  PetscCall(PetscCalloc1(ne3, &ts->param));
  if (!rank) PetscCall(ReadFileRank0(ts, mod, file, errmsg, sizeof(errmsg)));
  PetscCall(VitBcastError(comm, errmsg));
  PetscCallMPI(MPI_Bcast(ts->param, (int)(ne3 * sizeof(TersoffParam)), MPI_BYTE, 0, comm));
  cutmax = SetDerived(ts);

  PetscCall(PetscNew(pot));
  (*pot)->kind = VIT_POTENTIAL_TERSOFF;
  PetscCall(PetscStrncpy((*pot)->name, style, sizeof((*pot)->name)));
  (*pot)->ntypes        = sample->ntypes;
  (*pot)->cutoff        = cutmax;
  (*pot)->ghost_width   = 2 * cutmax;
  (*pot)->hessian_range = 2 * cutmax;
  (*pot)->min_distance  = 0.5;
  (*pot)->data          = ts;
  (*pot)->compute       = TersoffCompute;
  (*pot)->hessian       = TersoffHessian;
  (*pot)->destroy       = TersoffDestroy;
  PetscFunctionReturn(0);
}
