#include "CEngineKernels.h"
int bk_kernels_version(void) { return 1; }
