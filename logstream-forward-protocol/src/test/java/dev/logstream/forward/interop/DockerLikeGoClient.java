package dev.logstream.forward.interop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Docker's own forward client: fluent-logger-golang, called exactly as dockerd's fluentd log driver
 * calls it (one {@code PostWithTime} per line, {@code map[string]string} records), through the
 * small Go program {@code src/test/go/dockerlike}.
 *
 * <p>The program is built once per JVM into {@code target/dockerlike} with {@code GO111MODULE=off
 * GOPATH=/usr/share/gocode go build}, against Debian's {@code
 * golang-github-fluent-fluent-logger-golang-dev} (version 1.9.0 in Debian 12; dockerd vendors
 * 1.10.1, whose wire format for these options is the same).
 *
 * @param ack {@code fluentd-request-ack}: option {@code chunk} on every message, wait for its ack
 * @param async {@code fluentd-async}: post into a channel drained by a background goroutine
 * @param subSecond {@code fluentd-sub-second-precision}: EventTime instead of integer seconds
 */
public record DockerLikeGoClient(boolean ack, boolean async, boolean subSecond)
    implements ForwardClient {

  /** Debian's Go library root, where the fluent-logger-golang and msgp packages live. */
  static final Path GOPATH = Path.of("/usr/share/gocode");

  private static final String PACKAGES =
      "golang-go golang-github-fluent-fluent-logger-golang-dev golang-github-tinylib-msgp-dev";

  private static Path binary;

  /** Synchronous, no ack, integer seconds: dockerd's defaults. */
  public static DockerLikeGoClient dockerDefaults() {
    return new DockerLikeGoClient(false, false, false);
  }

  @Override
  public String name() {
    return "go" + (async ? "-async" : "") + (ack ? "-ack" : "") + (subSecond ? "-subsecond" : "");
  }

  @Override
  public String library() {
    return "fluent-logger-golang 1.9.0 (Debian golang-github-fluent-fluent-logger-golang-dev)";
  }

  @Override
  public TimePrecision timePrecision() {
    return subSecond ? TimePrecision.EVENT_TIME : TimePrecision.SECONDS;
  }

  @Override
  public boolean supports(SocketAddress target) {
    return target instanceof InetSocketAddress || target instanceof UnixDomainSocketAddress;
  }

  @Override
  public int send(SocketAddress target, RecordBatch batch) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(build().toString());
    command.add("-address=" + ExternalProcess.uri(target));
    command.add("-count=" + batch.count());
    command.add("-tag=" + batch.tag());
    command.add("-prefix=" + batch.prefix());
    command.add("-ack=" + ack);
    command.add("-async=" + async);
    command.add("-subsecond=" + subSecond);
    command.add("-container-id=" + DockerRecords.CONTAINER_ID);
    command.add("-container-name=" + DockerRecords.CONTAINER_NAME);
    command.add("-source=" + DockerRecords.SOURCE);
    Duration sinceEpoch = Duration.between(java.time.Instant.EPOCH, batch.firstEventTime());
    command.add("-time=" + sinceEpoch.toNanos());
    command.add("-max-retries=3");
    return ExternalProcess.posted(ExternalProcess.run(command, Map.of(), Duration.ofSeconds(60)));
  }

  /**
   * Builds {@code target/dockerlike} once per JVM, checking the toolchain and libraries first.
   *
   * @return the executable
   */
  public static synchronized Path build() throws IOException, InterruptedException {
    if (binary != null) {
      return binary;
    }
    Path go = ExternalProcess.findExecutable("go", Path.of("/usr/lib/go/bin/go"));
    RequiredTool.require(go != null, "the Go toolchain (go)", PACKAGES);
    RequiredTool.require(
        Files.isDirectory(GOPATH.resolve("src/github.com/fluent/fluent-logger-golang/fluent")),
        "fluent-logger-golang under " + GOPATH,
        PACKAGES);
    RequiredTool.require(
        Files.isDirectory(GOPATH.resolve("src/github.com/tinylib/msgp/msgp")),
        "msgp under " + GOPATH,
        PACKAGES);
    Path module = ExternalProcess.moduleDirectory();
    Path output = module.resolve("target/dockerlike");
    Files.createDirectories(output.getParent());
    Map<String, String> environment = new HashMap<>();
    environment.put("GO111MODULE", "off");
    environment.put("GOPATH", GOPATH.toString());
    environment.put("CGO_ENABLED", "0"); // pure Go: no C compiler needed (not installed)
    if (System.getenv("GOCACHE") == null
        && System.getenv("HOME") == null
        && System.getenv("XDG_CACHE_HOME") == null) {
      environment.put("GOCACHE", module.resolve("target/go-build-cache").toString());
    }
    ExternalProcess.run(
        List.of(go.toString(), "build", "-o", output.toString(), "./src/test/go/dockerlike"),
        environment,
        Duration.ofMinutes(5));
    binary = output;
    return binary;
  }
}
