// Bridge to HDF5 1.10 (serial). Many HDF5 "constants" are macros that expand
// to function calls or casts (H5T_NATIVE_FLOAT, H5P_DEFAULT, H5F_ACC_TRUNC …),
// which Swift cannot import; they are exposed here as static inline getters.
#ifndef ALFLOW_CHDF5_SHIM_H
#define ALFLOW_CHDF5_SHIM_H

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Identifiers and property lists.
static inline hid_t alflow_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t alflow_H5S_ALL(void) { return H5S_ALL; }
static inline hid_t alflow_H5E_DEFAULT(void) { return H5E_DEFAULT; }
static inline hid_t alflow_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t alflow_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t alflow_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline unsigned alflow_H5O_INFO_BASIC(void) { return H5O_INFO_BASIC; }
static inline unsigned alflow_H5O_INFO_NUM_ATTRS(void) { return H5O_INFO_NUM_ATTRS; }

// File access flags.
static inline unsigned alflow_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned alflow_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned alflow_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned alflow_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }

// Memory (native) types.
static inline hid_t alflow_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t alflow_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t alflow_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t alflow_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t alflow_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }

// File (standard, little-endian) types, so objects read the same everywhere.
static inline hid_t alflow_H5T_IEEE_F32LE(void) { return H5T_IEEE_F32LE; }
static inline hid_t alflow_H5T_IEEE_F64LE(void) { return H5T_IEEE_F64LE; }
static inline hid_t alflow_H5T_STD_I32LE(void) { return H5T_STD_I32LE; }
static inline hid_t alflow_H5T_STD_I64LE(void) { return H5T_STD_I64LE; }
static inline hid_t alflow_H5T_STD_U8LE(void) { return H5T_STD_U8LE; }
static inline hid_t alflow_H5T_C_S1(void) { return H5T_C_S1; }
static inline size_t alflow_H5T_VARIABLE(void) { return H5T_VARIABLE; }

/// Turns off HDF5's automatic printing of its error stack to stderr; the
/// Swift layer reads the stack itself and turns it into a Swift error.
static inline void alflow_h5_silence_errors(void) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

typedef struct {
    char *buffer;
    size_t capacity;
    size_t used;
} alflow_h5_error_sink;

static herr_t alflow_h5_collect_error(unsigned n, const H5E_error2_t *err, void *data) {
    alflow_h5_error_sink *sink = (alflow_h5_error_sink *)data;
    if (err == NULL || err->desc == NULL || sink->used + 1 >= sink->capacity) return 0;
    const char *sep = sink->used == 0 ? "" : "; ";
    int written = snprintf(sink->buffer + sink->used, sink->capacity - sink->used,
                           "%s%s", sep, err->desc);
    if (written > 0) {
        size_t w = (size_t)written;
        sink->used += (w < sink->capacity - sink->used) ? w : (sink->capacity - sink->used - 1);
    }
    (void)n;
    return 0;
}

/// Copies the messages of the current thread's HDF5 error stack, innermost
/// first, into `buffer` (NUL-terminated) and clears the stack.
static inline void alflow_h5_take_error_message(char *buffer, size_t capacity) {
    if (capacity == 0) return;
    buffer[0] = 0;
    alflow_h5_error_sink sink = { buffer, capacity, 0 };
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, alflow_h5_collect_error, &sink);
    H5Eclear2(H5E_DEFAULT);
}

#endif
