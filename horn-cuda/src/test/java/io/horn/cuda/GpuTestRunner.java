package io.horn.cuda;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs horn-cuda's {@code gpu}-tagged tests without Maven, as the GPU check bundle does:
 * {@code java -cp <bundle classpath> io.horn.cuda.GpuTestRunner [tag]}. One line per test
 * ({@code PASS}, {@code FAIL}, {@code NOT RUN} with the reason), then a {@code SUMMARY} line.
 *
 * <p>Exit status: 0 every test ran and passed; 1 a test failed, or none was found; 3 none failed
 * but some did not run (a skip: without a GPU they fail instead, under {@code HORN_REQUIRE_GPU},
 * so a skip here means a part such as cuBLAS is missing).
 */
public final class GpuTestRunner {
  private GpuTestRunner() {}

  public static void main(String[] args) {
    String tag = args.length > 0 ? args[0] : "gpu";
    PrintStream out = System.out;
    AtomicInteger passed = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger notRun = new AtomicInteger();
    TestExecutionListener listener = new TestExecutionListener() {
      @Override
      public void executionSkipped(TestIdentifier id, String reason) {
        if (id.isTest()) {
          notRun.incrementAndGet();
        }
        out.println("NOT RUN " + name(id) + ": " + reason);
      }

      @Override
      public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        String why = result.getThrowable().map(t -> ": " + t).orElse("");
        switch (result.getStatus()) {
          case SUCCESSFUL:
            if (id.isTest()) {
              passed.incrementAndGet();
              out.println("PASS " + name(id));
            }
            break;
          case ABORTED:
            notRun.incrementAndGet();
            out.println("NOT RUN " + name(id) + why);
            break;
          default:
            failed.incrementAndGet();
            out.println("FAIL " + name(id) + why);
            result.getThrowable().ifPresent(t -> t.printStackTrace(out));
        }
      }

      @Override
      public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
        out.println("  " + name(id) + ": " + entry.getKeyValuePairs());
      }
    };
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectPackage("io.horn.cuda"))
        .filters(TagFilter.includeTags(tag))
        .build();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(request, listener);
    out.printf("SUMMARY gpu tests: tag=%s passed=%d failed=%d not_run=%d%n", tag,
        passed.get(), failed.get(), notRun.get());
    int status = failed.get() > 0 || passed.get() + notRun.get() == 0 ? 1
        : notRun.get() > 0 ? 3 : 0;
    System.exit(status);
  }

  /** {@code Class method}, plus the display name of a parameterized invocation. */
  private static String name(TestIdentifier id) {
    String s = id.getUniqueId();
    Matcher cls = Pattern.compile("\\[class:(?:[\\w.]+\\.)?(\\w+)\\]")
        .matcher(s);
    Matcher method = Pattern.compile(
        "\\[(?:method|test-template):(\\w+)").matcher(s);
    String name = (cls.find() ? cls.group(1) : s) + (method.find() ? " " + method.group(1) : "");
    return s.contains("[test-template-invocation:") ? name + " [" + id.getDisplayName() + "]"
        : name;
  }
}
