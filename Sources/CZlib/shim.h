// Bridge to zlib, used to read gzip-compressed IDX files.
#ifndef ALFLOW_CZLIB_SHIM_H
#define ALFLOW_CZLIB_SHIM_H
#include <zlib.h>
#endif
