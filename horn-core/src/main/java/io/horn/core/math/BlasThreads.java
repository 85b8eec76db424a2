package io.horn.core.math;

import static com.google.common.base.Preconditions.checkArgument;

import dev.ludovic.netlib.blas.JavaBLAS;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.SymbolLookup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who runs a BLAS call: the calling thread alone, or the BLAS library's own threads as well.
 *
 * <p>Horn's CPU engine splits every product of a step over its own threads ({@code horn.threads})
 * and fuses the element-wise work into each thread's share; that only pays when each call runs on
 * the thread that makes it. OpenBLAS starts one thread per core for every large call and, between
 * calls, puts them to sleep or lets them spin against the engine's own threads. So an engine that
 * splits its work first turns OpenBLAS's threads off with {@code openblas_set_num_threads(1)},
 * reached through the JDK's foreign linker (the JVM needs {@code --add-modules
 * jdk.incubator.foreign --enable-native-access=ALL-UNNAMED}, which {@code bin/horn}, the cluster
 * tasks and the test runner pass). The setting is the process's: every BLAS call in the JVM then
 * runs on its caller's thread, which is what several engines sharing one JVM (Hama local mode)
 * want too.
 *
 * <p>Without the linker, the library's threads are left as they are and {@link
 * #callerOnly()} tells whether they are off anyway: the pure-Java fallback and {@code
 * OPENBLAS_NUM_THREADS=1} (or {@code OMP_NUM_THREADS=1}) run on the caller.
 *
 * <p>Thread-safe: the native functions are looked up once, under the class's lock.
 */
public final class BlasThreads {
  private static final Logger LOG = LoggerFactory.getLogger(BlasThreads.class);
  private static Native nativeCalls;
  private static String unreachable;

  private BlasThreads() {}

  /** OpenBLAS's two thread functions, bound once. */
  private record Native(MethodHandle get, MethodHandle set) {}

  /**
   * Makes every BLAS call of this JVM run on its calling thread, if it can.
   *
   * @return whether calls now run on their caller only ({@link #callerOnly()})
   */
  public static synchronized boolean runOnCallers() {
    Native n = bind();
    if (n != null && threads(n) != 1) {
      setThreads(n, 1);
      LOG.info("OpenBLAS's own threads are off: the engines split products over their threads");
    }
    return callerOnly();
  }

  /**
   * Sets how many threads OpenBLAS uses per call (benchmarks compare the library's threading with
   * the engine's).
   *
   * @return false, changing nothing, where OpenBLAS's functions cannot be reached
   */
  public static synchronized boolean setLibraryThreads(int threads) {
    checkArgument(threads > 0, "threads must be positive, got %s", threads);
    Native n = bind();
    if (n == null) {
      return false;
    }
    setThreads(n, threads);
    return true;
  }

  /** OpenBLAS's threads per call, where its functions can be reached. */
  public static synchronized OptionalInt libraryThreads() {
    Native n = bind();
    return n == null ? OptionalInt.empty() : OptionalInt.of(threads(n));
  }

  /** Whether every BLAS call runs on its calling thread alone. */
  public static synchronized boolean callerOnly() {
    if (Blas.get() instanceof JavaBLAS) {
      return true;
    }
    Native n = bind();
    if (n != null) {
      return threads(n) == 1;
    }
    return "1".equals(System.getenv("OPENBLAS_NUM_THREADS"))
        || System.getenv("OPENBLAS_NUM_THREADS") == null
            && "1".equals(System.getenv("OMP_NUM_THREADS"));
  }

  /** Why OpenBLAS's threads cannot be set, or empty where they can. */
  public static synchronized Optional<String> whyUnreachable() {
    bind();
    return Optional.ofNullable(unreachable);
  }

  private static Native bind() {
    if (nativeCalls != null || unreachable != null) {
      return nativeCalls;
    }
    try {
      if (!Blas.isNative()) {
        unreachable = "the BLAS is the pure-Java fallback";
        return null;
      }
      String lib = loadedOpenBlas();
      if (lib == null) {
        unreachable = "the native libblas.so.3 is not OpenBLAS";
        return null;
      }
      nativeCalls = Foreign.bind(lib);
    } catch (LinkageError | RuntimeException e) {
      // No jdk.incubator.foreign module, native access not enabled, or no such symbol.
      unreachable = "the JVM cannot call OpenBLAS (it needs --add-modules jdk.incubator.foreign "
          + "--enable-native-access=ALL-UNNAMED): " + e;
      LOG.info("OpenBLAS's threads are left as they are: {}", unreachable);
    }
    return nativeCalls;
  }

  /**
   * The calls through the foreign linker, in a class of their own: it is loaded only inside {@link
   * #bind()}'s try, so a JVM without the incubator module fails there and nowhere else.
   */
  private static final class Foreign {
    static Native bind(String lib) {
      System.load(lib);
      SymbolLookup lookup = SymbolLookup.loaderLookup();
      CLinker linker = CLinker.getInstance();
      MethodHandle get = linker.downcallHandle(
          lookup.lookup("openblas_get_num_threads").orElseThrow(),
          MethodType.methodType(int.class), FunctionDescriptor.of(CLinker.C_INT));
      MethodHandle set = linker.downcallHandle(
          lookup.lookup("openblas_set_num_threads").orElseThrow(),
          MethodType.methodType(void.class, int.class), FunctionDescriptor.ofVoid(CLinker.C_INT));
      return new Native(get, set);
    }
  }

  /** The OpenBLAS library the BLAS binding loaded, from this process's memory map. */
  private static String loadedOpenBlas() {
    Blas.get().sdot(1, new float[1], 1, new float[1], 1);
    List<String> maps;
    try {
      maps = Files.readAllLines(Path.of("/proc/self/maps"));
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
    for (String line : maps) {
      int slash = line.indexOf('/');
      if (slash < 0) {
        continue;
      }
      String path = line.substring(slash);
      String file = path.substring(path.lastIndexOf('/') + 1);
      // Debian's libblas.so.3 alternative resolves to libopenblas*.so under openblas-*/.
      if (file.startsWith("libopenblas") || path.contains("/openblas") && file.startsWith("libblas")) {
        return path;
      }
    }
    return null;
  }

  private static int threads(Native n) {
    try {
      return (int) n.get().invokeExact();
    } catch (Throwable t) {
      throw new IllegalStateException("openblas_get_num_threads failed", t);
    }
  }

  private static void setThreads(Native n, int threads) {
    try {
      n.set().invokeExact(threads);
    } catch (Throwable t) {
      throw new IllegalStateException("openblas_set_num_threads(" + threads + ") failed", t);
    }
  }
}
