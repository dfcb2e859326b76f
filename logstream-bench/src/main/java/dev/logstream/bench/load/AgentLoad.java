package dev.logstream.bench.load;

import dev.logstream.agent.IngestMetrics;
import dev.logstream.agent.Pipeline;
import dev.logstream.buffer.SegmentBuffer;
import dev.logstream.forward.ForwardServer;
import dev.logstream.forward.ListenAddress;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * The agent load generator: for each mode, starts a {@link Pipeline} in-process (a fresh buffer
 * directory, durability and segments as configured, a {@link DiscardingSink}), drives it with N
 * connections of pre-encoded frames for a warm-up and a measured period, and prints one table line
 * per mode. In {@code message} mode the same client also runs against a {@link NullServer}, so the
 * report says whether the agent or the client is the bottleneck.
 *
 * <p>Run it with {@code ./logstream bench-load [--help]}. Client and agent share the machine's
 * cores, so the figures are those of the whole machine doing both.
 */
public final class AgentLoad {
  /** A measured rate at least this share of the null server's means the client is the limit. */
  static final double CLIENT_BOUND_SHARE = 0.9;

  private static final Duration DRAIN_WAIT = Duration.ofSeconds(30);

  private final LoadOptions options;
  private final PrintStream out;

  /**
   * Creates a generator.
   *
   * @param options the settings
   * @param out where progress and the report go
   */
  public AgentLoad(LoadOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /**
   * Parses the command line, runs every mode and prints the report; exits with 2 on a bad option
   * and 1 if a run reported errors.
   *
   * @param args the options, see {@code --help}
   * @throws Exception if a run cannot start
   */
  public static void main(String[] args) throws Exception {
    LoadOptions options;
    try {
      options = LoadOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("bench-load: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (options == null) {
      System.out.print(LoadOptions.USAGE);
      return;
    }
    List<LoadResult> results = new AgentLoad(options, System.out).run();
    if (results.stream().anyMatch(r -> !r.failures().isEmpty())) {
      System.exit(1);
    }
  }

  /**
   * Runs every mode of the options and prints the report.
   *
   * @return one result per mode and server
   * @throws IOException if a buffer directory or a server cannot be set up
   * @throws InterruptedException if interrupted while waiting
   */
  public List<LoadResult> run() throws IOException, InterruptedException {
    out.printf(
        "agent load: %d connections, warm-up %s, measured %s, fsync %s, buffer %d MiB x %d,"
            + " packed %d events/frame x %d in flight, %d line(s) per write in message mode;"
            + " %d processors shared by client and agent (and whatever else runs)%n",
        options.connections(),
        options.warmup(),
        options.duration(),
        options.fsync(),
        options.segmentMib(),
        options.segments(),
        options.eventsPerFrame(),
        options.inFlight(),
        options.linesPerWrite(),
        Runtime.getRuntime().availableProcessors());
    List<LoadResult> results = new ArrayList<>();
    for (LoadMode mode : options.modes()) {
      results.add(runAgainstAgent(mode));
      if (mode == LoadMode.MESSAGE && options.nullServer()) {
        results.add(runAgainstNullServer());
      }
    }
    out.println();
    out.println(LoadResult.tableHeader());
    results.forEach(r -> out.println(r.tableLine()));
    verdict(results).ifPresent(out::println);
    return results;
  }

  /**
   * Runs one mode against a pipeline.
   *
   * @param mode the mode
   * @return the result
   * @throws IOException if the buffer directory cannot be made or the pipeline cannot start
   * @throws InterruptedException if interrupted while waiting
   */
  public LoadResult runAgainstAgent(LoadMode mode) throws IOException, InterruptedException {
    Path dir =
        options.bufferDir() == null
            ? Files.createTempDirectory("logstream-load-")
            : Files.createDirectories(options.bufferDir().resolve(mode.label()));
    ForwardServer.Builder server = ForwardServer.builder().listen("tcp://127.0.0.1:0");
    if (options.eventLoops() > 0) {
      server.eventLoops(options.eventLoops());
    }
    DiscardingSink sink = new DiscardingSink();
    Pipeline pipeline =
        Pipeline.builder()
            .server(server)
            .buffer(
                SegmentBuffer.builder(dir)
                    .segmentSize((long) options.segmentMib() << 20)
                    .maxSegments(options.segments())
                    .durability(options.durability()))
            .sink(sink)
            .drainTimeout(Duration.ofSeconds(5))
            .build()
            .start();
    try (pipeline) {
      ListenAddress address = pipeline.addresses().get(0);
      return drive(
          mode,
          "agent",
          new InetSocketAddress(address.host(), address.port()),
          () -> pipeline.ingestMetrics().recordsStored(),
          false,
          () -> pipelineFailures(pipeline.ingestMetrics()));
    } finally {
      if (options.bufferDir() == null) {
        deleteRecursively(dir);
      }
    }
  }

  /**
   * Runs {@code message} mode against a server that only discards what it reads.
   *
   * @return the result
   * @throws IOException if the server cannot listen
   * @throws InterruptedException if interrupted while waiting
   */
  public LoadResult runAgainstNullServer() throws IOException, InterruptedException {
    try (NullServer server = new NullServer()) {
      return drive(
          LoadMode.MESSAGE, "null server", server.address(), server::bytesRead, true, List::of);
    }
  }

  private LoadResult drive(
      LoadMode mode,
      String serverName,
      InetSocketAddress target,
      LongSupplier stored,
      boolean storedInBytes,
      Supplier<List<String>> serverFailures)
      throws InterruptedException {
    out.printf("%s against the %s ...%n", mode.label(), serverName);
    LoadFrames frames = frames(mode);
    LoadControl control = new LoadControl();
    List<LoadConnection> connections = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < options.connections(); i++) {
      LoadConnection connection = new LoadConnection(target, frames, options.inFlight(), control);
      Thread thread = new Thread(connection, "load-" + mode.label() + "-" + i);
      thread.setDaemon(true);
      connections.add(connection);
      threads.add(thread);
      thread.start();
    }
    Thread.sleep(options.warmup().toMillis());
    long[] before = counters(connections, stored);
    long start = System.nanoTime();
    control.startMeasuring();
    Thread.sleep(options.duration().toMillis());
    long[] after = counters(connections, stored);
    double seconds = (System.nanoTime() - start) / 1e9;
    control.stop();
    List<String> failures = new ArrayList<>();
    for (Thread thread : threads) {
      thread.join(DRAIN_WAIT.toMillis());
      if (thread.isAlive()) {
        failures.add(thread.getName() + " did not finish within " + DRAIN_WAIT);
      }
    }
    long sent = connections.stream().mapToLong(LoadConnection::eventsSent).sum();
    long acked = connections.stream().mapToLong(LoadConnection::eventsAcked).sum();
    long bytesSent = connections.stream().mapToLong(LoadConnection::bytesSent).sum();
    long storedTotal = awaitStored(stored, storedInBytes ? bytesSent : mode.acked() ? acked : sent);
    if (storedInBytes) {
      // the null server counts bytes: every byte read means every event sent arrived
      storedTotal = storedTotal == bytesSent ? sent : (long) (storedTotal / frames.bytesPerEvent());
    }
    for (LoadConnection connection : connections) {
      if (connection.failure() != null) {
        failures.add(connection.failure().toString());
      }
    }
    failures.addAll(serverFailures.get());

    long measured =
        mode.acked()
            ? after[1] - before[1]
            : serverName.equals("agent") ? after[2] - before[2] : after[0] - before[0];
    Histogram latency = new Histogram(3);
    connections.forEach(c -> latency.add(c.ackLatencyNanos()));
    List<Double> percentiles =
        mode.acked() && latency.getTotalCount() > 0
            ? Stream.of(50.0, 99.0, 99.9).map(p -> latency.getValueAtPercentile(p) / 1e6).toList()
            : List.of();
    return new LoadResult(
        mode,
        serverName,
        options.connections(),
        seconds,
        measured / seconds,
        (after[0] - before[0]) / seconds,
        frames.bytesPerEvent(),
        percentiles,
        sent,
        acked,
        storedTotal,
        List.copyOf(failures));
  }

  // without acks, what the client wrote may still be in socket buffers when it stops
  private static long awaitStored(LongSupplier stored, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + DRAIN_WAIT.toNanos();
    long now = stored.getAsLong();
    while (now < expected && System.nanoTime() < deadline) {
      Thread.sleep(10);
      now = stored.getAsLong();
    }
    return now;
  }

  private static long[] counters(List<LoadConnection> connections, LongSupplier stored) {
    return new long[] {
      connections.stream().mapToLong(LoadConnection::eventsSent).sum(),
      connections.stream().mapToLong(LoadConnection::eventsAcked).sum(),
      stored.getAsLong()
    };
  }

  private static List<String> pipelineFailures(IngestMetrics metrics) {
    List<String> failures = new ArrayList<>();
    if (metrics.framesFailed() > 0) {
      failures.add(metrics.framesFailed() + " frames failed to store");
    }
    if (metrics.encodingErrors() > 0) {
      failures.add(metrics.encodingErrors() + " events failed to encode");
    }
    return failures;
  }

  private LoadFrames frames(LoadMode mode) {
    return switch (mode) {
      case MESSAGE -> LoadFrames.encode(mode, options.linesPerWrite(), 1_024);
      case MESSAGE_ACK -> LoadFrames.encode(mode, 1, 1_024);
      case PACKED ->
          LoadFrames.encode(mode, options.eventsPerFrame(), Math.max(8, 2 * options.inFlight()));
    };
  }

  /**
   * Says whether the agent limits {@code message} mode, if both runs are in the results.
   *
   * @param results the results
   * @return the sentence, or empty
   */
  static Optional<String> verdict(List<LoadResult> results) {
    LoadResult agent = find(results, "agent");
    LoadResult none = find(results, "null server");
    if (agent == null || none == null || none.eventsPerSecond() == 0) {
      return Optional.empty();
    }
    double share = agent.eventsPerSecond() / none.eventsPerSecond();
    return Optional.of(
        String.format(
            "message mode: the agent stored %.0f%% of the rate the same client reaches against a"
                + " discard-only server: %s",
            share * 100,
            share >= CLIENT_BOUND_SHARE
                ? "the client is the bottleneck, not the agent"
                : "the agent is the bottleneck"));
  }

  private static LoadResult find(List<LoadResult> results, String server) {
    return results.stream()
        .filter(r -> r.mode() == LoadMode.MESSAGE && r.server().equals(server))
        .findFirst()
        .orElse(null);
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(AgentLoad::deleteQuietly);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // a leftover temporary file is not worth failing the report for
    }
  }
}
