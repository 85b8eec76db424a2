/**
 * Squashing functions: a scalar face for user-written neurons and a block face for the engine's
 * whole-layer path. Each derivative is expressed through the function's output.
 */
package io.horn.core.activation;
