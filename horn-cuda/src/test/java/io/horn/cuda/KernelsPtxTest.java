package io.horn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The kernels' PTX is in the build whenever the machine has nvcc (and may be carried over to one
 * without), holds every kernel {@link Kernels} names and was built from the current source; the
 * launch-shape arithmetic. Needs no GPU.
 */
class KernelsPtxTest {

  /** nvcc where src/main/cuda/build-ptx.sh looks for it, or empty. */
  static Optional<Path> nvcc() {
    String forced = System.getenv("HORN_NVCC");
    if ("none".equals(forced)) {
      return Optional.empty();
    }
    if (forced != null && !forced.isEmpty()) {
      return Optional.of(Paths.get(forced));
    }
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(Pattern.quote(File.pathSeparator))));
    }
    for (String env : new String[] {"CUDA_HOME", "CUDA_PATH"}) {
      String home = System.getenv(env);
      if (home != null && !home.isEmpty()) {
        dirs.add(home + "/bin");
      }
    }
    dirs.add("/usr/local/cuda/bin");
    dirs.add("/usr/local/bin");
    for (String d : dirs) {
      if (d.isEmpty()) {
        continue;
      }
      Path p = Paths.get(d, "nvcc");
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static List<String> entries(String ptx) {
    List<String> names = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^\\.visible \\.entry (\\w+)\\(").matcher(ptx);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  @Test
  void ptxIsBuiltWithNvccAndHoldsEveryKernel() throws Exception {
    Optional<Path> nvcc = nvcc();
    String ptx = Kernels.ptx();
    if (nvcc.isEmpty() && ptx == null) {
      assertFalse(Kernels.ptxAvailable());
      Assumptions.abort("nvcc not found (PATH, $CUDA_HOME/bin, $CUDA_PATH/bin, /usr/local/cuda/bin,"
          + " /usr/local/bin) and no PTX carried over: horn-cuda was built without PTX, nothing"
          + " more to check");
    }
    // With nvcc the build must have made the PTX; without it (a GPU machine with a driver but no
    // toolkit) a PTX carried over from a build machine is checked the same way.
    assertNotNull(ptx, "nvcc is at " + nvcc.orElse(null) + " but the build produced no "
        + Kernels.PTX_RESOURCE + " (see the [horn-cuda] lines of the build log)");
    assertTrue(Kernels.ptxAvailable());
    assertTrue(ptx.contains(".address_size 64"), "64-bit PTX");
    assertTrue(Pattern.compile("(?m)^\\.version \\d+\\.\\d+$").matcher(ptx).find(),
        "PTX declares its ISA version");
    assertTrue(Pattern.compile("(?m)^\\.target sm_\\d+").matcher(ptx).find(),
        "PTX declares its target");
    for (String name : Kernels.ALL) {
      assertTrue(ptx.contains(".entry " + name + "("), "no .entry " + name + " in the PTX");
    }
    assertEquals(new HashSet<>(Kernels.ALL), new HashSet<>(entries(ptx)),
        "the PTX's kernels and Kernels.ALL differ");
    Path source = Paths.get("src/main/cuda/horn_kernels.cu");
    if (Files.isRegularFile(source)) {
      String sha = sha256(Files.readAllBytes(source));
      assertTrue(ptx.contains("// horn-kernels-source-sha256: " + sha), "the PTX on the class path"
          + " was not built from " + source.toAbsolutePath() + " (sha256 " + sha + "): stale"
          + " build output or a PTX carried from another version");
    }
  }

  /** A GPU machine with a driver but no toolkit keeps the PTX carried over from a build machine. */
  @Test
  void buildWithoutNvccKeepsACarriedPtx(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path carried = dir.resolve("carried/horn_kernels.ptx");
    Files.createDirectories(carried.getParent());
    Files.writeString(carried, ".version 8.0\n// carried over\n");
    Path none = dir.resolve("none/horn_kernels.ptx");
    for (Path out : new Path[] {carried, none}) {
      ProcessBuilder pb = new ProcessBuilder("bash", "src/main/cuda/build-ptx.sh",
          "src/main/cuda/horn_kernels.cu", out.toString()).redirectErrorStream(true);
      pb.environment().put("HORN_NVCC", "none");
      Process p = pb.start();
      String log = new String(p.getInputStream().readAllBytes());
      assertEquals(0, p.waitFor(), log);
      assertTrue(log.contains("nvcc not found"), log);
    }
    assertEquals(".version 8.0\n// carried over\n", Files.readString(carried));
    assertFalse(Files.exists(none), "no PTX is made without nvcc");
  }

  private static String sha256(byte[] data) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (byte b : java.security.MessageDigest.getInstance("SHA-256").digest(data)) {
      sb.append(String.format("%02x", b));
    }
    return sb.toString();
  }

  @Test
  void kernelNamesAreDistinct() {
    assertEquals(Kernels.ALL.size(), new HashSet<>(Kernels.ALL).size());
    assertEquals(21, Kernels.ALL.size());
    assertTrue(Kernels.ALL.contains(Kernels.SGEMM_TILED));
    assertTrue(Kernels.ALL.contains(Kernels.MOMENTUM_SGD));
  }

  @Test
  void gridCoversTheElementsInWholeBlocks() {
    assertArrayEquals(new int[] {1, 256}, Kernels.grid(0, 256, 4096));
    assertArrayEquals(new int[] {1, 256}, Kernels.grid(1, 256, 4096));
    assertArrayEquals(new int[] {1, 256}, Kernels.grid(256, 256, 4096));
    assertArrayEquals(new int[] {2, 256}, Kernels.grid(257, 256, 4096));
    assertArrayEquals(new int[] {40, 128}, Kernels.grid(5_000, 128, 4096));
    assertArrayEquals(new int[] {7, 1}, Kernels.grid(7, 1, 4096));
  }

  @Test
  void gridIsCappedForGridStrideLoops() {
    assertArrayEquals(new int[] {4096, 256}, Kernels.grid(4096L * 256 + 1, 256, 4096));
    assertArrayEquals(new int[] {4096, 256}, Kernels.grid(1_000_000_000L, 256, 4096));
    assertArrayEquals(new int[] {Integer.MAX_VALUE, 1},
        Kernels.grid(Long.MAX_VALUE - 1, 1, Integer.MAX_VALUE));
    assertArrayEquals(new int[] {1, 1024}, Kernels.grid(10_000, 1024, 1));
  }

  @Test
  void gridRejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> Kernels.grid(-1, 256, 10));
    assertThrows(IllegalArgumentException.class, () -> Kernels.grid(10, 0, 10));
    assertThrows(IllegalArgumentException.class, () -> Kernels.grid(10, 256, 0));
  }

  @Test
  void tilesCoverCWithSixteenBySixteenBlocks() {
    assertEquals(16, Kernels.TILE);
    assertArrayEquals(new int[] {1, 1, 16, 16}, Kernels.tiles(1, 1));
    assertArrayEquals(new int[] {1, 1, 16, 16}, Kernels.tiles(16, 16));
    assertArrayEquals(new int[] {2, 3, 16, 16}, Kernels.tiles(17, 33));
    assertArrayEquals(new int[] {49, 8, 16, 16}, Kernels.tiles(784, 128));
    assertArrayEquals(new int[] {1, 1, 16, 16}, Kernels.tiles(0, 0));
    assertArrayEquals(new int[] {134_217_728, 1, 16, 16}, Kernels.tiles(Integer.MAX_VALUE, 1));
  }

  @Test
  void tilesCapGridYAndRejectNegativeSizes() {
    assertArrayEquals(new int[] {1, 65_535, 16, 16}, Kernels.tiles(16, 16 * 70_000));
    assertThrows(IllegalArgumentException.class, () -> Kernels.tiles(-1, 4));
    assertThrows(IllegalArgumentException.class, () -> Kernels.tiles(4, -1));
  }

  @Test
  void columnsGiveABlockPerColumnAndWholeWarps() {
    assertArrayEquals(new int[] {128, 32}, Kernels.columns(128, 10, 65_535, 256));
    assertArrayEquals(new int[] {1, 32}, Kernels.columns(0, 0, 65_535, 256));
    assertArrayEquals(new int[] {3, 64}, Kernels.columns(3, 33, 65_535, 256));
    assertArrayEquals(new int[] {65_535, 256}, Kernels.columns(100_000, 1000, 65_535, 256));
    assertArrayEquals(new int[] {2, 1024}, Kernels.columns(2, Integer.MAX_VALUE, 65_535, 1024));
    assertThrows(IllegalArgumentException.class, () -> Kernels.columns(1, 1, 1, 2048));
    assertThrows(IllegalArgumentException.class, () -> Kernels.columns(1, 1, 0, 256));
  }
}
