/* The block eigensolvers' dense kernels (src/spectrum/kernel/block_dense.c) against a plain loop:
   the Gram matrix X^T Y and the combination Y = beta Y + X C of blocks stored row by row, for every
   kernel variant this CPU runs, row strides m = 1..40 (every remainder of the registers), column
   counts p, q up to m and row counts that leave every remainder of the row groups:

     test_block_dense

   Each entry must agree to 1e-13 of the sum of the absolute values of its terms. The combination
   must leave the columns past q and the rows' ghost room untouched, and must not read y where beta is
   0 (y starts as NaN there). Prints "ok: ..." and exits 0, or names the first entry that does not
   and exits 1. */
#include "../../src/spectrum/kernel/block_dense.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static double Entry(unsigned s) /* a reproducible value in [-1, 1) */
{
  s = s * 2654435761u + 12345u;
  s ^= s >> 13;
  s *= 2246822519u;
  s ^= s >> 16;
  return (s & 0xffff) / 32768.0 - 1;
}

/* The worst scaled deviation of one variant on one shape (p, q <= m; n rows). */
static double CheckShape(VitBlockGramRowsFn gram, VitBlockCombineRowsFn combine, int n, int m, int p, int q, double beta)
{
  const int ldc = 8 * ((q + 7) / 8);
  double   *x = malloc(sizeof(double) * (n * m + 1)), *y = malloc(sizeof(double) * (n * m + 1)), *y0 = malloc(sizeof(double) * (n * m + 1));
  double   *G = calloc(p * q + 1, sizeof(double)), *Ct = calloc(p * ldc + 1, sizeof(double)), worst = 0;

  for (int i = 0; i < n * m; i++) x[i] = Entry(i), y[i] = y0[i] = Entry(7 * i + 3);
  for (int a = 0; a < p; a++)
    for (int b = 0; b < q; b++) Ct[a * ldc + b] = Entry(31 * (a * q + b) + 1);
  gram(n, m, p, x, q, y, G);
  for (int a = 0; a < p; a++)
    for (int b = 0; b < q; b++) {
      long double sum = 0, scale = 0;
      for (int j = 0; j < n; j++) sum += (long double)x[j * m + a] * y[j * m + b], scale += fabsl((long double)x[j * m + a] * y[j * m + b]);
      worst = fmax(worst, (double)(fabsl(G[b * p + a] - sum) / (scale + 1e-300)));
    }
  if (beta == 0)
    for (int j = 0; j < n; j++)
      for (int b = 0; b < q; b++) y[j * m + b] = NAN; /* not read */
  combine(n, m, p, x, q, ldc, Ct, beta, y);
  for (int j = 0; j < n; j++)
    for (int b = 0; b < m; b++) {
      long double sum = b < q ? (long double)beta * y0[j * m + b] : y0[j * m + b], scale = fabsl(sum);
      for (int a = 0; b < q && a < p; a++) sum += (long double)x[j * m + a] * Ct[a * ldc + b], scale += fabsl((long double)x[j * m + a] * Ct[a * ldc + b]);
      worst = fmax(worst, isnan(y[j * m + b]) ? INFINITY : (double)(fabsl(y[j * m + b] - sum) / (scale + 1e-300)));
    }
  free(x), free(y), free(y0), free(G), free(Ct);
  return worst;
}

int main(void)
{
#if defined(__x86_64__)
  const char *const           names[]    = {"v2", "v3", "v4"};
  const VitBlockGramRowsFn    grams[]    = {VitBlockGramRows_v2, VitBlockGramRows_v3, VitBlockGramRows_v4};
  const VitBlockCombineRowsFn combines[] = {VitBlockCombineRows_v2, VitBlockCombineRows_v3, VitBlockCombineRows_v4};
  const int                   nvariants  = 3;
#else
  const char *const           names[]    = {"generic"};
  const VitBlockGramRowsFn    grams[]    = {VitBlockGramRows_generic};
  const VitBlockCombineRowsFn combines[] = {VitBlockCombineRows_generic};
  const int                   nvariants  = 1;
#endif
  const int rows[] = {0, 1, 3, 5, 8, 257};
  int       shapes = 0;

  for (int k = 0; k < nvariants; k++) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if ((k == 1 && !__builtin_cpu_supports("avx2")) || (k == 2 && !__builtin_cpu_supports("avx512f"))) continue;
#endif
    for (int m = 1; m <= 40; m++)
      for (int p = 1; p <= m; p += (m > 12 ? 5 : 1))
        for (int q = 1; q <= m; q += (m > 12 ? 3 : 1))
          for (int r = 0; r < 6; r++) {
            const double beta = (p + q) % 2 ? 0 : -0.75, dev = CheckShape(grams[k], combines[k], rows[r], m, p, q, beta);
            shapes++;
            if (!(dev <= 1e-13)) {
              printf("FAIL: kernel %s, n %d, m %d, p %d, q %d, beta %g: deviation %.3g of the terms' scale (tolerance 1e-13)\n", names[k], rows[r], m, p, q, beta, dev);
              return 1;
            }
          }
  }
  printf("ok: %d shapes agree with the plain loop to 1e-13\n", shapes);
  return 0;
}
