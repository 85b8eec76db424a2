/**
 * Group collectives over direct TCP connections between the tasks of a job: the sum of every
 * member's gradients ({@link io.horn.paramserver.collective.GroupRing#allReduce}), the leader's
 * weights to every member ({@link io.horn.paramserver.collective.GroupRing#broadcast}), and the
 * small per-step header (sample count, cost, stop). Bytes move in pipelined pieces through
 * direct buffers; Hama's IPC only carries the addresses at set-up.
 *
 * <p>Every member of a group ends an all-reduce with the same bits, and the summation order is
 * fixed by {@link io.horn.paramserver.collective.ReductionOrder}, so a job run in one process
 * and the same job run across hosts agree exactly. Every connection is authenticated with the
 * job's secret ({@link io.horn.paramserver.collective.Handshake}), and every wait has a
 * deadline after which the group fails naming the member it waited for.
 */
package io.horn.paramserver.collective;
