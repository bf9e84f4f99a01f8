// SPDX-License-Identifier: GPL-2.0
/* The one place that instantiates nvmx's tracepoints (trace.h). */
#include <linux/types.h>

#define CREATE_TRACE_POINTS
#include "trace.h"
