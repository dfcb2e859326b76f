package dev.logstream.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the shaded jar ({@code mvn verify}, after {@code package}) the way the launcher does. */
class AgentJarIT {

  @TempDir Path dir;

  private record Result(int exitCode, String stdout, String stderr) {}

  private Result run(String... args) throws IOException, InterruptedException {
    Path jar = Path.of(System.getProperty("agent.jar"));
    assertThat(jar).isRegularFile();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    Path stdout = dir.resolve("stdout");
    Path stderr = dir.resolve("stderr");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("agent exited within 60 s").isTrue();
    return new Result(
        p.exitValue(),
        Files.readString(stdout, StandardCharsets.UTF_8),
        Files.readString(stderr, StandardCharsets.UTF_8));
  }

  @Test
  void jar_help_printsTheUsageAndExitsZero() throws Exception {
    Result r = run("--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).isEqualTo(AgentOptionsParser.usage());
    assertThat(r.stderr()).isEmpty();
  }

  @Test
  void jar_badFlag_printsTheMessageAndExitsTwo() throws Exception {
    Result r = run("--buffer-dir", dir.toString(), "--fsync", "sometimes");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stdout()).isEmpty();
    assertThat(r.stderr())
        .isEqualTo(
            "logstream-agent: --fsync: expected never, always or a duration like 500ms, got"
                + " 'sometimes'\nRun 'logstream-agent --help' for the flags.\n");
  }

  @Test
  void jar_portTaken_exitsOne() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Result r =
          run(
              "--listen",
              "tcp://127.0.0.1:" + taken.getLocalPort(),
              "--buffer-dir",
              dir.resolve("buffer").toString(),
              "--sink",
              "discard");
      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.stderr()).contains("logstream-agent: pipeline failed to start");
    }
  }

  @Test
  void jar_sighupThenSigterm_reloadsThenClosesGracefullyAndExitsZero() throws Exception {
    Path jar = Path.of(System.getProperty("agent.jar"));
    Path config =
        Files.writeString(
            dir.resolve("agent.yaml"),
            "listen: [tcp://127.0.0.1:0]\nbuffer-dir: " + dir.resolve("buffer") + "\n");
    Path stdout = dir.resolve("run.out");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString(),
                "--config",
                config.toString(),
                "--sink",
                "discard")
            .redirectOutput(stdout.toFile())
            .redirectError(dir.resolve("run.err").toFile())
            .start();
    try {
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(60))
          .until(() -> Files.readString(stdout).contains("  sink: discard\n"));
      Process hup = new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start();
      assertThat(hup.waitFor()).isZero();
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(30))
          .until(() -> Files.readString(stdout).contains("reload (SIGHUP): nothing changed\n"));
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
      assertThat(Files.readString(stdout)).endsWith("logstream agent stopped\n");
    } finally {
      p.destroyForcibly();
    }
  }
}
