package dev.logstream.forward.interop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Regenerates the golden wire captures under {@code src/test/resources/wire}: each real client
 * sends {@link #COUNT} {@link DockerRecords} to a {@link WireCapture}, and the raw bytes it
 * received are stored as {@code <name>.bin} with a JSON sidecar {@code <name>.json} describing what
 * was sent and what was observed. The decoder tests read the committed files; {@code
 * WireSamplesTest} checks them.
 *
 * <p>Rerun from the repository root (Go, fluent-logger-golang and python3-fluent-logger must be
 * installed; {@code ./logstream test} installs them):
 *
 * <pre>{@code
 * mvn -B -q -pl logstream-forward-protocol -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test
 * java -cp "logstream-forward-protocol/target/test-classes:logstream-forward-protocol/target/classes:$(cat logstream-forward-protocol/target/test.classpath)" \
 *     dev.logstream.forward.interop.CaptureWireSamples logstream-forward-protocol/src/test/resources/wire
 * }</pre>
 *
 * <p>Event times are fixed ({@link #FIRST_EVENT_TIME}), but the bytes still differ between runs: Go
 * iterates its record maps in random order and ack chunk IDs are random.
 */
public final class CaptureWireSamples {

  /** Records per capture; index 7 is the long line. */
  static final int COUNT = 10;

  /** The time of record 0 in every capture. */
  static final Instant FIRST_EVENT_TIME = Instant.parse("2026-01-02T03:04:05.123456789Z");

  /**
   * One capture to make.
   *
   * @param client the client
   * @param transport {@code "tcp"} or {@code "unix"}
   */
  record Sample(ForwardClient client, String transport) {
    /** The file name without extension. */
    String name() {
      return client.name() + "-" + transport;
    }
  }

  /** Every capture, in generation order. */
  static final List<Sample> SAMPLES =
      List.of(
          new Sample(new DockerLikeGoClient(false, false, false), "tcp"),
          new Sample(new DockerLikeGoClient(true, false, false), "tcp"),
          new Sample(new DockerLikeGoClient(false, false, true), "tcp"),
          new Sample(new DockerLikeGoClient(true, false, true), "tcp"),
          new Sample(new DockerLikeGoClient(false, true, false), "tcp"),
          new Sample(new DockerLikeGoClient(false, false, false), "unix"),
          new Sample(new DockerLikeGoClient(true, false, true), "unix"),
          new Sample(new FluencyClient(false, false), "tcp"),
          new Sample(new FluencyClient(true, false), "tcp"),
          new Sample(new FluencyClient(false, true), "tcp"),
          new Sample(new FluentLoggerJavaClient(), "tcp"),
          new Sample(new PythonClient("sender", false), "tcp"),
          new Sample(new PythonClient("event", true), "tcp"),
          new Sample(new PythonClient("sender", true), "unix"));

  private CaptureWireSamples() {}

  /**
   * Writes every sample into the directory given as the only argument.
   *
   * @param args the output directory
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: CaptureWireSamples <output directory>");
      System.exit(2);
    }
    Path directory = Path.of(args[0]);
    Files.createDirectories(directory);
    for (Sample sample : SAMPLES) {
      Map<String, Object> sidecar = capture(sample, directory);
      System.out.printf(
          "%-32s %-8s %6d bytes  %s%n",
          sample.name(), sidecar.get("modes"), sidecar.get("bytes"), sidecar.get("frames"));
    }
  }

  /** Runs one sample and writes its {@code .bin} and {@code .json}; returns the sidecar. */
  static Map<String, Object> capture(Sample sample, Path directory) throws Exception {
    RecordBatch batch =
        new RecordBatch("docker." + sample.name(), sample.client().name(), COUNT, FIRST_EVENT_TIME);
    Path socketDirectory = Files.createTempDirectory("logstream-wire");
    try (WireCapture capture =
        sample.transport().equals("unix")
            ? WireCapture.unix(socketDirectory.resolve("forward.sock"))
            : WireCapture.tcp()) {
      int posted = sample.client().send(capture.address(), batch);
      if (posted != COUNT) {
        throw new IllegalStateException(sample.name() + " posted " + posted + " of " + COUNT);
      }
      byte[] bytes =
          capture.awaitClientsDone(
              Duration.ofSeconds(30), b -> ForwardFrames.decodeArrived(b).events().size() >= COUNT);
      if (!capture.errors().isEmpty()) {
        throw new IllegalStateException(sample.name() + ": " + capture.errors());
      }
      ForwardFrames.Decoded decoded = ForwardFrames.decode(bytes);
      if (!decoded.logs().equals(batch.logs())) {
        throw new IllegalStateException(sample.name() + " did not deliver exactly the batch");
      }
      Map<String, Object> sidecar = sidecar(sample, batch, capture, bytes, decoded);
      Files.write(directory.resolve(sample.name() + ".bin"), bytes);
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      Files.writeString(
          directory.resolve(sample.name() + ".json"),
          json.writeValueAsString(sidecar) + System.lineSeparator());
      return sidecar;
    } finally {
      Files.deleteIfExists(socketDirectory.resolve("forward.sock"));
      Files.deleteIfExists(socketDirectory);
    }
  }

  private static Map<String, Object> sidecar(
      Sample sample,
      RecordBatch batch,
      WireCapture capture,
      byte[] bytes,
      ForwardFrames.Decoded decoded) {
    ForwardClient client = sample.client();
    Map<String, Object> sidecar = new LinkedHashMap<>();
    sidecar.put("file", sample.name() + ".bin");
    sidecar.put("client", client.name());
    sidecar.put("library", client.library());
    sidecar.put("transport", sample.transport());
    sidecar.put("tag", batch.tag());
    sidecar.put("count", batch.count());
    sidecar.put("timePrecision", client.timePrecision().name());
    sidecar.put("firstEventTime", batch.firstEventTime().toString());
    sidecar.put("ack", client.ack());
    sidecar.put("compression", client.compression());
    sidecar.put("modes", decoded.modes());
    sidecar.put("frames", decoded.frames().size());
    sidecar.put(
        "optionKeys",
        decoded.frames().stream().flatMap(f -> f.optionKeys().stream()).distinct().toList());
    sidecar.put(
        "packedPayloadTypes",
        decoded.frames().stream()
            .map(ForwardFrames.Frame::packedPayloadType)
            .filter(type -> type != null)
            .distinct()
            .toList());
    sidecar.put("connections", capture.connections().size());
    sidecar.put("acksSent", capture.acksSent());
    sidecar.put("bytes", bytes.length);
    sidecar.put("recordKeys", List.of("container_id", "container_name", "source", "log"));
    sidecar.put("containerId", DockerRecords.CONTAINER_ID);
    sidecar.put("containerName", DockerRecords.CONTAINER_NAME);
    sidecar.put("source", DockerRecords.SOURCE);
    sidecar.put("logs", batch.logs());
    return sidecar;
  }
}
