package io.horn.examples.tools;

import io.horn.core.onnx.OnnxExport;
import io.horn.core.onnx.UnsupportedModelException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

/**
 * {@code horn export <model> <out.onnx>}: the model as an ONNX graph ({@link OnnxExport}; the
 * graph, its names and shapes are in docs/onnx.md). Either path may be local or a Hadoop URI
 * ({@code hdfs://...}, see {@link HadoopFiles}); an existing output file is replaced. A model
 * that ONNX cannot express (user-written neurons, an activation without an ONNX operator) fails
 * with the layer and class named, and leaves no output file.
 */
public final class ExportCommand implements Subcommand {
  static final String USAGE = "usage: bin/horn export <model> <out.onnx> [--verbose]";

  @Override
  public String name() {
    return "export";
  }

  @Override
  public String usage() {
    return USAGE;
  }

  @Override
  public void run(ToolArgs args, PrintStream out) throws Exception {
    args.expectPositional("<model>", "<out.onnx>");
    String target = args.positional().get(1);
    try (Inference model = Inference.load(args.positional().get(0))) {
      try {
        OnnxExport.check(model.spec());
      } catch (UnsupportedModelException e) {
        throw new ToolFailure("cannot export " + model.path() + " to ONNX: " + e.getMessage());
      }
      long bytes;
      if (HadoopFiles.isRemote(target)) {
        byte[] onnx = OnnxExport.toBytes(model.model());
        try (OutputStream o = HadoopFiles.create(target)) {
          o.write(onnx);
        }
        bytes = onnx.length;
      } else {
        Path p = Paths.get(target);
        if (Files.isDirectory(p)) {
          throw new UsageException("<out.onnx> " + target + " is a directory; name a file");
        }
        OnnxExport.save(model.model(), p);
        bytes = Files.size(p);
      }
      out.printf(Locale.ROOT, "%s (%s) written to %s as ONNX (opset %d, %d bytes);"
          + " input '%s' [batch, %d], output '%s' [batch, %d]%n", model.path(), model.shape(),
          target, OnnxExport.OPSET, bytes, OnnxExport.INPUT, model.spec().inputSize(),
          OnnxExport.OUTPUT, model.spec().outputSize());
    }
  }
}
