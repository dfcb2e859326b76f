package dev.logstream.agent;

import dev.logstream.buffer.RecoveryReport;
import dev.logstream.buffer.SegmentBuffer;
import dev.logstream.core.tag.TagCodec;
import dev.logstream.forward.ForwardSecurity;
import dev.logstream.forward.ForwardServer;
import dev.logstream.forward.ForwardTls;
import dev.logstream.forward.ListenAddress;
import dev.logstream.forward.PartialMessageAssembler;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runnable agent: {@code logstream-agent [options]} (see {@link AgentOptionsParser#usage()}).
 * Builds a {@link Pipeline} from the options, prints a startup summary and then a progress line at
 * an interval, reloads sink and tag settings on SIGHUP or a change of the {@code --config} file,
 * and shuts down gracefully on SIGTERM or SIGINT.
 *
 * <h2>Reload</h2>
 *
 * The options are read again (command line and config file). Sink settings ({@code sink}, {@code
 * stream}, {@code region}, {@code endpoint}, {@code no-cbor}, {@code aggregate}, {@code
 * partition-key}) apply by building a new sink and {@link Pipeline#replaceSink}; {@code tag-prefix}
 * applies by {@link Pipeline#replaceTags}. Client connections stay open and buffered records stay
 * in the buffer. Other changed settings are reported as "{@code X changed; restart to apply}"; an
 * invalid configuration is reported and the running one stays.
 *
 * <h2>Exit codes</h2>
 *
 * 0 after {@code --help} or a clean shutdown on SIGTERM/SIGINT; 1 if the agent cannot start; 2 for
 * an invalid option.
 */
public final class Agent implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

  /** Exit code of a clean run. */
  public static final int EXIT_OK = 0;

  /** Exit code when the agent cannot start (a port taken, a buffer that cannot be opened). */
  public static final int EXIT_FAILED = 1;

  /** Exit code of an invalid option. */
  public static final int EXIT_USAGE = 2;

  /** Runs a task at a fixed rate until the returned handle is closed; replaced in tests. */
  @FunctionalInterface
  interface Scheduler {
    AutoCloseable every(Duration interval, Runnable task);
  }

  private final AgentOptions started;
  private final Supplier<AgentOptions> reread;
  private final PrintStream out;
  private final Pipeline pipeline;
  private final ProgressReport progress;
  private final LongSupplier ticker;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Object reloadLock = new Object();
  private volatile AgentSink sink;
  private String tagPrefix;
  private AutoCloseable progressTask;
  private ConfigWatcher watcher;
  private AgentHttpServer http;

  private Agent(
      AgentOptions options,
      Supplier<AgentOptions> reread,
      PrintStream out,
      LongSupplier ticker,
      Pipeline pipeline,
      AgentSink sink) {
    this.started = options;
    this.reread = reread;
    this.out = out;
    this.ticker = ticker;
    this.pipeline = pipeline;
    this.sink = sink;
    this.tagPrefix = options.tagPrefix();
    this.progress = new ProgressReport(pipeline, () -> this.sink.monitor(), ticker.getAsLong());
  }

  /**
   * Runs the agent until SIGTERM or SIGINT, then exits with {@link #EXIT_OK}; exits with {@link
   * #EXIT_USAGE} on an invalid option and {@link #EXIT_FAILED} if it cannot start.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    AgentOptions options;
    try {
      options = AgentOptionsParser.parse(args);
    } catch (AgentOptionsException e) {
      System.err.println("logstream-agent: " + e.getMessage());
      System.err.println("Run 'logstream-agent --help' for the flags.");
      System.exit(EXIT_USAGE);
      return;
    }
    if (options.help()) {
      System.out.print(AgentOptionsParser.usage());
      System.out.flush();
      System.exit(EXIT_OK);
      return;
    }
    // Handlers go in before the pipeline starts, so a signal during start is not lost: it is
    // noted, and acted on as soon as the agent exists.
    AtomicReference<Agent> running = new AtomicReference<>();
    AtomicBoolean stopRequested = new AtomicBoolean();
    Runnable stop =
        () -> {
          stopRequested.set(true);
          Agent agent = running.get();
          if (agent != null) {
            agent.close();
            System.exit(EXIT_OK);
          }
        };
    Signals.handle("TERM", stop);
    Signals.handle("INT", stop);
    AtomicBoolean reloadRequested = new AtomicBoolean();
    Runnable reload =
        () -> {
          reloadRequested.set(true);
          Agent agent = running.get();
          if (agent != null && reloadRequested.getAndSet(false)) {
            agent.reload("SIGHUP");
          }
        };
    Signals.handle("HUP", reload);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  Agent agent = running.get();
                  if (agent != null) {
                    agent.close();
                  }
                },
                "logstream-agent-shutdown"));
    Agent agent;
    try {
      agent =
          start(
              options,
              () -> AgentOptionsParser.parse(args),
              System.out,
              Agent::systemScheduler,
              System::nanoTime,
              Duration.ofMillis(500));
    } catch (RuntimeException e) {
      System.err.println("logstream-agent: " + e.getMessage());
      LOG.debug("start failed", e);
      System.exit(EXIT_FAILED);
      return;
    }
    running.set(agent);
    if (stopRequested.get()) {
      stop.run();
    }
    if (reloadRequested.get()) {
      reload.run();
    }
    agent.awaitClose();
  }

  /**
   * Starts an agent in this JVM from a command line: what {@link #main} does, without signal
   * handlers and without exiting. Reloads (a change of the {@code --config} file, or {@link
   * #reload()}) read the same command line again.
   *
   * @param out where the summary, the progress lines and reload reports go (and the records of
   *     {@code --sink stdout})
   * @param args the command line
   * @return the running agent; {@link #close()} stops it
   * @throws AgentOptionsException if an option is invalid
   * @throws PipelineException if the pipeline cannot start
   * @throws IllegalArgumentException if {@code --help} is among the arguments
   */
  public static Agent start(PrintStream out, String... args) {
    List<String> copy = List.of(args);
    AgentOptions options = AgentOptionsParser.parse(args);
    if (options.help()) {
      throw new IllegalArgumentException("--help starts no agent");
    }
    return start(
        options,
        () -> AgentOptionsParser.parse(copy.toArray(String[]::new)),
        out,
        Agent::systemScheduler,
        System::nanoTime,
        Duration.ofMillis(500));
  }

  static Agent start(
      AgentOptions options,
      Supplier<AgentOptions> reread,
      PrintStream out,
      Scheduler scheduler,
      LongSupplier ticker,
      Duration debounce) {
    Objects.requireNonNull(out, "out");
    AgentSink sink = AgentSink.build(options, out);
    Pipeline pipeline;
    try {
      pipeline = pipeline(options, sink).start();
    } catch (RuntimeException e) {
      sink.closeMonitor();
      throw e;
    }
    Agent agent = new Agent(options, reread, out, ticker, pipeline, sink);
    try {
      if (options.http().isPresent()) {
        InetSocketAddress configured = options.http().get(); // parsed unresolved: resolve now
        AgentHttpServer.Builder http =
            AgentHttpServer.builder(pipeline)
                .address(new InetSocketAddress(configured.getHostString(), configured.getPort()));
        sink.monitor().ifPresent(http::capacityMonitor);
        agent.http = http.start();
      }
      agent.printSummary();
      agent.progressTask = scheduler.every(options.progressInterval(), agent::printProgress);
      if (options.config().isPresent()) {
        agent.watcher =
            ConfigWatcher.start(
                options.config().get(), debounce, () -> agent.reload("config file"));
      }
    } catch (IOException | RuntimeException e) {
      agent.close();
      throw new PipelineException("agent failed to start: " + e.getMessage(), e);
    }
    return agent;
  }

  private static Pipeline pipeline(AgentOptions o, AgentSink sink) {
    ForwardServer.Builder server = ForwardServer.builder();
    o.listen().forEach(server::listen);
    o.sharedKey()
        .ifPresent(key -> server.security(ForwardSecurity.builder().sharedKey(key).build()));
    if (o.tlsCert().isPresent()) {
      server.tls(
          ForwardTls.builder()
              .certificateChain(o.tlsCert().get())
              .privateKey(o.tlsKey().orElseThrow())
              .build());
    }
    Pipeline.Builder b =
        Pipeline.builder()
            .server(server)
            .buffer(
                SegmentBuffer.builder(o.bufferDir())
                    .segmentSize(o.segmentSize())
                    .maxSegments(o.maxSegments())
                    .durability(o.fsync())
                    .overflow(o.overflow()))
            .sink(sink.sink())
            .retryPolicy(o.retryPolicy())
            .tags(TagCodec.builder().prefix(o.tagPrefix()).build());
    if (o.reassemblePartials()) {
      b.partialMessages(PartialMessageAssembler.builder());
    }
    return b.build();
  }

  private void printSummary() {
    StringBuilder s = new StringBuilder("logstream agent started\n");
    for (ListenAddress a : pipeline.addresses()) {
      s.append("  listening on ").append(a).append('\n');
    }
    RecoveryReport recovery = pipeline.buffer().recoveryReport();
    s.append("  buffer ")
        .append(pipeline.buffer().directory())
        .append(": ")
        .append(recovery.summary())
        .append('\n');
    s.append("  sink: ").append(sinkDescription(sink)).append('\n');
    started
        .http()
        .ifPresent(
            h ->
                s.append("  http: http://")
                    .append(http.address().getHostString())
                    .append(':')
                    .append(http.address().getPort())
                    .append("/metrics and /health\n"));
    started
        .config()
        .ifPresent(
            c -> s.append("  config: ").append(c).append(" (reloaded on change and SIGHUP)\n"));
    print(s.toString());
  }

  private static String sinkDescription(AgentSink s) {
    String shards =
        s.monitor()
            .map(m -> m.utilization().shards())
            .map(n -> n > 0 ? " (" + n + " shards)" : " (shard count not known yet)")
            .orElse("");
    return s.settings().describe() + shards;
  }

  private void printProgress() {
    try {
      print(progress.next(ticker.getAsLong()) + "\n");
    } catch (RuntimeException e) {
      LOG.warn("progress report failed: {}", e.toString());
    }
  }

  private void print(String text) {
    synchronized (out) {
      out.print(text);
      out.flush();
    }
  }

  /**
   * Reads the options again and applies what can change without a restart (see the class
   * documentation), reporting each change.
   */
  public void reload() {
    reload("request");
  }

  void reload(String trigger) {
    synchronized (reloadLock) {
      if (closed.getCount() == 0) {
        return;
      }
      AgentOptions next;
      try {
        next = reread.get();
      } catch (RuntimeException e) {
        print(
            "reload ("
                + trigger
                + ") failed, keeping the running configuration: "
                + e.getMessage()
                + "\n");
        return;
      }
      List<String> report = new ArrayList<>();
      for (String name : restartOnlyChanges(started, next)) {
        report.add(name + " changed; restart to apply");
      }
      AgentSink.Settings wanted = AgentSink.Settings.of(next);
      if (!wanted.equals(sink.settings())) {
        try {
          AgentSink replacement = AgentSink.build(next, out);
          AgentSink old = sink;
          pipeline.replaceSink(replacement.sink());
          sink = replacement;
          old.closeMonitor();
          report.add("sink changed to " + sinkDescription(replacement) + "; applied");
        } catch (RuntimeException e) {
          report.add(
              "sink change failed, keeping " + sink.settings().describe() + ": " + e.getMessage());
        }
      }
      if (!next.tagPrefix().equals(tagPrefix)) {
        pipeline.replaceTags(TagCodec.builder().prefix(next.tagPrefix()).build());
        tagPrefix = next.tagPrefix();
        report.add("tag-prefix changed to '" + tagPrefix + "'; applied");
      }
      if (report.isEmpty()) {
        report.add("nothing changed");
      }
      print("reload (" + trigger + "): " + String.join("; ", report) + "\n");
    }
  }

  private static List<String> restartOnlyChanges(AgentOptions a, AgentOptions b) {
    List<String> changed = new ArrayList<>();
    check(changed, "listen", a.listen(), b.listen());
    check(changed, "buffer-dir", a.bufferDir(), b.bufferDir());
    check(changed, "segment-size", a.segmentSize(), b.segmentSize());
    check(changed, "max-segments", a.maxSegments(), b.maxSegments());
    check(changed, "fsync", a.fsync(), b.fsync());
    check(changed, "overflow", a.overflow(), b.overflow());
    check(changed, "max-retries", a.maxRetries(), b.maxRetries());
    check(changed, "shared-key", a.sharedKey(), b.sharedKey());
    check(changed, "tls-cert", a.tlsCert(), b.tlsCert());
    check(changed, "tls-key", a.tlsKey(), b.tlsKey());
    check(changed, "reassemble-partials", a.reassemblePartials(), b.reassemblePartials());
    check(changed, "http", a.http(), b.http());
    check(changed, "progress-interval", a.progressInterval(), b.progressInterval());
    return changed;
  }

  private static void check(List<String> changed, String name, Object before, Object after) {
    if (!before.equals(after)) {
      changed.add(name);
    }
  }

  /**
   * The running pipeline, for its addresses and metrics.
   *
   * @return the pipeline
   */
  public Pipeline pipeline() {
    return pipeline;
  }

  /** Prints a progress line now; the scheduler calls this at the interval. */
  void reportProgress() {
    printProgress();
  }

  /** Blocks until {@link #close()} finished. */
  void awaitClose() {
    boolean interrupted = false;
    while (true) {
      try {
        closed.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops watching the config file and printing progress, then closes the pipeline gracefully (see
   * {@link Pipeline#close()}). Idempotent.
   */
  @Override
  public void close() {
    synchronized (reloadLock) {
      if (closed.getCount() == 0) {
        return;
      }
      if (watcher != null) {
        watcher.close();
      }
      if (progressTask != null) {
        try {
          progressTask.close();
        } catch (Exception e) {
          LOG.warn("stopping the progress report failed: {}", e.toString());
        }
      }
      if (http != null) {
        http.close();
      }
      pipeline.close();
      sink.closeMonitor();
      print("logstream agent stopped\n");
      closed.countDown();
    }
  }

  private static AutoCloseable systemScheduler(Duration interval, Runnable task) {
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "logstream-agent-progress");
              t.setDaemon(true);
              return t;
            });
    long nanos = interval.toNanos();
    executor.scheduleAtFixedRate(task, nanos, nanos, TimeUnit.NANOSECONDS);
    return executor::shutdownNow;
  }
}
