package io.horn.bsp.cluster;

import org.apache.hama.GroomServerRunner;
import org.apache.hama.HamaConfiguration;

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

  private HornGroomServer() {}

  /**
   * Starts the reaper, then runs the GroomServer until it ends; exits the JVM with the
   * GroomServer's status, as Hama's runner does.
   */
  public static void main(String[] args) throws Exception {
    TaskReaper.start(new HamaConfiguration());
    GroomServerRunner.main(args);
  }
}
