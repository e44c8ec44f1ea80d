#ifndef CENGINEKERNELS_H
#define CENGINEKERNELS_H
/* Quantized kernels for the Engine module; every symbol is prefixed `bk_`. */
int bk_kernels_version(void);
#endif
