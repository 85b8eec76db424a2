/**
 * A multi-host cluster on one machine, for tests and benchmarks: {@link
 * io.horn.bsp.testbed.Testbed} makes network-namespace "hosts" with rate-limited links, and
 * {@link io.horn.bsp.testbed.TestbedCli} ({@code bin/horn testbed up|down|status}) runs a
 * {@link io.horn.bsp.cluster.MultiHostCluster} on them.
 */
package io.horn.bsp.testbed;
