/* Running external programs (LAMMPS driver, report script) from rank 0 of an MPI job. */
#include "pipeline.h"
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Variables an MPI launcher (Open MPI, PMIx, MPICH/Hydra) puts in the environment of its ranks. */
static PetscBool IsLauncherVariable(const char entry[])
{
  static const char *const prefixes[] = {"OMPI_", "PMIX_", "OPAL_", "PRTE_", "HYDRA_", "PMI_", "MPI_LOCALNRANKS", "MPI_LOCALRANKID"};

  for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
    if (!strncmp(entry, prefixes[i], strlen(prefixes[i]))) return PETSC_TRUE;
  return PETSC_FALSE;
}

static PetscErrorCode CleanEnvironment(char ***env)
{
  size_t n = 0, k = 0;

  PetscFunctionBeginUser;
  while (environ[n]) n++;
  PetscCall(PetscMalloc1(n + 1, env));
  for (size_t i = 0; i < n; i++)
    if (!IsLauncherVariable(environ[i])) (*env)[k++] = environ[i];
  (*env)[k] = NULL;
  PetscFunctionReturn(0);
}

/* In the child, between fork and exec: SIGTERM when the rank that started it dies (killed, or
   aborted by MPI), so that the generator does not go on as an orphan writing into the run folder
   (the mark survives exec). The parent may have died before the mark was set: then end at once. */
static void DieWithParent(pid_t parent)
{
  (void)prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(128 + SIGTERM);
}

/* Rank 0: fork, exec, wait. The exit status, or 127 when exec failed, 128 + signal when killed. */
static PetscErrorCode ForkExecWait(char *const argv[], int *status)
{
  char **env;
  pid_t  pid, parent = getpid();
  int    wstatus = 0;

  PetscFunctionBeginUser;
  PetscCall(CleanEnvironment(&env));
  fflush(stdout);
  fflush(stderr);
  pid = fork();
  PetscCheck(pid >= 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "fork() failed for %s: %s", argv[0], strerror(errno));
  if (pid == 0) {
    DieWithParent(parent);
    execve(argv[0], argv, env);
    fprintf(stderr, "vitrum: error: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  while (waitpid(pid, &wstatus, 0) < 0)
    PetscCheck(errno == EINTR, PETSC_COMM_SELF, PETSC_ERR_SYS, "waitpid() failed for %s: %s", argv[0], strerror(errno));
  *status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + (WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
  PetscCall(PetscFree(env));
  PetscFunctionReturn(0);
}

/* Wait for all ranks with a non-blocking barrier polled every 50 ms, so that ranks waiting for
   rank 0's child do not take CPU time from it. */
static PetscErrorCode SleepingBarrier(MPI_Comm comm)
{
  MPI_Request           req;
  int                   done = 0;
  const struct timespec pause = {0, 50000000};

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Ibarrier(comm, &req));
  for (;;) {
    PetscCallMPI(MPI_Test(&req, &done, MPI_STATUS_IGNORE));
    if (done) break;
    nanosleep(&pause, NULL);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitPipelineRunProgram(MPI_Comm comm, char *const argv[], int *status)
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  *status = 0;
  if (!rank) PetscCall(ForkExecWait(argv, status));
  PetscCall(SleepingBarrier(comm));
  PetscCallMPI(MPI_Bcast(status, 1, MPI_INT, 0, comm));
  PetscFunctionReturn(0);
}
