package io.horn.core.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.TrainingMethod;
import org.junit.jupiter.api.Test;

class ConfigOptionTest {

  private static void assertMentions(Throwable e, String... parts) {
    String m = String.valueOf(e.getMessage());
    for (String p : parts) {
      assertTrue(m.contains(p), "message '" + m + "' should mention '" + p + "'");
    }
  }

  @Test
  void floatBreakingTheRuleNamesKeyValueAndRule() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HornOptions.LEARNING_RATE.parse("-1"));
    assertMentions(e, "horn.learning.rate", "-1", "> 0");
  }

  @Test
  void typedCheckNamesKeyAndValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HornOptions.MOMENTUM_WEIGHT.check(1.5f));
    assertMentions(e, "horn.momentum.weight", "1.5", "[0, 1)");
    assertEquals(0.5f, HornOptions.MOMENTUM_WEIGHT.check(0.5f));
  }

  @Test
  void floatsMustBeFinite() {
    for (String bad : new String[] {"NaN", "Infinity"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> HornOptions.REGULARIZATION_WEIGHT.parse(bad));
      assertMentions(e, "horn.regularization.weight", bad, "finite");
    }
  }

  @Test
  void nonNumericIntNamesKeyAndValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HornOptions.BATCH_SIZE.parse("abc"));
    assertMentions(e, "horn.batch.size", "abc", "integer");
    // the rule is checked after parsing, too
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
        () -> HornOptions.BATCH_SIZE.parse("0"));
    assertMentions(zero, "horn.batch.size", "0");
  }

  @Test
  void numbersAreTrimmedAndParsed() {
    assertEquals(64, HornOptions.BATCH_SIZE.parse(" 64 "));
    assertEquals(123456789012L, HornOptions.MAX_ITERATIONS.parse("123456789012"));
    assertEquals(0.25f, HornOptions.LEARNING_RATE.parse("0.25"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HornOptions.MAX_ITERATIONS.parse("-3"));
    assertMentions(e, "horn.max.iterations", "-3");
  }

  @Test
  void enumsParseCaseInsensitivelyAndWithDashes() {
    ConfigOption<TrainingMethod> o = HornOptions.TRAINING_METHOD;
    assertSame(TrainingMethod.ADAM, o.parse("adam"));
    assertSame(TrainingMethod.ADAM, o.parse(" Adam "));
    assertSame(TrainingMethod.GRADIENT_DESCENT, o.parse("gradient_descent"));
    assertSame(TrainingMethod.GRADIENT_DESCENT, o.parse("Gradient-Descent"));
  }

  @Test
  void unknownEnumNameListsTheChoices() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HornOptions.TRAINING_METHOD.parse("sgd"));
    assertMentions(e, "horn.training.method", "sgd", "GRADIENT_DESCENT", "ADAM");
  }

  @Test
  void booleansAcceptOnlyTrueAndFalse() {
    ConfigOption<Boolean> o = HornOptions.SHUFFLE;
    assertEquals(true, o.parse("true"));
    assertEquals(true, o.parse("TRUE"));
    assertEquals(false, o.parse(" False "));
    for (String bad : new String[] {"yes", "no", "1", "0", "on", ""}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> o.parse(bad), bad);
      assertMentions(e, "horn.shuffle", "'" + bad + "'");
    }
  }

  @Test
  void stringRulesApply() {
    assertEquals("he", HornOptions.INITIALIZATION.parse("he"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HornOptions.INITIALIZATION.parse("gaussian"));
    assertMentions(e, "horn.init", "gaussian", "auto xavier he");
  }

  @Test
  void nullValuesAreRejectedNamingTheKey() {
    NullPointerException e = assertThrows(NullPointerException.class,
        () -> HornOptions.LEARNING_RATE.parse(null));
    assertMentions(e, "horn.learning.rate");
    NullPointerException c = assertThrows(NullPointerException.class,
        () -> HornOptions.LEARNING_RATE.check(null));
    assertMentions(c, "horn.learning.rate");
  }

  @Test
  void aDefaultThatBreaksItsOwnRuleIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ConfigOption.intOption("test.size", 0, "a size", v -> v > 0, "> 0"));
    assertMentions(e, "test.size", "0");
    assertThrows(IllegalArgumentException.class,
        () -> ConfigOption.floatOption("test.rate", Float.NaN, "a rate", v -> true, "any"));
    assertThrows(IllegalArgumentException.class,
        () -> ConfigOption.intOption("", 1, "empty key", v -> true, "any"));
  }

  @Test
  void accessorsDescribeTheOption() {
    ConfigOption<Long> o = ConfigOption.longOption("test.steps", 7L, "Steps.", v -> v >= 0,
        ">= 0");
    assertEquals("test.steps", o.key());
    assertEquals(Long.class, o.type());
    assertEquals(7L, o.defaultValue());
    assertEquals("Steps.", o.description());
    assertEquals(">= 0", o.ruleText());
    assertTrue(o.toString().contains("test.steps"));
    assertEquals(TrainingMethod.class, HornOptions.TRAINING_METHOD.type());
  }
}
