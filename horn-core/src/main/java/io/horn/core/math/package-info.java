/**
 * The math backend SPI ({@link io.horn.core.math.MathBackend}, {@link
 * io.horn.core.math.NetworkEngine}) through which horn-core finds the CPU backend and optional
 * ones such as horn-cuda, and the BLAS binding.
 */
package io.horn.core.math;
