package dev.logstream.kinesis.mock;

import static org.awaitility.Awaitility.await;

import dev.logstream.kinesis.mock.KinesisMockInstall.Emulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClientBuilder;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * Runs kinesis-mock (npm {@code kinesis-local} 0.6.2, the mock LocalStack uses) or kinesalite (npm
 * 3.3.3) for one test class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KinesisMockExtension KINESIS = KinesisMockExtension.withStreams("logs:1", "wide:4");
 * }</pre>
 *
 * <p>Before the class's tests it installs the package if missing ({@link KinesisMockInstall}),
 * starts {@code node main.js} from the package folder on free loopback ports with {@code
 * INITIALIZE_STREAMS}, and waits until every stream is {@code ACTIVE}; after them it closes the
 * clients it made and destroys the process tree. The mock's output goes to {@code
 * target/kinesis-mock/<test class>.log}.
 *
 * <p>The mock is slow (about 1,000 records/s through PutRecords, slower as data accumulates): use
 * it for correctness with small volumes. It needs SigV4 headers (any credentials) and HTTP/1.1: the
 * SDK's HTTP/2 attempt hangs it. CBOR, the SDK's default for Kinesis, works.
 *
 * <p>kinesalite ({@link #kinesaliteWithStreams}) is about 9 times faster but fails to parse CBOR:
 * its clients must be built with {@link #build}, which turns CBOR off for that one client. The SDK
 * (2.57.8) reads {@code aws.cborEnabled} when a client is built ({@code AwsCborProtocolFactory}'s
 * constructor), so setting it around {@code build()} leaves other clients on CBOR.
 */
public final class KinesisMockExtension
    implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

  /** The region the mock and its clients use. */
  public static final Region REGION = Region.US_EAST_1;

  private static final Logger LOG = LoggerFactory.getLogger(KinesisMockExtension.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  // short: a half-started mock may accept a connection and never answer
  private static final long PROBE_TIMEOUT_SECONDS = 2;
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final int START_ATTEMPTS = 3;
  private static final String CBOR_PROPERTY = "aws.cborEnabled";
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final Emulator emulator;
  private final List<String> streams;
  private final List<KinesisAsyncClient> clients = new CopyOnWriteArrayList<>();
  private Process process;
  private Thread shutdownHook;
  private URI endpoint;
  private Path log;
  private Supplier<int[]> ports = () -> freeLoopbackPorts(2);
  private int[] boundPorts;
  private Path packageDir;
  private boolean persistData;
  private Path dataDir;
  private int startAttempts;
  private long logOffset;
  private Duration startTime;

  private KinesisMockExtension(Emulator emulator, List<String> streams) {
    this.emulator = emulator;
    this.streams = streams;
  }

  /**
   * A mock that creates the given streams at start.
   *
   * @param streams {@code name:shards}, for example {@code "logs:1"}
   * @return the extension, to register in a static field
   */
  public static KinesisMockExtension withStreams(String... streams) {
    return new KinesisMockExtension(Emulator.KINESIS_MOCK, validStreams(streams));
  }

  /**
   * A kinesalite that gets the given streams created (with {@code CreateStream}) at start.
   *
   * @param streams {@code name:shards}, for example {@code "logs:1"}
   * @return the extension, to register in a static field
   */
  public static KinesisMockExtension kinesaliteWithStreams(String... streams) {
    return new KinesisMockExtension(Emulator.KINESALITE, validStreams(streams));
  }

  private static List<String> validStreams(String... streams) {
    if (streams.length == 0) {
      throw new IllegalArgumentException("streams must not be empty");
    }
    for (String stream : streams) {
      if (!stream.matches("[a-zA-Z0-9_.-]+:[1-9][0-9]*")) {
        throw new IllegalArgumentException("stream must be name:shards, was: " + stream);
      }
    }
    return List.of(streams);
  }

  /**
   * Keeps the streams' data on disk ({@code SHOULD_PERSIST_DATA}, in {@code
   * target/kinesis-mock/<test class>-data/}, written every 5 s), so that what was written before a
   * {@link #stop()} can be there again after {@link #restart()}. Only for small volumes:
   * kinesis-mock 0.6.2 truncates the file before each write, and a stop during a write (likely with
   * a few MiB of data on a busy machine) leaves it empty, after which the restart fails with {@code
   * NoSuchElementException}; intervals much shorter than 5 s (200 ms) make its writes overlap and
   * crash it ({@code ERR_STREAM_DESTROYED}).
   *
   * @return this extension
   * @throws IllegalStateException for kinesalite, which has no persistence option here
   */
  public KinesisMockExtension persistData() {
    if (emulator != Emulator.KINESIS_MOCK) {
      throw new IllegalStateException("persistData is for kinesis-mock only");
    }
    persistData = true;
    return this;
  }

  /**
   * Stops the emulator ({@code SIGTERM}, so kinesis-mock writes its data when {@link
   * #persistData()} is on) and waits until it exited; {@link #restart()} brings it back on the same
   * ports. Clients made before keep working after the restart.
   */
  public void stop() {
    requireStarted();
    stopProcess();
  }

  /**
   * Starts the emulator again on the ports of the first start, after {@link #stop()}, and waits
   * until every stream is {@code ACTIVE}. Without {@link #persistData()} the streams are created
   * again, empty.
   *
   * @throws IllegalStateException if it is running, or does not get ready (for example because
   *     another process took a port meanwhile)
   */
  public void restart() {
    requireStarted();
    if (process != null) {
      throw new IllegalStateException(emulator.label + " is running: stop() it first");
    }
    int[] same = boundPorts;
    Supplier<int[]> previous = ports;
    ports = () -> same;
    try {
      start(packageDir);
    } catch (MockExited e) {
      throw new IllegalStateException(
          emulator.label
              + " did not restart on "
              + endpoint
              + "; output tail ("
              + log
              + "):\n"
              + KinesisMockInstall.tail(log, 30));
    } finally {
      ports = previous;
    }
  }

  /** Whether the emulator's process is running. */
  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The plain-HTTP endpoint, for example {@code http://127.0.0.1:43521}. */
  public URI endpoint() {
    requireStarted();
    return endpoint;
  }

  /** The file the mock's output goes to. */
  public Path log() {
    requireStarted();
    return log;
  }

  /** How long the last start took, from launching node to every stream ACTIVE. */
  public Duration startTime() {
    requireStarted();
    return startTime;
  }

  /** Whether clients must have CBOR off (kinesalite). */
  public boolean needsCborOff() {
    return emulator == Emulator.KINESALITE;
  }

  /**
   * A client builder set up for the emulator (endpoint, region, static "test" credentials, Netty
   * with HTTP/1.1). Build it with {@link #build} so kinesalite's clients get CBOR off.
   */
  public KinesisAsyncClientBuilder clientBuilder() {
    requireStarted();
    return KinesisAsyncClient.builder()
        .endpointOverride(endpoint)
        .region(REGION)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClientBuilder(
            NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1).maxConcurrency(16));
  }

  /** A client for the emulator; closed by the extension after the test class. */
  public KinesisAsyncClient newClient() {
    KinesisAsyncClient client = build(clientBuilder());
    clients.add(client);
    return client;
  }

  /**
   * Builds a client, with CBOR off when the emulator needs it ({@code aws.cborEnabled=false} set
   * around {@code build()}, then restored).
   */
  public KinesisAsyncClient build(KinesisAsyncClientBuilder builder) {
    if (!needsCborOff()) {
      return builder.build();
    }
    synchronized (KinesisMockExtension.class) {
      String previous = System.getProperty(CBOR_PROPERTY);
      System.setProperty(CBOR_PROPERTY, "false");
      try {
        return builder.build();
      } finally {
        if (previous == null) {
          System.clearProperty(CBOR_PROPERTY);
        } else {
          System.setProperty(CBOR_PROPERTY, previous);
        }
      }
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    installAndStart(context.getTestClass().map(Class::getSimpleName).orElse(emulator.label));
  }

  /**
   * Installs the emulator if needed and starts it, outside JUnit (the demo uses this); {@link
   * #close()} stops it.
   *
   * @param name names the log file under {@code target/kinesis-mock}
   * @return this extension, started
   */
  public KinesisMockExtension launch(String name) {
    installAndStart(name);
    return this;
  }

  /** Stops the emulator started by {@link #launch(String)} and closes the clients it made. */
  @Override
  public void close() {
    afterAll(null);
  }

  private void installAndStart(String testName) {
    KinesisMockInstall install = KinesisMockInstall.fromEnvironment(emulator);
    long installStart = System.nanoTime();
    boolean installed = install.isInstalled();
    packageDir = install.ensureInstalled();
    if (!installed) {
      LOG.info(
          "{} {} installed into {} in {} ms",
          emulator.label,
          emulator.version,
          packageDir,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - installStart));
    }
    Path logDir = Path.of(System.getProperty("basedir", "."), "target", "kinesis-mock");
    String name = testName + "-" + INSTANCES.incrementAndGet();
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    log = logDir.resolve(name + ".log").toAbsolutePath();
    dataDir = logDir.resolve(name + "-data").toAbsolutePath();
    try {
      Files.deleteIfExists(log);
      if (persistData) {
        // data of an earlier run under the same name would be loaded at start
        deleteTree(dataDir);
        Files.createDirectories(dataDir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int attempt = 1; ; attempt++) {
      startAttempts = attempt;
      try {
        start(packageDir);
        return;
      } catch (MockExited e) {
        LOG.warn(
            "{} at {} failed to start (attempt {} of {}); output: {}",
            emulator.label,
            endpoint,
            attempt,
            START_ATTEMPTS,
            log);
        // a port taken between finding it free and node binding it, most likely: new ports
        if (attempt == START_ATTEMPTS) {
          throw new IllegalStateException(
              emulator.label
                  + " failed to start "
                  + START_ATTEMPTS
                  + " times; last output ("
                  + log
                  + "):\n"
                  + KinesisMockInstall.tail(log, 30));
        }
      }
    }
  }

  private void start(Path packageDir) {
    int[] ports = this.ports.get();
    boundPorts = ports;
    endpoint = URI.create("http://127.0.0.1:" + ports[0]);
    List<String> command = new ArrayList<>(List.of("node", emulator.entryPoint));
    if (emulator == Emulator.KINESALITE) {
      command.addAll(
          List.of(
              "--port", Integer.toString(ports[0]), "--createStreamMs", "0", "--shardLimit", "50"));
    }
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(packageDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = builder.environment();
    env.put("KINESIS_MOCK_PLAIN_PORT", Integer.toString(ports[0]));
    env.put("KINESIS_MOCK_TLS_PORT", Integer.toString(ports[1]));
    env.put("INITIALIZE_STREAMS", String.join(",", streams));
    env.put("AWS_REGION", REGION.id());
    env.put("SHOULD_PERSIST_DATA", Boolean.toString(persistData));
    if (persistData) {
      env.put("PERSIST_PATH", dataDir.toString());
      env.put("PERSIST_INTERVAL", "5s");
    }
    // streams named in INITIALIZE_STREAMS become ACTIVE at once instead of after 500 ms
    env.put("CREATE_STREAM_DURATION", "0ms");
    long started = System.nanoTime();
    try {
      logOffset = Files.exists(log) ? Files.size(log) : 0;
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException(
          emulator.label
              + ": cannot run `"
              + String.join(" ", command)
              + "` in "
              + packageDir
              + " ("
              + e.getMessage()
              + "); the kinesis tests need Node.js on the PATH",
          e);
    }
    Process mock = process;
    shutdownHook = new Thread(() -> destroyTree(mock), "kinesis-mock-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    // closed with the other clients after the class: closing it right after a failed start races
    // Netty's notice of the refused connection and logs a RejectedExecutionException
    KinesisAsyncClient probe = build(clientBuilder());
    clients.add(probe);
    try {
      await(emulator.label + " at " + endpoint + " with every stream ACTIVE (log: " + log + ")")
          .atMost(READY_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          // in this thread: no probe request is in flight when the probe is closed
          .pollInSameThread()
          .ignoreExceptions()
          .failFast(() -> !mock.isAlive() || bindFailed())
          .until(() -> allActive(probe));
    } catch (ConditionTimeoutException e) {
      stopProcess();
      throw new IllegalStateException(
          emulator.label
              + " at "
              + endpoint
              + " did not report every stream ACTIVE in "
              + READY_TIMEOUT
              + "; output tail ("
              + log
              + "):\n"
              + KinesisMockInstall.tail(log, 30),
          e);
    } catch (RuntimeException e) {
      boolean retry = !mock.isAlive() || bindFailed();
      stopProcess();
      if (retry) {
        throw new MockExited();
      }
      throw e;
    }
    startTime = Duration.ofNanos(System.nanoTime() - started);
    LOG.info(
        "{} at {} ready in {} ms with streams {} (output: {})",
        emulator.label,
        endpoint,
        startTime.toMillis(),
        streams,
        log);
  }

  /**
   * Whether a port was taken. kinesis-mock exits when its plain port is taken but keeps running,
   * never making its streams ACTIVE, when only its TLS port is.
   */
  private boolean bindFailed() {
    try {
      byte[] output = Files.readAllBytes(log);
      int from = (int) Math.min(logOffset, output.length);
      return new String(output, from, output.length - from, StandardCharsets.UTF_8)
          .contains("EADDRINUSE");
    } catch (IOException e) {
      return false;
    }
  }

  private boolean allActive(KinesisAsyncClient probe) throws Exception {
    for (String stream : streams) {
      String name = stream.substring(0, stream.indexOf(':'));
      int shards = Integer.parseInt(stream.substring(stream.indexOf(':') + 1));
      StreamStatus status;
      try {
        status =
            probe
                .describeStreamSummary(r -> r.streamName(name))
                .get(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .streamDescriptionSummary()
                .streamStatus();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof ResourceNotFoundException && needsCborOff()) {
          // kinesalite has no INITIALIZE_STREAMS
          probe
              .createStream(r -> r.streamName(name).shardCount(shards))
              .get(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
          return false;
        }
        throw e;
      }
      if (status != StreamStatus.ACTIVE) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    for (KinesisAsyncClient client : clients) {
      client.close();
    }
    clients.clear();
    stopProcess();
  }

  private void stopProcess() {
    if (process == null) {
      return;
    }
    destroyTree(process);
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
    process = null;
  }

  private static void destroyTree(Process process) {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    for (ProcessHandle handle : tree) {
      try {
        handle.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        handle.destroyForcibly();
      } catch (ExecutionException e) {
        handle.destroyForcibly();
      } catch (InterruptedException e) {
        handle.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Replaces how the plain and TLS ports are picked; for the start-retry test. */
  KinesisMockExtension portsFrom(Supplier<int[]> ports) {
    this.ports = ports;
    return this;
  }

  /** How many starts the last {@code beforeAll} needed. */
  int startAttempts() {
    return startAttempts;
  }

  private void requireStarted() {
    if (endpoint == null) {
      throw new IllegalStateException(
          emulator.label + " is not started: register the extension in a static field");
    }
  }

  /** {@code count} ports that were free on the loopback interface a moment ago. */
  static int[] freeLoopbackPorts(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find free loopback ports", e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException e) {
          // ignore
        }
      }
    }
  }

  /** The mock died, or could not bind a port, before it was ready. */
  private static final class MockExited extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MockExited() {
      super(null, null, false, false);
    }
  }
}
