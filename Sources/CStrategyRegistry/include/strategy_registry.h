#ifndef ALFLOW_STRATEGY_REGISTRY_H
#define ALFLOW_STRATEGY_REGISTRY_H

/// Every query strategy places one entry (a C function returning its
/// declaration) in the linker section `alflow_strategies`; the linker
/// brackets the section with these two symbols. Weak, so a binary without
/// strategies links (both are then null).
typedef const void *(*alflow_strategy_entry)(void);

const alflow_strategy_entry *alflow_strategies_begin(void);
const alflow_strategy_entry *alflow_strategies_end(void);

#endif
