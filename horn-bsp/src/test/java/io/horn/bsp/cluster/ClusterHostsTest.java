package io.horn.bsp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The workers file as Hadoop writes it, and the mistakes an operator makes in it. */
class ClusterHostsTest {
  @TempDir
  Path dir;

  private Path file(String text) throws IOException {
    return Files.writeString(dir.resolve("workers"), text);
  }

  @Test
  void readsOneHostPerLineSkippingCommentsAndBlankLines() throws IOException {
    List<String> hosts = ClusterHosts.readWorkers(file(
        "# rack 1\nnode-1.example.com\n\n  10.0.0.2   # second\nnode3\n"));
    assertEquals(List.of("node-1.example.com", "10.0.0.2", "node3"), hosts);
    ClusterHosts c = new ClusterHosts("10.0.0.2", hosts);
    assertEquals(List.of("10.0.0.2", "node-1.example.com", "node3"), c.all(),
        "the master first, a worker that is also the master once");
  }

  @Test
  void refusesDuplicatesBadNamesEmptyFilesAndMissingFiles() throws IOException {
    IOException e = assertThrows(IOException.class,
        () -> ClusterHosts.readWorkers(file("a\nb\na\n")));
    assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("twice"),
        e.getMessage());
    e = assertThrows(IOException.class,
        () -> ClusterHosts.readWorkers(file("good\nbad host name\n")));
    assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("'bad host name'"),
        e.getMessage());
    e = assertThrows(IOException.class, () -> ClusterHosts.readWorkers(file("# none\n\n")));
    assertTrue(e.getMessage().contains("lists no host"), e.getMessage());
    e = assertThrows(IOException.class,
        () -> ClusterHosts.readWorkers(dir.resolve("missing")));
    assertTrue(e.getMessage().contains("no such workers file"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ClusterHosts("m", List.of()));
    assertThrows(IllegalArgumentException.class,
        () -> new ClusterHosts("m;rm -rf /", List.of("w")));
  }
}
