package io.horn.bsp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In Hama's local mode all tasks are threads of one JVM: group members then call their leader's
 * coordinator, and leaders the parameter server, by reference instead of through IPC, which would
 * copy the whole weight vector through a socket twice per step. Keyed by the job's token.
 * Cluster jobs (tasks in child JVMs) and {@code horn.bsp.local.ipc=true} use IPC.
 */
final class InProcessEndpoints {
  static final String FORCE_IPC = io.horn.core.conf.HornOptions.LOCAL_IPC.key();
  private static final Map<String, Object> ENDPOINTS = new ConcurrentHashMap<>();

  private InProcessEndpoints() {}

  static void put(String token, String name, Object endpoint) {
    ENDPOINTS.put(token + "/" + name, endpoint);
  }

  static Object get(String token, String name) {
    Object o = ENDPOINTS.get(token + "/" + name);
    if (o == null) {
      throw new IllegalStateException("no in-process endpoint " + name + " for job " + token);
    }
    return o;
  }

  /** The endpoint, or null when there is none. */
  static Object find(String token, String name) {
    return ENDPOINTS.get(token + "/" + name);
  }

  static void remove(String token, String name) {
    ENDPOINTS.remove(token + "/" + name);
  }
}
