// Host emulation of the CUDA subset used by horn_kernels.cu: one host thread per CUDA thread,
// blocks run one after another, __syncthreads is a barrier, __shared__ is a static local.
#pragma once
#include <cmath>
#include <barrier>
#include <thread>
#include <vector>
#include <functional>
struct dim3 { unsigned x = 1, y = 1, z = 1; };
inline thread_local dim3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;
inline std::barrier<>* emu_bar = nullptr;
inline void __syncthreads() { emu_bar->arrive_and_wait(); }
#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#include <math.h>
inline void launch(dim3 g, dim3 b, const std::function<void()>& k) {
  gridDim = g; blockDim = b;
  for (unsigned by = 0; by < g.y; by++)
    for (unsigned bx = 0; bx < g.x; bx++) {
      int nt = b.x * b.y;
      std::barrier<> bar(nt);
      emu_bar = &bar;
      std::vector<std::thread> ts;
      for (int t = 0; t < nt; t++)
        ts.emplace_back([&, t] {
          blockIdx.x = bx; blockIdx.y = by;
          threadIdx.x = t % b.x; threadIdx.y = t / b.x;
          k();
        });
      for (auto& th : ts) th.join();
    }
}
