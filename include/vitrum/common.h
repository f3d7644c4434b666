/* Common definitions for vitrum: version, logging events, errors, option helpers. */
#ifndef VITRUM_COMMON_H
#define VITRUM_COMMON_H

#include <petscsys.h>

#define VIT_VERSION "0.1.0"
/* Raised whenever a change alters the numbers of an rdf or spectrum output for the same sample and
   options; every output's /meta records it (results_revision) and features recomputes a cached
   output of another revision (docs/fit.md). 1 (or none recorded): until session 38; 2: session 39
   (layered crystals bulk, S_ab(q) of empty partials, counts and responses of this session); 4: a
   wire, a cluster or a slab normal to x or y is no sheet (vacuum across x or y); 5:
   /spectrum/vdos/fraction is sum D domega, normalised like D (it was divided by dN - d, above 1). */
#define VIT_RESULTS_REVISION "5"
#ifndef VIT_GIT_COMMIT
  #define VIT_GIT_COMMIT "unknown"
#endif

#define VIT_MAX_TYPES 16 /* species per sample */
#define VIT_NAME_LEN  32 /* length of a species name */

/* Log stages and events (registered once in VitInitialize). */
typedef struct {
  PetscClassId  classid;
  PetscLogStage stage_read, stage_structure, stage_hessian, stage_spectrum, stage_modes, stage_fit;
  PetscLogEvent read, distribute, ghosts, neighbors, rdf, write;
} VitLog;
extern VitLog vit_log;

PetscErrorCode VitInitialize(void);
/* The command being run ("energy"), which main takes off the arguments PETSc sees; NULL when none
   was given (vitrum -help). Written into /meta's command_line. */
void        VitSetCommandName(const char name[]);
const char *VitCommandName(void);
/* Register the n events names[k] of vitrum's class into *events[k], once per run (a stage's own
   events, registered where the stage first runs: a second run of it in the same process, as the
   pipeline's, finds them registered). */
PetscErrorCode VitLogEventsRegister(PetscInt n, const char *const names[], PetscLogEvent *const events[]);

/* Error handling (docs/reliability.md). A user-input error is raised with SETERRQ/PetscCheck and
   a user code (PETSC_ERR_USER_INPUT, PETSC_ERR_FILE_*, PETSC_ERR_ARG_*) on a communicator where
   every rank raises it. On a communicator congruent to PETSC_COMM_WORLD rank 0 prints the one line
   "vitrum: error: ..." and the program exits with status 1. On a smaller communicator (a
   sub-communicator, PETSC_COMM_SELF of a parallel run) the message is only remembered: the code
   that created the sub-communicator calls VitAgreeOnError on the parent communicator, which raises
   the first failing rank's error there (so it reaches PETSC_COMM_WORLD and is printed once).
   Everything else keeps PETSc's traceback. */
PetscErrorCode VitPushErrorHandler(void);
PetscBool      VitUserErrorRaised(void); /* this rank raised a user error */
/* What the work in progress is about (a sample of an ensemble; NULL: nothing): a user error raised
   meanwhile whose message does not name it is prefixed with it ("SAMPLE: ..."). */
void VitUserErrorContext(const char what[]);
/* Collective on comm: ierr is this rank's result of work done on a sub-communicator of comm (0 if
   it succeeded). If any rank failed, the error of the lowest failing rank is raised on all of comm. */
PetscErrorCode VitAgreeOnError(MPI_Comm comm, PetscErrorCode ierr);
/* The end of main, on every rank (failed: this rank's command returned a user error). A user error
   no rank printed yet (raised on a sub-communicator, or on only some ranks of a communicator while
   the others finished) is printed once, by the lowest failing rank. Returns the exit status (1 on
   a failed rank); when other ranks still wait for a failed one, stops the run (MPI_Abort). */
int VitEndOfRun(PetscBool failed);

/* Numbers in messages. VitRealString: the shortest %g form of value, with 6 to 17 digits, that
   reads back as the same double: a user's value echoed as given. VitBoundString: value with at most 10
   significant digits, rounded toward direction (+1 up, -1 down): a bound a message states ("the
   largest allowed value is", "at most", ">="), which then itself passes the check (a bound printed
   rounded the other way was refused when given back). buf: at least VIT_REAL_STRING_LEN bytes;
   both return buf. */
#define VIT_REAL_STRING_LEN 32
const char *VitRealString(PetscReal value, char buf[]);
const char *VitBoundString(PetscReal value, int direction, char buf[]);
/* A real option's value that must be finite and positive (zero_ok: or 0, its automatic value):
   else one line "OPTION VALUE: must be positive and finite (HINT)" (hint: what the value is and
   what 0 means, or NULL), so that inf and nan are refused like a negative value, not passed on to
   a solver or a grid. */
PetscErrorCode VitCheckPositiveReal(MPI_Comm comm, const char option[], PetscReal value, PetscBool zero_ok, const char hint[]);

/* Broadcast an error message found on rank 0 (errmsg non-empty) and raise it on every rank.
   Pattern for rank-0 parsers: fill errmsg instead of calling SETERRQ, then call this. */
PetscErrorCode VitBcastError(MPI_Comm comm, const char errmsg[]);
/* The next line of f into line (size bytes), without its line end: 1 when a line was read, 0 at
   the end of the file, -1 when the line does not fit in size - 1 bytes (the rest of it is read and
   dropped), so that a long line is an error and never two lines. */
int VitReadLine(FILE *f, char line[], size_t size);
/* The entries of a list file (option path: sample paths, sample names), one a line: blanks (space,
   tab) trimmed at both ends, blank lines and '#' comments skipped; lines[k] (lines may be NULL) the
   line of entry k. Not collective: the calling rank reads the file and always closes it. A file
   that cannot be opened, a line longer than PETSC_MAX_PATH_LEN - 1 bytes ("a ITEM longer than ...")
   or one with a control character (a binary file given by mistake) leaves *n = 0, nothing
   allocated, and one line naming option, path and line in errmsg (for PetscCheck or VitBcastError);
   errmsg is "" otherwise. Free the entries with VitStringsFree, lines with PetscFree. */
PetscErrorCode VitListFileRead(const char option[], const char path[], const char item[], PetscInt *n, char ***entries, PetscInt **lines, char errmsg[], size_t len);

/* Set option NAME to VALUE (NULL: a flag) unless the user gave it; *added: set here (the caller
   clears it with PetscOptionsClearValue when done). */
PetscErrorCode VitOptionsSetDefault(const char name[], const char value[], PetscBool *added);

/* Comma-separated values given to option NAME (0 when not given). PETSc's PetscOptions*Array read at
   most as many values as the array holds and drop the rest without a word: size the array by this,
   or check it with VitOptionsListMax. */
PetscErrorCode VitOptionsListLength(const char name[], PetscInt *n);
/* One error line when option NAME has more than max comma-separated values. */
PetscErrorCode VitOptionsListMax(MPI_Comm comm, const char name[], PetscInt max);
/* Every string option is read by one of these: PETSc's PetscOptionsString and
   PetscOptionsGetString cut a value longer than len - 1 characters short without a word; these
   read it the same way and then give one error line naming the option, the length given and the
   most read. VitOptionsString takes PetscOptionsString's arguments (between PetscOptionsBegin and
   PetscOptionsEnd, -help prints it alike); VitOptionsStringHint adds what to do instead (hint);
   VitOptionsGetString is PetscOptionsGetString without options database or prefix. */
#define VitOptionsString(a, b, c, d, e, f, g)        VitOptionsString_Private(PetscOptionsObject, a, b, c, d, e, f, g, "")
#define VitOptionsStringHint(a, b, c, d, e, f, g, h) VitOptionsString_Private(PetscOptionsObject, a, b, c, d, e, f, g, h)
PetscErrorCode VitOptionsString_Private(PetscOptionItems *items, const char opt[], const char text[], const char man[], const char current[], char value[], size_t len, PetscBool *set, const char hint[]);
PetscErrorCode VitOptionsGetString(MPI_Comm comm, const char name[], char value[], size_t len, PetscBool *set);

/* Outputs. VitOutputCheck (collective) refuses an output path that exists and is not a regular
   file (a directory, a device, a FIFO, a socket: the rename below would replace it) or is the
   same file (device and inode) as an input: the value of any option other than `option` (comma
   lists included), or one of inputs[]. Call it before reading or computing anything large.
   Every output is written under PATH.tmp (VitOutputTmp, collective on the writing communicator,
   registers it; its rank 0 holds an flock on it until the rename, and refuses a PATH.tmp that
   another running process holds) and renamed by VitOutputDone, or, after VitOutputsHold, all
   together by VitOutputsCommit; VitOutputsRemove (main, on error) deletes the temporary files left.
   VitOutputTmpName: the temporary name of PATH (to finish the file before VitOutputsCommit). */
/* Options files naming options files are followed this deep: deeper nesting is refused at start-up
   (src/main.c), and the -o checks search as deep for an options file that is the output. */
#define VIT_OPTIONS_FILE_DEPTH 16
PetscErrorCode VitOutputCheck(MPI_Comm comm, const char option[], const char out[], PetscInt ninputs, const char *const inputs[]);
/* The same, the message ending in hint ("give another -pipeline_dir") instead of "give another output name". */
PetscErrorCode VitOutputCheckHint(MPI_Comm comm, const char option[], const char out[], PetscInt ninputs, const char *const inputs[], const char hint[]);
/* Whether paths a and b name the same existing file or folder (same device and inode, whatever the names). */
PetscBool VitSameFile(const char a[], const char b[]);
/* Whether paths a and b name the same file, existing or not: the same spelling, the same device
   and inode, or the same canonical name (the realpath of the folder, then the last component:
   H.bin and ./H.bin). VitOutputTmp refuses an output that is the same as one still pending (the
   run would otherwise wait on its own lock). */
PetscBool VitSamePath(const char a[], const char b[]);
/* Collective: a user error "option_a a is also the option_b file b: give two different names" where
   the outputs a and b of one command are the same file (VitSamePath); call it before the outputs'
   VitOutputCheck, for every pair of outputs that options name. */
PetscErrorCode VitOutputsDistinct(MPI_Comm comm, const char option_a[], const char a[], const char option_b[], const char b[]);
/* What the existing path is, for messages ("a folder", "a character device", "a FIFO (named pipe)", ...;
   symbolic links followed); NULL if it does not exist. */
const char *VitFileKind(const char path[]);
/* A finished scratch file this run reads and then deletes itself: VitOutputsRemove deletes it too
   if the run fails before VitOutputScratchDone (called once the caller has deleted it). */
PetscErrorCode VitOutputScratch(const char path[]);
void           VitOutputScratchDone(const char path[]);
PetscErrorCode VitOutputTmp(MPI_Comm comm, const char path[], char tmp[]);
PetscErrorCode VitOutputTmpName(const char path[], char tmp[]);
/* Rank 0 (not collective): remove PATH.tmp and its lock file where a killed writer left them and no
   running process holds the lock; for an output that is read, not written (a cache that is up to date). */
PetscErrorCode VitOutputClearLeftovers(const char path[]);
PetscErrorCode VitOutputDone(MPI_Comm comm, const char path[]);
/* Room on the output's file system: VitOutputTmp's rank 0 allocates VIT_OUTPUT_RESERVE bytes in the
   lock file (refusing the output in one line, VIT_NO_ROOM_FMT, when the file system has no room);
   VitOutputFreeReserve (any rank; the lock's holder acts) frees them after a failed write, so that
   the writer can still close its file (HDF5 writes its metadata at close). VitWriteFailureCause: why
   a write into path failed when the file system is the cause (err, the errno of the failed call:
   full, over quota, over the file-size limit, failing; else "No space left on device" when the
   file system of path has less than 1 MiB free), else NULL. */
#define VIT_OUTPUT_RESERVE (1 << 20)
#define VIT_NO_ROOM_FMT    "%s: cannot write this output (%s): make room on its file system, or write it elsewhere"
void        VitOutputFreeReserve(const char path[]);
const char *VitWriteFailureCause(const char path[], int err);
void           VitOutputsHold(void);
PetscErrorCode VitOutputsCommit(MPI_Comm comm);
void           VitOutputsRemove(void);
/* VitOutputsRemove for a signal handler (async-signal-safe: unlink only): the temporary files and
   locks of the outputs being written removed; the first such output's name, or NULL. */
const char *VitOutputsAbandon(void);
/* For signal handlers (no snprintf): s, or the decimal v >= 0, appended to out (n characters so
   far, size len, kept terminated). */
void VitAppendSafe(char out[], size_t *n, size_t len, const char *s);
void VitAppendIntSafe(char out[], size_t *n, size_t len, int v);

/* Print on rank 0 a warning for each option the user gave and nothing used, with what it is
   (VitOptionUnusedReason). */
PetscErrorCode VitWarnUnusedOptions(void);

/* What a given option is to the command being run, from the names its option readers list
   (VitOptionNamesCheck, src/common/optnames.c): read by it (or by a stage it runs), read by another
   vitrum command only, PETSc's or SLEPc's, misspelt (a vitrum family such as -kpm_*, read by no
   command) or unknown. option: with or without its '-'. Before the check ran (a command called
   from a test program) every option is the command's own. */
typedef enum {
  VIT_OPTION_OWN,
  VIT_OPTION_OTHER_COMMAND,
  VIT_OPTION_PETSC,
  VIT_OPTION_MISSPELT,
  VIT_OPTION_UNKNOWN
} VitOptionKind;
VitOptionKind VitOptionKindOf(const char option[]);
/* Whether the option can change a result of this command: its own or PETSc's. The others are left
   out of the keys of cached results and are not taken as used by a cached result. */
PetscBool VitOptionCanChangeResults(const char option[]);
/* Why a given option may have gone unused, for the end-of-run warning: "an option of vitrum fit,
   not of vitrum rdf", "an option of vitrum features that these settings do not need", or
   "misspelled, or not for this command?" (also before the check ran, as under -help). */
const char *VitOptionUnusedReason(const char option[], char why[], size_t len);

/* True when -help was given: commands read (and so print) their options, then return. */
PetscBool VitHelpRequested(void);

/* Progress line on rank 0 with done/total and an ETA, at most every ~2 s (always at the end).
   A caller may set, after VitProgressStart, another interval and long_only: then nothing is
   printed unless the work outlasts one interval (an inner loop that is long only on big samples). */
typedef struct {
  const char    *what;
  PetscInt       total;
  PetscLogDouble t0, last, interval;
  PetscBool      long_only;
} VitProgress;
PetscErrorCode VitProgressStart(VitProgress *p, const char *what, PetscInt total);
PetscErrorCode VitProgressUpdate(MPI_Comm comm, VitProgress *p, PetscInt done);

/* A key of the options that can change a per-sample result: the options of `all` (a string as
   PetscOptionsGetAll writes it) without those that only steer a command's bookkeeping (-o, -features_*,
   -fit_*, -pipeline_*, -log*, ...) and those the command does not read (VitOptionCanChangeResults:
   another command's, -totally_bogus), sorted. Equal keys: a cached result may be reused. Free with PetscFree. */
PetscErrorCode VitOptionsKey(const char all[], char **key);

/* The memory this process may still take (bytes): the least of the node's MemAvailable
   (<root>/proc/meminfo) and what is left under the limit of its memory cgroup or of an ancestor of
   it (the job's memory limit under SLURM: cgroup v1 memory.limit_in_bytes - memory.usage_in_bytes,
   v2 memory.max - memory.current, found through <root>/proc/self/cgroup and
   <root>/proc/self/mountinfo; the inactive file cache is not counted as used; "max" or a v1 limit
   above 2^60 bytes: no limit); 0 where neither can be read. bound: which of them applies, in words
   ("the job's memory limit (cgroup) of 0.3 GB less the 0.05 GB it uses", "the node's
   MemAvailable", "unknown"). root: "" in vitrum; a fake tree in tests (tests/errors/cgroup_memory.c). */
#define VIT_MEMORY_BOUND_LEN 160
PetscErrorCode VitMemoryAvailable(const char root[], PetscReal *bytes, char bound[], size_t len);
/* The ranks of comm on this rank's node (free with MPI_Comm_free), and one reader of the node's
   memory: on the node's first rank *avail = VitMemoryAvailable (0 where it cannot be read), on its
   other ranks -1; bound (NULL: not wanted): which bound applies, on every rank of the node (the
   node's ranks are taken to share the first rank's cgroup, as a SLURM job step's do). */
PetscErrorCode VitNodeSplit(MPI_Comm comm, MPI_Comm *node, PetscReal *avail, char bound[], size_t len);
/* Whether `bytes` more on each rank (every rank its own count) fit in `fraction` of the memory
   available on its node (VitMemoryAvailable on the node's first rank: the least of MemAvailable and
   the job's cgroup headroom), summed over the node's ranks of comm; the same answer on every rank.
   need_gb, avail_gb, bound: the node that fits least (its ranks' sum, the fraction of its available
   memory, and which bound applies in words). Where neither can be read everything fits. */
PetscErrorCode VitNodeMemoryFits(MPI_Comm comm, PetscLogDouble bytes, PetscReal fraction, PetscBool *fits, PetscReal *need_gb, PetscReal *avail_gb, char bound[], size_t len);

/* Output file path: -o if given, else the input's file name with its extension replaced by suffix, in
   the current folder (never next to the input: its folder may be read-only or shared). */
PetscErrorCode VitOutputPath(const char input[], const char suffix[], char out[], size_t len);

/* Options read as text so that -help shows their default as "auto" (chosen by the program), not a
   sentinel number the option refuses: *given true and *value the number when the user gave one;
   "auto" or nothing: *given false and *value untouched; anything else: one line "OPTION VALUE: not
   a (whole) number: give a number or auto". Between PetscOptionsBegin and PetscOptionsEnd, like
   VitOptionsString; the range of the number is the caller's to check. */
#define VitOptionsAutoInt(a, b, c, d)  VitOptionsAutoInt_Private(PetscOptionsObject, a, b, c, d)
#define VitOptionsAutoReal(a, b, c, d) VitOptionsAutoReal_Private(PetscOptionsObject, a, b, c, d)
PetscErrorCode VitOptionsAutoInt_Private(PetscOptionItems *items, const char opt[], const char text[], PetscInt *value, PetscBool *given);
PetscErrorCode VitOptionsAutoReal_Private(PetscOptionItems *items, const char opt[], const char text[], PetscReal *value, PetscBool *given);

/* A real option's value that may have either sign but must be finite: else one line "OPTION VALUE:
   must be a finite number (HINT)"; the sibling of VitCheckPositiveReal for values of any sign. */
PetscErrorCode VitCheckFiniteReal(MPI_Comm comm, const char option[], PetscReal value, const char hint[]);

#endif
