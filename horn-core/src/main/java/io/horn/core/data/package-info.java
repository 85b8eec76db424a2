/** Datasets in memory, and the readers that load them (MNIST idx files, and formats plugged in). */
package io.horn.core.data;
