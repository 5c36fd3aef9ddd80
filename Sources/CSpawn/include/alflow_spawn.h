#ifndef ALFLOW_SPAWN_H
#define ALFLOW_SPAWN_H
#include <spawn.h>

/// pipe2(fds, O_CLOEXEC): both ends close on exec, atomically (no other
/// thread's child can inherit them).
int alflow_pipe_cloexec(int fds[2]);

/// posix_spawn_file_actions_addchdir_np (glibc ≥ 2.29): the child starts in `path`.
int alflow_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);

#endif
