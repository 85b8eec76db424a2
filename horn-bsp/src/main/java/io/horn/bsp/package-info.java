/**
 * Horn jobs on Apache Hama: the BSP program, task groups behind their own region barrier, and
 * the runner that submits a {@link io.horn.core.HornJob} in local mode or to a cluster.
 */
package io.horn.bsp;
