#pragma once
// Functions shared by a CUDA kernel and its CPU twin are compiled for both sides.
#ifdef __CUDACC__
#define INVX_HOST_DEVICE __host__ __device__
#else
#define INVX_HOST_DEVICE
#endif
