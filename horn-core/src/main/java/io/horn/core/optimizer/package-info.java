/** Optimizers that turn summed gradients into parameter changes: momentum SGD, Adam, L2 decay. */
package io.horn.core.optimizer;
