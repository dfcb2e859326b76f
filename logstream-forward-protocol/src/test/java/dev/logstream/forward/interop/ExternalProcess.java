package dev.logstream.forward.interop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the external client programs and locates the module's test sources. */
final class ExternalProcess {

  private static final Pattern POSTED = Pattern.compile("(?m)^posted (\\d+)$");

  private ExternalProcess() {}

  /**
   * Runs a command to completion and returns its combined output.
   *
   * @throws IOException when it does not finish within {@code timeout} or exits non-zero
   */
  static String run(List<String> command, Map<String, String> environment, Duration timeout)
      throws IOException, InterruptedException {
    Path output = Files.createTempFile("logstream-client", ".out");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(moduleDirectory().toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile());
      builder.environment().putAll(environment);
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        throw new IOException(
            "timed out after " + timeout + ": " + command + "\n" + Files.readString(output));
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IOException("exit " + process.exitValue() + ": " + command + "\n" + text);
      }
      return text;
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /** Parses the {@code posted <n>} line the client programs print on success. */
  static int posted(String output) {
    Matcher matcher = POSTED.matcher(output);
    if (!matcher.find()) {
      throw new IllegalStateException("no 'posted <n>' line in client output:\n" + output);
    }
    return Integer.parseInt(matcher.group(1));
  }

  /** The address in dockerd's {@code fluentd-address} syntax. */
  static String uri(SocketAddress target) {
    if (target instanceof InetSocketAddress inet) {
      return "tcp://" + inet.getHostString() + ":" + inet.getPort();
    }
    if (target instanceof UnixDomainSocketAddress unix) {
      return "unix://" + unix.getPath().toAbsolutePath();
    }
    throw new IllegalArgumentException("unsupported address " + target);
  }

  /**
   * The logstream-forward-protocol module directory: the working directory under Surefire, or its
   * subdirectory when started from the repository root.
   */
  static Path moduleDirectory() {
    Path cwd = Path.of("").toAbsolutePath();
    for (Path candidate :
        List.of(
            cwd,
            cwd.resolve("logstream-forward-protocol"),
            cwd.resolveSibling("logstream-forward-protocol"))) { // from another module's tests
      if (Files.isDirectory(candidate.resolve("src/test/go/dockerlike"))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "run from the repository root or logstream-forward-protocol, not " + cwd);
  }

  /** The first executable named {@code name} on PATH, or in one of {@code fallbacks}. */
  static Path findExecutable(String name, Path... fallbacks) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name);
      }
    }
    for (Path fallback : fallbacks) {
      if (Files.isExecutable(fallback)) {
        return fallback;
      }
    }
    return null;
  }
}
