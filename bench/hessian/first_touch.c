/* First touch of fresh anonymous memory, the floor under any assembly that writes a new matrix of
   that size (docs/hessian.md): maps GB gigabytes, writes them once (page faults + the kernel's page
   clearing + the write), writes them again (the write alone), unmaps; three rounds, with 4 kB pages
   and with MADV_HUGEPAGE. Build and run:

       gcc -O2 bench/hessian/first_touch.c -o first_touch && ./first_touch 5
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double Now(void)
{
  struct timespec t;

  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv)
{
  const size_t bytes = (size_t)((argc > 1 ? atof(argv[1]) : 5) * 1e9);

  for (int huge = 0; huge < 2; huge++)
    for (int round = 0; round < 3; round++) {
      double t0 = Now(), t1, t2;
      char  *p  = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

      if (p == MAP_FAILED) return 1;
      if (huge) madvise(p, bytes, MADV_HUGEPAGE);
      memset(p, 0, bytes);
      t1 = Now();
      memset(p, 1, bytes);
      t2 = Now();
      munmap(p, bytes);
      printf("%s pages, round %d: first touch %.2f s (%.2f GB/s), second write %.2f s\n", huge ? "huge" : "4 kB", round, t1 - t0, bytes / 1e9 / (t1 - t0), t2 - t1);
    }
  return 0;
}
