// Bridge to libyaml 0.2 (event API with 0-based marks on every event).
#ifndef ALFLOW_CYAML_SHIM_H
#define ALFLOW_CYAML_SHIM_H
#include <yaml.h>
#endif
