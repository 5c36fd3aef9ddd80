#include "strategy_registry.h"

extern const alflow_strategy_entry __start_alflow_strategies[] __attribute__((weak));
extern const alflow_strategy_entry __stop_alflow_strategies[] __attribute__((weak));

const alflow_strategy_entry *alflow_strategies_begin(void) { return __start_alflow_strategies; }
const alflow_strategy_entry *alflow_strategies_end(void) { return __stop_alflow_strategies; }
