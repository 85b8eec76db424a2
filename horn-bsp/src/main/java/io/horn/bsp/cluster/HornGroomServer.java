package io.horn.bsp.cluster;

import org.apache.hadoop.util.StringUtils;
import org.apache.hama.HamaConfiguration;
import org.apache.hama.bsp.GroomServer;

/**
 * Horn's GroomServer entry point: Hama 0.7.1's GroomServer ({@link GroomServerRunner#main}, same
 * arguments: none, or the peer host name) plus a {@link TaskReaper} on a daemon thread, which
 * SIGKILLs task JVMs that outlive their job (Hama ends them with SIGTERM only, which a stopped
 * JVM never acts on). The one-machine cluster ({@link LocalCluster}) starts its GroomServer
 * through this class.
 *
 * <p>The reaper reads the same configuration the GroomServer does (a fresh {@link
 * HamaConfiguration}: {@code hama-default.xml} and {@code hama-site.xml} from the class path), so
 * {@code bsp.master.address} and the {@code horn.reaper.*} keys come from the cluster's {@code
 * hama-site.xml}. Like Hama's runner, it ignores {@code -D} options on the command line.
 */
public final class HornGroomServer {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(HornGroomServer.class);

  private HornGroomServer() {}

  /**
   * Starts the reaper, then runs the GroomServer until it ends; exits the JVM with the
   * GroomServer's status, as Hama's runner does.
   */
  public static void main(String[] args) throws Exception {
    // As Hama's GroomServerRunner does, but keeping the groom for the reaper.
    StringUtils.startupShutdownMessage(GroomServer.class, args, LOG);
    int status = 0;
    try {
      HamaConfiguration conf = new HamaConfiguration();
      if (args.length == 1) {
        conf.set("bsp.peer.hostname", args[0]);
      }
      GroomServer groom = GroomServer.constructGroomServer(GroomServer.class, conf);
      TaskReaper.start(conf, GroomReports.of(groom));
      GroomServer.startGroomServer(groom).join();
    } catch (Throwable e) {
      LOG.error("the GroomServer failed", e);
      status = -1;
    }
    System.exit(status);
  }
}
