/**
 * Running Hama for real, on one machine or several, and the class-loader fix Hama 0.7.1 needs on
 * JDK 9+.
 *
 * <ul>
 *   <li>{@link io.horn.bsp.cluster.MultiHostCluster}: ZooKeeper, BSPMaster and NameNode on a
 *       master host, a GroomServer and a DataNode on each worker host ({@link
 *       io.horn.bsp.cluster.ClusterHosts}), every command on a host through a {@link
 *       io.horn.bsp.cluster.HostLauncher} (ssh, network namespaces, or this machine); {@code bin/horn
 *       cluster start --workers FILE}.
 *   <li>{@link io.horn.bsp.cluster.LocalCluster}: ZooKeeper, a BSPMaster and a GroomServer (and
 *       optionally HDFS) as child JVMs, for tests ({@code try (LocalCluster c =
 *       LocalCluster.builder(dir).start())}) and for {@code bin/horn cluster start|stop|status}.
 *   <li>{@link io.horn.bsp.cluster.HornClassLoader}: the system class loader of task JVMs
 *       ({@code -Djava.system.class.loader=io.horn.bsp.cluster.HornClassLoader}).
 *   <li>{@link io.horn.bsp.cluster.ClassLoaders#ensureUrlContextLoader()}: the same fix in-process,
 *       for Hama's local mode.
 * </ul>
 */
package io.horn.bsp.cluster;
