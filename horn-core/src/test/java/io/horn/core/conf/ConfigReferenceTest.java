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
  void everyOptionIsListed() {
    String md = ConfigReference.markdown();
    for (ConfigOption<?> o : HornOptions.all()) {
      assertTrue(md.contains("`" + o.key() + "`"), o.key());
    }
  }
}
