/**
 * Horn's GPU math backend: {@link io.horn.cuda.CudaBackend} ({@code horn.math.backend=cuda}, or
 * chosen by {@code auto} when usable), which runs built-in layers on an NVIDIA device through
 * JCuda 12 with kernels shipped as PTX. {@link io.horn.cuda.CudaProbe} decides, once per JVM and
 * without ever throwing, whether the driver, a device, cuBLAS and the kernels (JIT-compiled once
 * for the device) are present; where they are not, {@code auto} falls back to the CPU backend and
 * logs why. {@link io.horn.cuda.GpuChecks} and {@link io.horn.cuda.GpuBenchmark} are the checks
 * and the benchmark of the offline GPU check bundle ({@code horn-cuda/run-gpu-checks.sh}). See
 * docs/gpu.md.
 */
package io.horn.cuda;
