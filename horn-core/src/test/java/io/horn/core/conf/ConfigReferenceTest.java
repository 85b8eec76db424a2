package io.horn.core.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

class ConfigReferenceTest {
  @Test
  void docsMatchTheOptions() throws Exception {
    Path doc = Paths.get("..", "docs", "configuration.md");
    assertTrue(Files.exists(doc), "docs/configuration.md is missing");
    assertEquals(ConfigReference.markdown(), new String(Files.readAllBytes(doc),
        StandardCharsets.UTF_8), "docs/configuration.md is stale: regenerate it with "
        + "bin/horn class io.horn.core.conf.ConfigReference > docs/configuration.md");
  }

  @Test
  void testHooksAreListedApartFromTheUserOptions() {
    String md = ConfigReference.markdown();
    int internal = md.indexOf("## Internal keys");
    assertTrue(internal > 0, md);
    for (ConfigOption<?> o : HornOptions.all()) {
      boolean hook = o.description().startsWith("Test hook") || o.key().startsWith("horn.test.")
          && !o.key().equals("horn.test.path");
      if (hook) {
        assertTrue(o.isInternal(), o.key() + " is a test hook: mark it internal()");
      }
      int at = md.indexOf("`" + o.key() + "`");
      assertTrue(o.isInternal() ? at > internal : at < internal, o.key());
    }
    assertTrue(UnknownKeys.INTERNAL.contains("horn.bsp.local.ipc"));
    assertTrue(md.indexOf("`horn.rpc.host`") < internal, "horn.rpc.host is a user option");
  }

  @Test
  void everyOptionIsListed() {
    String md = ConfigReference.markdown();
    for (ConfigOption<?> o : HornOptions.all()) {
      assertTrue(md.contains("`" + o.key() + "`"), o.key());
    }
  }
}
