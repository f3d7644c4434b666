/* Stand-in for OpenBLAS's openblas_set_num_threads, preloaded into vitrum by tests/blas/threads.py:
   each call appends "RANK VALUE" to the file named by $VIT_SHIM_OUT (RANK from Open MPI's
   environment), so the test sees which ranks asked for how many threads. */
#include <stdio.h>
#include <stdlib.h>

void openblas_set_num_threads(int n)
{
  const char *out = getenv("VIT_SHIM_OUT"), *rank = getenv("OMPI_COMM_WORLD_RANK");
  FILE       *fp  = out ? fopen(out, "a") : NULL;

  if (!fp) return;
  fprintf(fp, "%s %d\n", rank ? rank : "?", n);
  fclose(fp);
}
