// Bridge to zlib: reads gzip-compressed IDX files, and tries whether a
// store array deflates well enough to be stored compressed.
#ifndef ALFLOW_CZLIB_SHIM_H
#define ALFLOW_CZLIB_SHIM_H
#include <zlib.h>
#endif
