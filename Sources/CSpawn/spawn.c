// GNU extensions Swift's Glibc module does not export.
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>
#include "alflow_spawn.h"

int alflow_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int alflow_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}
