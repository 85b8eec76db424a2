package io.horn.examples.bench;

/**
 * {@code bin/horn bench gpu}: horn-cuda's {@link io.horn.cuda.GpuBenchmark} (MNIST
 * 784-500-500-10, cpu vs cuda at batch 128 and 1024; {@code NOT RUN} and exit status 3 without
 * a usable GPU). It lives in horn-cuda so that the offline GPU check bundle carries it without
 * horn-examples' dependencies.
 */
public final class GpuBenchmark {
  private GpuBenchmark() {}

  public static void main(String[] args) throws Exception {
    io.horn.cuda.GpuBenchmark.main(args);
  }
}
