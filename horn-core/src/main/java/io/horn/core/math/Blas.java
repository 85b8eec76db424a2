package io.horn.core.math;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BLAS behind the CPU backend: {@code dev.ludovic.netlib}, which binds the system's native
 * {@code libblas.so.3} (OpenBLAS on Debian with {@code libopenblas0}) and otherwise falls back to
 * a pure-Java implementation several times slower. Which one was bound is logged once.
 */
public final class Blas {
  private static final Logger LOG = LoggerFactory.getLogger(Blas.class);
  private static volatile BLAS instance;

  private Blas() {}

  /** The shared BLAS; the first call logs which implementation it is. */
  public static BLAS get() {
    BLAS b = instance;
    if (b == null) {
      synchronized (Blas.class) {
        b = instance;
        if (b == null) {
          b = BLAS.getInstance();
          instance = b;
          LOG.info("BLAS: {}", describe(b));
        }
      }
    }
    return b;
  }

  /** Whether the native (OpenBLAS or other system) library is in use. */
  public static boolean isNative() {
    return !(get() instanceof JavaBLAS);
  }

  /** One line on the implementation and, for OpenBLAS, the core type it was told to use. */
  public static String describe(BLAS b) {
    String name = b.getClass().getSimpleName();
    if (b instanceof JavaBLAS) {
      return name + " (pure Java fallback: no native libblas.so.3 was found; install "
          + "libopenblas0 for 3-5x faster training)";
    }
    String core = System.getenv("OPENBLAS_CORETYPE");
    String timeout = System.getenv("OPENBLAS_THREAD_TIMEOUT");
    return name + " (native libblas.so.3"
        + (core != null && !core.isEmpty() ? ", OPENBLAS_CORETYPE=" + core : "")
        + (timeout != null && !timeout.isEmpty() ? ", OPENBLAS_THREAD_TIMEOUT=" + timeout
            : ", OPENBLAS_THREAD_TIMEOUT unset: bin/horn sets 16, up to 40% faster steps") + ")";
  }
}
