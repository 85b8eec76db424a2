package io.horn.bsp.cluster;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Stopping process trees, deleting directories inside a work directory. */
final class Processes {

  private Processes() {}

  /**
   * Sends SIGTERM to every process in {@code roots} and to all their descendants (taken before any
   * is signalled, since orphans lose their place in the tree), waits up to {@code grace}, then sends
   * SIGKILL to what is left and waits up to 5 s more.
   *
   * @return the processes still alive at the end (normally none)
   */
  static List<ProcessHandle> terminate(List<ProcessHandle> roots, Duration grace) {
    Set<ProcessHandle> all = new LinkedHashSet<>();
    for (ProcessHandle r : roots) {
      r.descendants().forEach(all::add);
      all.add(r);
    }
    for (ProcessHandle h : all) {
      if (h.isAlive()) {
        h.destroy();
      }
    }
    if (!awaitGone(all, grace)) {
      for (ProcessHandle h : all) {
        if (h.isAlive()) {
          h.destroyForcibly();
        }
      }
      awaitGone(all, Duration.ofSeconds(5));
    }
    List<ProcessHandle> left = new ArrayList<>();
    for (ProcessHandle h : all) {
      if (h.isAlive()) {
        left.add(h);
      }
    }
    return left;
  }

  private static boolean awaitGone(Set<ProcessHandle> all, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean any = false;
      for (ProcessHandle h : all) {
        if (h.isAlive()) {
          any = true;
          break;
        }
      }
      if (!any) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** Deletes {@code dir} recursively, refusing anything that is not strictly inside {@code root}. */
  static void deleteTree(Path dir, Path root) throws IOException {
    Path d = dir.toAbsolutePath().normalize();
    Path r = root.toAbsolutePath().normalize();
    if (!d.startsWith(r) || d.equals(r)) {
      throw new IOException("refusing to delete " + d + ": not inside " + r);
    }
    if (!Files.exists(d)) {
      return;
    }
    Files.walkFileTree(d, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path p, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(p);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
