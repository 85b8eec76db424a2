package io.horn.examples.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code horn info}: layers, cost, parameters, file, provenance; no classes loaded. */
class InfoCommandTest {
  @TempDir
  Path tmp;

  private static Map<String, String> provenance() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("trained.at", "2024-05-01T10:00:00Z");
    m.put("trained.steps", "4690");
    m.put("test.accuracy", "0.9812");
    m.put("data.training", "/data/mnist");
    m.put("data.test", "/data/mnist#t10k");
    m.put("layout", "2 groups x 2 workers + PS");
    m.put("conf.horn.learning.rate", "0.05");
    m.put("conf.horn.batch.size", "128");
    m.put("conf.bsp.peers.num", "4");
    m.put("ps.steps", "900");
    m.put("group.10.steps", "300");
    m.put("group.2.steps", "600");
    m.put("history.group.0", "0.10:100:0.5:;0.20:200:0.3:0.9100;0.30:300:0.2:0.9500");
    m.put("history.group.1", "");
    m.put("custom.note", "first line\nsecond line");
    return m;
  }

  @Test
  void printsLayersCostParametersAndProvenance() throws Exception {
    Path model = ToolFixtures.save(ToolFixtures.argmaxModel(provenance()), tmp.resolve("m.bin"));

    ToolFixtures.Result r = ToolFixtures.run("info", model.toString());

    assertEquals(0, r.status, r.toString());
    assertEquals("", r.err);
    List<String> lines = r.outLines();
    assertEquals("model:      " + model, lines.get(0));
    assertEquals("file:       " + Files.size(model) + " bytes ("
        + InfoCommand.humanBytes(Files.size(model)) + "), format version 1", lines.get(1));
    assertEquals("layers:     2 (3-10)", lines.get(2));
    assertEquals("  #  size  activation  neuron          drop  parameters", lines.get(3));
    assertEquals("  0     3  Identity    StandardNeuron     0           -", lines.get(4));
    assertEquals("  1    10  SoftMax     StandardNeuron     0          40", lines.get(5));
    assertEquals("cost:       CrossEntropy", lines.get(6));
    assertEquals("parameters: 40", lines.get(7));

    assertTrue(r.out.contains("\n  date:           2024-05-01T10:00:00Z\n"), r.out);
    assertTrue(r.out.contains("\n  training data:  /data/mnist\n"), r.out);
    assertTrue(r.out.contains("\n  test data:      /data/mnist#t10k\n"), r.out);
    assertTrue(r.out.contains("\n  test accuracy:  0.9812\n"), r.out);
    assertTrue(r.out.contains("\n  steps:          4690\n"), r.out);
    assertTrue(r.out.contains("\n  layout:         2 groups x 2 workers + PS\n"), r.out);
    assertTrue(r.out.contains("\n  custom.note:    first line\\nsecond line\n"), r.out);
    assertTrue(r.out.contains("configuration (conf.horn.*):\n"
        + "  horn.batch.size     =  128\n"
        + "  horn.learning.rate  =  0.05\n"
        + "  (1 other conf.* entries not shown)\n"), r.out);
    assertTrue(r.out.contains("parameter server and groups (ps.*, group.*):\n"
        + "  group.2.steps   =  600\n"
        + "  group.10.steps  =  300\n"
        + "  ps.steps        =  900\n"), r.out);
    assertTrue(r.out.contains("history (progress records, not shown):\n"
        + "  history.group.0:  3 records\n"
        + "  history.group.1:  0 records\n"), r.out);
    assertFalse(r.out.contains("0.9500"), "history values are not printed");
    assertFalse(r.out.contains("bsp.peers"), "only conf.horn.* entries are printed");
  }

  @Test
  void describesAModelWhoseClassesAreMissing() throws Exception {
    Path model = ToolFixtures.save(ToolFixtures.argmaxModel(Map.of()), tmp.resolve("m.bin"));
    String real = "io.horn.core.activation.Identity";
    String fake = "io.horn.core.activation.Idxntity";
    replaceAndReseal(model, real, fake);

    ToolFixtures.Result info = ToolFixtures.run("info", model.toString());
    assertEquals(0, info.status, info.toString());
    assertTrue(info.out.contains("  0     3  Idxntity    StandardNeuron"), info.out);

    Path csv = tmp.resolve("x.csv");
    Files.writeString(csv, "1,0,0\n");
    ToolFixtures.Result predict = ToolFixtures.run("predict", model.toString(), csv.toString());
    assertEquals(1, predict.status, predict.toString());
    assertEquals(1, predict.errLines().size(), predict.err);
    assertTrue(predict.errLines().get(0).startsWith("horn: ")
        && predict.errLines().get(0).contains(fake), predict.err);
  }

  @Test
  void stepsFallBackToTheParameterServerAndEmptyMetadataIsSaid() throws Exception {
    Path ps = ToolFixtures.save(ToolFixtures.argmaxModel(Map.of("ps.steps", "1414")),
        tmp.resolve("ps.bin"));
    ToolFixtures.Result r = ToolFixtures.run("info", ps.toString());
    assertEquals(0, r.status, r.toString());
    assertTrue(r.out.contains("\n  steps:  1414 (ps.steps)\n"), r.out);

    Path bare = ToolFixtures.save(ToolFixtures.argmaxModel(Map.of()), tmp.resolve("bare.bin"));
    ToolFixtures.Result b = ToolFixtures.run("info", bare.toString());
    assertEquals(0, b.status, b.toString());
    assertTrue(b.out.endsWith("training:\n  (no metadata)\n"), b.out);
  }

  @Test
  void naturalOrderSortsNumbersByValue() {
    List<String> keys = new java.util.ArrayList<>(
        List.of("group.10.a", "group.2.a", "group.02.b", "group.1", "ps.steps"));
    keys.sort(NaturalOrder.INSTANCE);
    assertEquals(List.of("group.1", "group.2.a", "group.02.b", "group.10.a", "ps.steps"), keys);
  }

  /** Replaces every occurrence of a same-length ASCII string and rewrites the CRC trailer. */
  static void replaceAndReseal(Path file, String from, String to) throws Exception {
    assertEquals(from.length(), to.length());
    byte[] b = Files.readAllBytes(file);
    String s = new String(b, StandardCharsets.ISO_8859_1).replace(from, to);
    byte[] out = s.getBytes(StandardCharsets.ISO_8859_1);
    CRC32 crc = new CRC32();
    crc.update(out, 0, out.length - 4);
    ByteBuffer.wrap(out).putInt(out.length - 4, (int) crc.getValue());
    Files.write(file, out);
  }
}
