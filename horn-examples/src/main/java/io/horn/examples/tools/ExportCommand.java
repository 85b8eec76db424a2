package io.horn.examples.tools;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.HelpOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
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
@Command(name = "export", description = "Write a model as an ONNX graph (docs/onnx.md).")
public final class ExportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "<model>",
      description = "The model file, local or hdfs://...")
  String modelPath;

  @Parameters(index = "1", paramLabel = "<out.onnx>",
      description = "The ONNX file to write, local or hdfs://...; an existing one is replaced.")
  String target;

  @Mixin HelpOptions help;

  private final PrintStream out;

  /** A command that reports what it wrote to {@code out}. */
  ExportCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    try (Inference model = Inference.load(modelPath)) {
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
    return Cli.OK;
  }
}
