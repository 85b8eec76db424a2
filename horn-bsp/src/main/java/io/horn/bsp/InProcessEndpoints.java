package io.horn.bsp;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.engine.ProgressBoard;
import io.horn.paramserver.ParameterServer;
import io.horn.paramserver.collective.LocalGroup;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In Hama's local mode all tasks are threads of one JVM: group members then call their leader's
 * coordinator, and leaders the parameter server, by reference instead of through IPC, which would
 * copy the whole weight vector through a socket twice per step. Keyed by the job's token and a
 * typed {@link Key}, so that what one task puts another gets back as its own type, with no cast.
 * Cluster jobs (tasks in child JVMs) and {@code horn.bsp.local.ipc=true} use IPC.
 *
 * <p>Thread-safe: tasks of one job put, get and remove concurrently.
 */
final class InProcessEndpoints {
  static final String FORCE_IPC = io.horn.core.conf.HornOptions.LOCAL_IPC.key();
  private static final Map<String, Object> ENDPOINTS = new ConcurrentHashMap<>();

  /**
   * The name and type of one endpoint of a job. Immutable; equal names are the same entry, so
   * each name is made by one factory only.
   *
   * @param <T> what the entry holds
   */
  static final class Key<T> {
    /** The submitter's live progress board, when it shows one. */
    static final Key<ProgressBoard> BOARD = new Key<>("board", ProgressBoard.class);

    final String name;
    final Class<T> type;

    /** Package-private for tests only: elsewhere keys come from the factories below. */
    Key(String name, Class<T> type) {
      this.name = checkNotNull(name, "name");
      this.type = checkNotNull(type, "type");
    }

    /** The parameter-server shard {@code shard} that serves in this JVM. */
    static Key<ParameterServer> server(int shard) {
      return new Key<>("ps" + shard, ParameterServer.class);
    }

    /** Group {@code group}'s collectives, shared by its member threads. */
    static Key<LocalGroup> group(int group) {
      return new Key<>("group" + group, LocalGroup.class);
    }

    @Override
    public String toString() {
      return name + " (" + type.getSimpleName() + ")";
    }
  }

  private InProcessEndpoints() {}

  static <T> void put(String token, Key<T> key, T endpoint) {
    checkNotNull(endpoint, "endpoint %s", key);
    // Callers with raw types could get past the compiler: the registry stays true to its keys.
    checkArgument(key.type.isInstance(endpoint),
        "in-process endpoint %s for job %s: a %s is not a %s", key.name, token, endpoint.getClass().getName(), key.type.getName());
    ENDPOINTS.put(entry(token, key), endpoint);
  }

  /** The endpoint; fails when the job has none under this key. */
  static <T> T get(String token, Key<T> key) {
    T t = find(token, key);
    if (t == null) {
      throw new IllegalStateException("no in-process endpoint " + key + " for job " + token);
    }
    return t;
  }

  /** The endpoint, or null when there is none; fails when the entry is of another type. */
  static <T> T find(String token, Key<T> key) {
    Object o = ENDPOINTS.get(entry(token, key));
    if (o != null && !key.type.isInstance(o)) {
      throw new IllegalStateException("in-process endpoint " + key.name + " for job " + token
          + " is a " + o.getClass().getName() + ", not a " + key.type.getName());
    }
    return key.type.cast(o);
  }

  static void remove(String token, Key<?> key) {
    ENDPOINTS.remove(entry(token, key));
  }

  private static String entry(String token, Key<?> key) {
    return checkNotNull(token, "token") + "/" + key.name;
  }
}
