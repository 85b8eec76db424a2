package io.horn.core.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.TrainingMethod;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HornConfigurationTest {

  @TempDir
  Path dir;

  private static void assertMentions(Throwable e, String... parts) {
    String m = String.valueOf(e.getMessage());
    for (String p : parts) {
      assertTrue(m.contains(p), "message '" + m + "' should mention '" + p + "'");
    }
  }

  private Path write(String name, String xml) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, xml.getBytes(StandardCharsets.UTF_8));
    return f;
  }

  private static String property(String name, String value) {
    return "  <property><name>" + name + "</name><value>" + value + "</value></property>\n";
  }

  @Test
  void unsetOptionsReadTheirDefaults() {
    HornConfiguration c = new HornConfiguration();
    assertEquals(0.1f, c.get(HornOptions.LEARNING_RATE));
    assertEquals(128, c.get(HornOptions.BATCH_SIZE));
    assertSame(TrainingMethod.GRADIENT_DESCENT, c.get(HornOptions.TRAINING_METHOD));
    assertFalse(c.isSet(HornOptions.LEARNING_RATE));
  }

  @Test
  void badRawValueFailsWhenReadNamingKeyAndValue() {
    HornConfiguration c = new HornConfiguration().set("horn.learning.rate", "-1");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> c.get(HornOptions.LEARNING_RATE));
    assertMentions(e, "horn.learning.rate", "-1");

    c.set("horn.batch.size", "abc");
    IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
        () -> c.get(HornOptions.BATCH_SIZE));
    assertMentions(b, "horn.batch.size", "abc");

    c.set("horn.shuffle", "yes");
    IllegalArgumentException s = assertThrows(IllegalArgumentException.class,
        () -> c.get(HornOptions.SHUFFLE));
    assertMentions(s, "horn.shuffle", "yes");
  }

  @Test
  void validateReportsTheFirstBadOption() {
    HornConfiguration c = new HornConfiguration().set("horn.epochs", "many");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::validate);
    assertMentions(e, "horn.epochs", "many");
    c.set("horn.epochs", "3");
    c.validate();
  }

  @Test
  void typedSetRejectsBadValueAndKeepsTheOldOne() {
    HornConfiguration c = new HornConfiguration().set(HornOptions.LEARNING_RATE, 0.5f);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> c.set(HornOptions.LEARNING_RATE, -0.1f));
    assertMentions(e, "horn.learning.rate", "-0.1");
    assertEquals(0.5f, c.get(HornOptions.LEARNING_RATE));
    assertEquals("0.5", c.getRaw("horn.learning.rate"));
  }

  @Test
  void enumValuesParseCaseInsensitively() {
    HornConfiguration c = new HornConfiguration().set("horn.training.method", "adam");
    assertSame(TrainingMethod.ADAM, c.get(HornOptions.TRAINING_METHOD));
    c.set(HornOptions.TRAINING_METHOD, TrainingMethod.GRADIENT_DESCENT);
    assertEquals("GRADIENT_DESCENT", c.getRaw("horn.training.method"));
    assertSame(TrainingMethod.GRADIENT_DESCENT, c.get(HornOptions.TRAINING_METHOD));
  }

  @Test
  void copyIsIndependentAndUnsetRestoresTheDefault() {
    HornConfiguration a = new HornConfiguration().set(HornOptions.EPOCHS, 3);
    HornConfiguration b = a.copy();
    b.set(HornOptions.EPOCHS, 5);
    assertEquals(3, a.get(HornOptions.EPOCHS));
    assertEquals(5, b.get(HornOptions.EPOCHS));
    b.unset("horn.epochs");
    assertEquals(10, b.get(HornOptions.EPOCHS));
    assertTrue(a.isSet(HornOptions.EPOCHS));
    assertThrows(UnsupportedOperationException.class, () -> a.asMap().put("x", "y"));
  }

  @Test
  void xmlValuesAreReadBackThroughOptions() throws IOException {
    Path f = write("horn-site.xml", "<?xml version=\"1.0\"?>\n<configuration>\n"
        + property("horn.learning.rate", " 0.05 ")
        + property("horn.batch.size", "32")
        + property("horn.training.method", "adam")
        + property("horn.shuffle", "false")
        + property("hama.some.key", "kept")
        + "  <property><name>horn.test.path</name></property>\n"
        + "</configuration>\n");
    HornConfiguration c = new HornConfiguration().addResource(f);
    assertEquals(0.05f, c.get(HornOptions.LEARNING_RATE));
    assertEquals(32, c.get(HornOptions.BATCH_SIZE));
    assertSame(TrainingMethod.ADAM, c.get(HornOptions.TRAINING_METHOD));
    assertEquals(false, c.get(HornOptions.SHUFFLE));
    assertEquals("kept", c.getRaw("hama.some.key"));
    assertEquals("", c.get(HornOptions.TEST_PATH));
    assertTrue(c.isSet(HornOptions.TEST_PATH));
    assertEquals(10, c.get(HornOptions.EPOCHS), "untouched options keep their default");
  }

  @Test
  void laterResourcesWin() throws IOException {
    Path a = write("a.xml", "<configuration>" + property("horn.epochs", "3")
        + property("horn.seed", "1") + "</configuration>");
    Path b = write("b.xml", "<configuration>" + property("horn.epochs", "7") + "</configuration>");
    HornConfiguration c = new HornConfiguration().addResource(a).addResource(b);
    assertEquals(7, c.get(HornOptions.EPOCHS));
    assertEquals(1L, c.get(HornOptions.SEED));
  }

  @Test
  void badValueInXmlFailsWhenReadNamingTheKey() throws IOException {
    Path f = write("bad.xml", "<configuration>" + property("horn.momentum.weight", "2")
        + "</configuration>");
    HornConfiguration c = new HornConfiguration().addResource(f);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> c.get(HornOptions.MOMENTUM_WEIGHT));
    assertMentions(e, "horn.momentum.weight", "2");
  }

  @Test
  void malformedXmlIsAnIoExceptionNamingTheFile() throws IOException {
    Path f = write("broken-site.xml", "<configuration><property><name>horn.epochs</name>"
        + "<value>3</value></property>");
    IOException e = assertThrows(IOException.class, () -> new HornConfiguration().addResource(f));
    assertMentions(e, f.toString());
  }

  @Test
  void wrongRootElementIsRejected() throws IOException {
    Path f = write("wrong-root.xml", "<settings>" + property("horn.epochs", "3") + "</settings>");
    IOException e = assertThrows(IOException.class, () -> new HornConfiguration().addResource(f));
    assertMentions(e, f.toString(), "<configuration>", "<settings>");
  }

  @Test
  void propertyWithoutNameIsRejected() throws IOException {
    Path f = write("no-name.xml", "<configuration>" + property("horn.epochs", "3")
        + "<property><value>4</value></property></configuration>");
    HornConfiguration c = new HornConfiguration();
    IOException e = assertThrows(IOException.class, () -> c.addResource(f));
    assertMentions(e, f.toString(), "#2", "<name>");

    Path empty = write("empty-name.xml",
        "<configuration><property><name></name><value>4</value></property></configuration>");
    assertThrows(IOException.class, () -> new HornConfiguration().addResource(empty));
  }

  @Test
  void missingFileIsNoSuchFile() {
    Path f = dir.resolve("absent.xml");
    NoSuchFileException e = assertThrows(NoSuchFileException.class,
        () -> new HornConfiguration().addResource(f));
    assertMentions(e, f.toString());
  }

  @Test
  void doctypeDeclarationsAreRefused() throws IOException {
    Path secret = write("secret.txt", "do not read");
    String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE configuration [<!ENTITY x SYSTEM \""
        + secret.toUri() + "\">]>\n<configuration>" + property("horn.model.path", "&x;")
        + "</configuration>";
    HornConfiguration c = new HornConfiguration();
    IOException e = assertThrows(IOException.class,
        () -> c.addResource(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)),
            "evil.xml"));
    assertMentions(e, "evil.xml");
    assertNull(c.getRaw("horn.model.path"));
  }

  @Test
  void everyOptionHasAUniqueKeyADescriptionAndAValidDefault() {
    Set<String> keys = new HashSet<>();
    assertTrue(HornOptions.all().size() >= 20, "options: " + HornOptions.all().size());
    for (ConfigOption<?> o : HornOptions.all()) {
      assertTrue(keys.add(o.key()), "duplicate key " + o.key());
      assertTrue(o.key().startsWith("horn."), o.key());
      assertFalse(o.description().trim().isEmpty(), "no description for " + o.key());
      assertFalse(o.ruleText().trim().isEmpty(), "no rule text for " + o.key());
      checkDefault(o);
      // a default written out as text parses back to itself
      Object reparsed = o.parse(String.valueOf(o.defaultValue()));
      assertEquals(o.defaultValue(), reparsed, o.key());
    }
    assertTrue(keys.contains("horn.learning.rate"));
    assertTrue(keys.contains("horn.runner"));
    new HornConfiguration().validate();
  }

  private static <T> void checkDefault(ConfigOption<T> o) {
    T def = o.defaultValue();
    assertTrue(def != null, "null default for " + o.key());
    assertEquals(def, o.check(def), o.key());
  }

  @Test
  void settingsWithNoEndFailNamingBothKeys() {
    HornConfiguration c = new HornConfiguration().set(HornOptions.EPOCHS, 0)
        .set(HornOptions.MAX_ITERATIONS, 0L);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrainingSettings.from(c));
    assertMentions(e, "horn.epochs", "horn.max.iterations");

    c.set(HornOptions.MAX_ITERATIONS, 5L);
    TrainingSettings s = TrainingSettings.from(c);
    assertEquals(0, s.epochs);
    assertEquals(5L, s.maxIterations);
  }

  @Test
  void settingsReadEveryOptionAndFailOnABadOne() {
    HornConfiguration c = new HornConfiguration()
        .set("horn.learning.rate", "0.02")
        .set("horn.training.method", "Adam")
        .set("horn.batch.size", "16")
        .set("horn.seed", "-9")
        .set("horn.neuron.fastpath", "false");
    TrainingSettings s = TrainingSettings.from(c);
    assertEquals(0.02f, s.learningRate);
    assertSame(TrainingMethod.ADAM, s.method);
    assertEquals(16, s.batchSize);
    assertEquals(-9L, s.seed);
    assertFalse(s.fastPath);
    assertEquals(0.9f, s.momentumWeight);

    TrainingSettings d = TrainingSettings.defaults();
    assertEquals(HornOptions.EPOCHS.defaultValue(), d.epochs);
    assertEquals(HornOptions.LEARNING_RATE.defaultValue(), d.learningRate);

    c.set("horn.adam.beta2", "1");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrainingSettings.from(c));
    assertMentions(e, "horn.adam.beta2", "1");
  }
}
