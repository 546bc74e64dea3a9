// A library preloaded (LD_PRELOAD) into `invx search` by bench_crash_resume --in-flush: it counts
// the writes HDF5 makes to disk inside H5Fflush and, when INVX_KILL_AT_FLUSH_WRITE=K is set, kills
// the process with SIGKILL just before the K-th of them, so that the kill lands inside a flush,
// some of its writes made and the rest not (a kill timed by the clock almost never lands there).
// INVX_TEAR_WRITE=1 makes that write short first: its bytes up to the first page boundary reach
// the file, the rest not, as when Linux ends a buffered write between two pages for a SIGKILL
// (docs/experiment-file.md); a write within one page is not torn. With INVX_FLUSH_WRITES_TO=FILE it writes the number of such writes of a whole run
// to FILE at exit, from which the kills are drawn.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <hdf5.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

typedef ssize_t (*PwriteFunction)(int, const void*, size_t, off_t);

static __thread int flushing;  // inside H5Fflush on this thread
static long flushWrites;
static long killAt = -1;
static int tear;
static const char* countFile;

__attribute__((constructor)) static void readSettings(void) {
    const char* at = getenv("INVX_KILL_AT_FLUSH_WRITE");
    if (at) killAt = atol(at);
    countFile = getenv("INVX_FLUSH_WRITES_TO");
    tear = getenv("INVX_TEAR_WRITE") != NULL;
}

__attribute__((destructor)) static void reportCount(void) {
    if (!countFile) return;
    FILE* out = fopen(countFile, "w");
    if (!out) return;
    fprintf(out, "%ld\n", flushWrites);
    fclose(out);
}

herr_t H5Fflush(hid_t object, H5F_scope_t scope) {
    static herr_t (*real)(hid_t, H5F_scope_t);
    if (!real) real = (herr_t(*)(hid_t, H5F_scope_t))dlsym(RTLD_NEXT, "H5Fflush");
    ++flushing;
    const herr_t status = real(object, scope);
    --flushing;
    return status;
}

static ssize_t countedWrite(PwriteFunction real, int fd, const void* data, size_t size,
                            off_t offset) {
    if (flushing && ++flushWrites == killAt) {
        const size_t toBoundary = 4096 - (size_t)(offset % 4096);
        if (tear && size > toBoundary) real(fd, data, toBoundary, offset);
        kill(getpid(), SIGKILL);
    }
    return real(fd, data, size, offset);
}

ssize_t pwrite(int fd, const void* data, size_t size, off_t offset) {
    static PwriteFunction real;
    if (!real) real = (PwriteFunction)dlsym(RTLD_NEXT, "pwrite");
    return countedWrite(real, fd, data, size, offset);
}

ssize_t pwrite64(int fd, const void* data, size_t size, off_t offset) {
    static PwriteFunction real;
    if (!real) real = (PwriteFunction)dlsym(RTLD_NEXT, "pwrite64");
    return countedWrite(real, fd, data, size, offset);
}
