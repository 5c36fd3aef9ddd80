// Bridge to OpenBLAS. `cblas.h` from Debian's openblas-pthread flavour also
// declares openblas_set_num_threads / openblas_get_corename / openblas_get_config.
#ifndef ALFLOW_CBLAS_SHIM_H
#define ALFLOW_CBLAS_SHIM_H
#include <cblas.h>
#endif
