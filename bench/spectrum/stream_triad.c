/* STREAM triad a[i] = b[i] + s c[i] (McCalpin), best of 10, on one core or with OpenMP threads.
   Reports GB/s counting 3 x 8 bytes per element (no write-allocate), as STREAM does.
   Usage: stream_triad [n_elements] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv)
{
  const long n = argc > 1 ? atol(argv[1]) : 1L << 24;
  double    *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double)), *c = malloc(n * sizeof(double)), best = 1e30;
  for (long i = 0; i < n; i++) {
    a[i] = 0;
    b[i] = 1;
    c[i] = 2;
  }
  for (int rep = 0; rep < 10; rep++) {
    double t0 = now();
#pragma omp parallel for
    for (long i = 0; i < n; i++) a[i] = b[i] + 3.0 * c[i];
    double t = now() - t0;
    if (t < best) best = t;
  }
  printf("%.3f\n", 3.0 * 8.0 * n / best / 1e9);
  free(a);
  free(b);
  free(c);
  return a == NULL;
}
