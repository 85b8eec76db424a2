package io.horn.examples.bench;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.HelpOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/horn bench gpu}: horn-cuda's {@link io.horn.cuda.GpuBenchmark} (MNIST
 * 784-500-500-10, cpu vs cuda at batch 128 and 1024; {@code NOT RUN} and exit status 3 without
 * a usable GPU), on the project's command-line convention. The benchmark itself lives in
 * horn-cuda so that the offline GPU check bundle carries it without horn-examples'
 * dependencies; this command parses the options and hands them over.
 */
@Command(name = "bin/horn bench gpu", sortOptions = false,
    description = "MNIST 784-500-500-10 on the CPU and on CUDA at the given batch sizes; NOT RUN "
        + "(exit status 3) without a usable GPU.")
public final class GpuBenchmark implements Callable<Integer> {
  @Option(names = "--data", paramLabel = "DIR", description = "MNIST idx directory (default: "
      + ".cache/mnist).")
  String data;

  @Option(names = "--epochs", paramLabel = "N", description = "Epochs per measured case.")
  Integer epochs;

  @Option(names = "--batches", paramLabel = "B,B", description = "Batch sizes (default: "
      + "128,1024).")
  String batches;

  @Option(names = "--sgemm", paramLabel = "cublas|own", description = "Which sgemm the GPU "
      + "uses (default: cuBLAS where it loads).")
  String sgemm;

  @Mixin HelpOptions help;

  public static void main(String[] args) {
    Cli.exit(new GpuBenchmark(), args);
  }

  @Override
  public Integer call() throws Exception {
    List<String> args = new ArrayList<>();
    if (data != null) {
      args.add("--data");
      args.add(data);
    }
    if (epochs != null) {
      args.add("--epochs");
      args.add(epochs.toString());
    }
    if (batches != null) {
      args.add("--batches");
      args.add(batches);
    }
    if (sgemm != null) {
      args.add("--sgemm");
      args.add(sgemm);
    }
    io.horn.cuda.GpuBenchmark.main(args.toArray(new String[0]));
    return Cli.OK;
  }
}
