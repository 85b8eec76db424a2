package io.horn.core.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UnknownKeysTest {

  private static HornConfiguration conf(String... keyValues) {
    HornConfiguration c = new HornConfiguration();
    for (int i = 0; i < keyValues.length; i += 2) {
      c.set(keyValues[i], keyValues[i + 1]);
    }
    return c;
  }

  @Test
  void aTypoGetsTheNearestKnownKey() {
    assertEquals(List.of("unknown option horn.learning.rat (did you mean horn.learning.rate?)"),
        UnknownKeys.check(conf("horn.learning.rat", "0.5"), Set.of()));
    // A swap of two adjacent letters is one edit, so it is found even in a short key.
    assertEquals(List.of("unknown option horn.epohcs (did you mean horn.epochs?)"),
        UnknownKeys.check(conf("horn.epohcs", "3"), Set.of()));
    assertEquals(List.of("unknown option horn.batchsize (did you mean horn.batch.size?)"),
        UnknownKeys.check(conf("horn.batchsize", "3"), Set.of()));
    // Internal keys are suggested too.
    assertEquals(List.of("unknown option horn.job.tokn (did you mean horn.job.token?)"),
        UnknownKeys.check(conf("horn.job.tokn", "x"), Set.of()));
  }

  @Test
  void aFarOffKeyGetsNoSuggestion() {
    List<String> w = UnknownKeys.check(conf("horn.completely.different", "1"), Set.of());
    assertEquals(1, w.size(), w.toString());
    assertTrue(w.get(0).startsWith("unknown option horn.completely.different (no Horn option"),
        w.get(0));
    assertTrue(w.get(0).contains("docs/configuration.md"), w.get(0));
  }

  @Test
  void knownInternalAndExtraKeysGiveNothing() {
    HornConfiguration c = new HornConfiguration();
    for (ConfigOption<?> o : HornOptions.all()) {
      c.set(o.key(), String.valueOf(o.defaultValue()));
    }
    for (String k : UnknownKeys.INTERNAL) {
      c.set(k, "x");
    }
    c.set("horn.plugin.knob", "1");
    assertEquals(List.of(), UnknownKeys.check(c, Set.of("horn.plugin.knob")));
    assertEquals(List.of("unknown option horn.plugin.knob (no Horn option is spelt like it;"
        + " docs/configuration.md lists them all)"), UnknownKeys.check(c, Set.of()));
  }

  @Test
  void keysOutsideHornAreIgnored() {
    HornConfiguration c = conf("bsp.master.address", "localhost:4000", "fs.defaultFS", "file:///",
        "hornet.size", "3", "Horn.epochs", "1", "my.horn.learning.rat", "1");
    assertEquals(List.of(), UnknownKeys.check(c, Set.of()));
  }

  @Test
  void warningsComeInKeyOrderOnePerKey() {
    HornConfiguration c = conf("horn.workerz", "2", "horn.epoch", "1", "horn.epochs", "3");
    assertEquals(List.of("unknown option horn.epoch (did you mean horn.epochs?)",
        "unknown option horn.workerz (did you mean horn.workers?)"),
        UnknownKeys.check(c, Set.of()));
  }

  @Test
  void theInternalKeysAreTheOptionsMarkedInternal() {
    for (ConfigOption<?> o : HornOptions.all()) {
      assertEquals(o.isInternal(), UnknownKeys.INTERNAL.contains(o.key()), o.key());
    }
    assertEquals(Set.of("horn.job.token", "horn.bsp.local.ipc", "horn.bsp.input",
        "horn.bsp.splits", "horn.bsp.split.copies", "horn.resume.from",
        "horn.bsp.text.path", "horn.bsp.text.features", "horn.bsp.text.classes",
        "horn.test.group.delay.ms", "horn.test.snapshot.interval.steps", "horn.test.fail.step"),
        UnknownKeys.INTERNAL);
    for (String k : UnknownKeys.INTERNAL) {
      assertTrue(k.startsWith("horn."), k);
    }
  }

  @Test
  void distanceCountsEditsAndAdjacentSwaps() {
    assertEquals(0, UnknownKeys.distance("abc", "abc"));
    assertEquals(1, UnknownKeys.distance("abc", "ab"));
    assertEquals(1, UnknownKeys.distance("abc", "abd"));
    assertEquals(1, UnknownKeys.distance("abc", "acb"));
    assertEquals(3, UnknownKeys.distance("", "abc"));
    assertEquals(3, UnknownKeys.distance("kitten", "sitting"));
  }

  @Test
  void nullArgumentsAreRejected() {
    assertThrows(NullPointerException.class, () -> UnknownKeys.check(null, Set.of()));
    NullPointerException e = assertThrows(NullPointerException.class,
        () -> UnknownKeys.check(new HornConfiguration(), null));
    assertTrue(e.getMessage().contains("Set.of()"), e.getMessage());
  }
}
