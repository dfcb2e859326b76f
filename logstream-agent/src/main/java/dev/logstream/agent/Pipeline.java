package dev.logstream.agent;

import dev.logstream.buffer.DeadLetterStore;
import dev.logstream.buffer.DirectoryDeadLetterStore;
import dev.logstream.buffer.Dispatcher;
import dev.logstream.buffer.DispatcherMetrics;
import dev.logstream.buffer.RetryPolicy;
import dev.logstream.buffer.SegmentBuffer;
import dev.logstream.core.KinesisRecordEncoder;
import dev.logstream.core.sink.Sink;
import dev.logstream.core.tag.TagCodec;
import dev.logstream.forward.ForwardServer;
import dev.logstream.forward.ListenAddress;
import dev.logstream.forward.PartialMessageAssembler;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forward server → encoder → segment buffer → dispatcher → sink, with end-to-end acks: the whole of
 * a log-shipping agent, assembled from the library's modules.
 *
 * <h2>Ingest path</h2>
 *
 * Each frame the server decodes is encoded on its event-loop thread, event by event, straight from
 * the decoder's record view into Kinesis records ({@link KinesisRecordEncoder}), optionally after
 * partial-line reassembly, and appended to the buffer as one batch. The client's ack goes out once
 * that batch reached the buffer's durability level. When the buffer is full under the {@code block}
 * policy the frame is not taken: the server stops reading that connection (TCP backpressure) and
 * offers the frame again when a delivered segment frees room. Under {@code reject} the frame gets
 * no ack and the connection is closed, so the client resends later.
 *
 * <h2>Delivery path</h2>
 *
 * A {@link Dispatcher} reads the buffer in order, sends batches to the {@link Sink}, retries what
 * the sink answers retryable with the {@link RetryPolicy}, dead-letters what is fatal or out of
 * attempts, and commits what is finished. A restart resumes from the buffer's last commit.
 *
 * <h2>Shutdown</h2>
 *
 * {@link #close()}: the server stops accepting and finishes the frames it is reading (with its
 * shutdown timeout), held partial lines are flushed into the buffer, the dispatcher drains for at
 * most {@code drainTimeout}, then the sink and the buffer are closed. What is left in the buffer is
 * delivered after the next start.
 *
 * <pre>{@code
 * try (Pipeline pipeline =
 *     Pipeline.builder()
 *         .server(ForwardServer.builder().listen("tcp://0.0.0.0:24224"))
 *         .buffer(SegmentBuffer.builder(Path.of("/var/lib/logstream")))
 *         .sink(KinesisSink.builder("logs").region(Region.EU_WEST_1).build())
 *         .build()
 *         .start()) {
 *   ...
 * }
 * }</pre>
 */
public final class Pipeline implements AutoCloseable {

  /** How long delivery waits for more records after one arrives, by default. */
  public static final Duration DEFAULT_LINGER = Duration.ofMillis(10);

  /** How long {@link #close()} lets the dispatcher deliver what it read, by default. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

  private final ForwardServer.Builder serverBuilder;
  private final SegmentBuffer.Builder bufferBuilder;
  private final RetryPolicy retryPolicy;
  private final DeadLetterStore deadLetterStoreOption;
  private final Duration drainTimeout;
  private final Duration linger;
  private final KinesisRecordEncoder.Builder encoding;
  private final PartialMessageAssembler.Builder partials;
  private final Duration partialFlushInterval;
  private final TagCodec initialTags;

  private final Object lock = new Object();
  private State state = State.NEW;
  private SegmentBuffer buffer;
  private Sink sink;
  private DeadLetterStore deadLetters;
  private Dispatcher dispatcher;
  private ForwardServer server;
  private IngestHandler ingest;
  private ScheduledExecutorService partialTimer;
  private ExecutorService spill;

  private enum State {
    NEW,
    RUNNING,
    CLOSED
  }

  private Pipeline(Builder b) {
    this.serverBuilder = b.server;
    this.bufferBuilder = b.buffer;
    this.buffer = b.openBuffer;
    this.sink = b.sink;
    this.retryPolicy = b.retryPolicy == null ? RetryPolicy.defaults() : b.retryPolicy;
    this.deadLetterStoreOption = b.deadLetters;
    this.drainTimeout = b.drainTimeout == null ? DEFAULT_DRAIN_TIMEOUT : b.drainTimeout;
    this.linger = b.linger == null ? DEFAULT_LINGER : b.linger;
    this.encoding = b.encoding;
    this.partials = b.partials;
    this.partialFlushInterval = Duration.ofMillis(250);
    this.initialTags = b.tags == null ? TagCodec.grid() : b.tags;
  }

  /**
   * Starts a builder.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Opens the buffer (reporting what recovery found), starts the dispatcher (which delivers what
   * the buffer still holds) and then the server.
   *
   * @return this pipeline
   * @throws PipelineException if the buffer cannot be opened or the server cannot listen; whatever
   *     was started is closed again
   * @throws IllegalStateException if already started or closed
   */
  public Pipeline start() {
    synchronized (lock) {
      if (state != State.NEW) {
        throw new IllegalStateException("pipeline is " + state.name().toLowerCase());
      }
      state = State.RUNNING;
      try {
        if (buffer == null) {
          buffer = bufferBuilder.open();
        }
        deadLetters =
            deadLetterStoreOption != null
                ? deadLetterStoreOption
                : DirectoryDeadLetterStore.open(
                    buffer.directory().resolve(DirectoryDeadLetterStore.DEFAULT_DIRECTORY_NAME));
        dispatcher = newDispatcher(sink);
        dispatcher.start();
        spill = Executors.newSingleThreadExecutor(daemon("logstream-pipeline-spill"));
        Supplier<KinesisRecordEncoder> encoders =
            encoding == null ? KinesisRecordEncoder::create : encoding::build;
        ingest =
            new IngestHandler(
                buffer, encoders, initialTags, partials == null ? null : partials::build, spill);
        if (partials != null) {
          partialTimer =
              Executors.newSingleThreadScheduledExecutor(daemon("logstream-pipeline-partials"));
          long period = partialFlushInterval.toNanos();
          partialTimer.scheduleWithFixedDelay(
              this::flushExpiredPartials, period, period, TimeUnit.NANOSECONDS);
        }
        server = serverBuilder.handler(ingest).build().start();
      } catch (IOException | RuntimeException e) {
        closeQuietly();
        state = State.CLOSED;
        if (e instanceof IOException io) {
          throw new PipelineException("pipeline failed to start: " + io.getMessage(), io);
        }
        throw e instanceof PipelineException p
            ? p
            : new PipelineException("pipeline failed to start: " + e.getMessage(), e);
      }
      LOG.info(
          "pipeline started: listening on {}, buffer {} ({})",
          server.addresses(),
          buffer.directory(),
          buffer.recoveryReport());
      return this;
    }
  }

  private Dispatcher newDispatcher(Sink target) {
    return Dispatcher.builder(buffer, target)
        .retryPolicy(retryPolicy)
        .deadLetterStore(deadLetters)
        .drainTimeout(drainTimeout)
        .linger(linger)
        .build();
  }

  private void flushExpiredPartials() {
    try {
      ingest.flushExpiredPartials(false);
    } catch (RuntimeException e) {
      LOG.error("flushing expired partial lines failed", e);
    }
  }

  /**
   * The addresses the server listens on, with the ports actually bound.
   *
   * @return the addresses
   * @throws IllegalStateException if not started
   */
  public List<ListenAddress> addresses() {
    return running().addresses();
  }

  /**
   * The forward server, for its statistics.
   *
   * @return the server
   * @throws IllegalStateException if not started
   */
  public ForwardServer server() {
    return running();
  }

  /**
   * The buffer, for its metrics and recovery report.
   *
   * @return the buffer
   * @throws IllegalStateException if not started
   */
  public SegmentBuffer buffer() {
    running();
    return buffer;
  }

  /**
   * The sink the dispatcher currently delivers to.
   *
   * @return the sink
   */
  public Sink sink() {
    synchronized (lock) {
      return sink;
    }
  }

  /**
   * The dispatcher's counters: records delivered, retried, dead-lettered.
   *
   * @return the current dispatcher's metrics (a {@link #replaceSink} starts a new dispatcher, whose
   *     counters start from zero)
   * @throws IllegalStateException if not started
   */
  public DispatcherMetrics dispatcherMetrics() {
    synchronized (lock) {
      running();
      return dispatcher.metrics();
    }
  }

  /**
   * The ingest path's counters.
   *
   * @return the metrics
   * @throws IllegalStateException if not started
   */
  public IngestMetrics ingestMetrics() {
    running();
    return ingest.metrics();
  }

  /**
   * The tag codec the ingest path classifies tags with.
   *
   * @return the codec
   */
  public TagCodec tags() {
    synchronized (lock) {
      return ingest == null ? initialTags : ingest.tags();
    }
  }

  /**
   * Replaces the tag codec (e.g. a new tag prefix) without touching connections or the buffer;
   * frames decoded from now on use it.
   *
   * @param codec the new codec
   * @throws IllegalStateException if not started
   */
  public void replaceTags(TagCodec codec) {
    Objects.requireNonNull(codec, "codec");
    running();
    ingest.tags(codec);
  }

  /**
   * Delivers to a new sink from now on, keeping connections and the buffer: the current dispatcher
   * drains for at most the drain timeout (records it could not finish stay in the buffer and are
   * read again, so they may be delivered twice), the old sink is closed, and a new dispatcher
   * starts from the buffer's last commit. Ingest goes on meanwhile.
   *
   * @param replacement the new sink; the pipeline owns and closes it
   * @return whether the old dispatcher finished everything it had read before the timeout
   * @throws IllegalStateException if not started
   */
  public boolean replaceSink(Sink replacement) {
    Objects.requireNonNull(replacement, "replacement");
    synchronized (lock) {
      running();
      boolean drained = stopDispatcher();
      Sink old = sink;
      sink = replacement;
      dispatcher = newDispatcher(replacement);
      dispatcher.start();
      closeSink(old);
      LOG.info(
          "sink replaced ({})",
          drained ? "the old sink finished its batches" : "unfinished batches will be resent");
      return drained;
    }
  }

  /**
   * Shuts down gracefully: stops accepting and finishes the frames being read, flushes held partial
   * lines into the buffer, lets the dispatcher deliver for at most the drain timeout, then closes
   * the sink and the buffer. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      state = State.CLOSED;
      closeQuietly();
    }
  }

  private void closeQuietly() {
    if (server != null) {
      server.close();
    }
    if (partialTimer != null) {
      partialTimer.shutdownNow();
      awaitQuietly(partialTimer);
    }
    if (ingest != null && ingest.assembler() != null && buffer != null) {
      try {
        ingest.flushExpiredPartials(true);
      } catch (RuntimeException e) {
        LOG.error("flushing held partial lines at shutdown failed", e);
      }
    }
    if (spill != null) {
      spill.shutdown();
      awaitQuietly(spill);
    }
    if (dispatcher != null) {
      boolean drained = stopDispatcher();
      LOG.info(
          "pipeline stopped: {}",
          drained
              ? "everything read was delivered or dead-lettered"
              : "undelivered records stay in the buffer for the next start");
    }
    closeSink(sink);
    if (deadLetters != null && deadLetterStoreOption == null) {
      closeDeadLetters();
    }
    if (buffer != null) {
      buffer.close();
    }
  }

  private boolean stopDispatcher() {
    boolean drained;
    try {
      drained =
          dispatcher.stop(drainTimeout).get(drainTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      drained = false;
    } catch (Exception e) {
      LOG.warn("dispatcher did not stop cleanly: {}", e.toString());
      drained = false;
    }
    dispatcher.close();
    return drained;
  }

  private void closeDeadLetters() {
    try {
      deadLetters.close();
    } catch (Exception e) {
      LOG.warn("closing the dead-letter store failed: {}", e.toString());
    }
  }

  private static void closeSink(Sink s) {
    try {
      s.close();
    } catch (RuntimeException e) {
      LOG.warn("closing the sink failed: {}", e.toString());
    }
  }

  private static void awaitQuietly(ExecutorService executor) {
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("{} did not finish within 30 s", executor);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private ForwardServer running() {
    synchronized (lock) {
      if (state != State.RUNNING) {
        throw new IllegalStateException("pipeline is " + state.name().toLowerCase());
      }
      return server;
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Builds a {@link Pipeline}: every option set at most once, checked when set.
   *
   * <p>Required: {@link #server}, {@link #buffer(SegmentBuffer.Builder)} (or a ready {@link
   * #buffer(SegmentBuffer)}), {@link #sink}. The pipeline owns what it is given: it closes the
   * buffer, the sink and a dead-letter store it opened itself.
   */
  public static final class Builder {
    private ForwardServer.Builder server;
    private SegmentBuffer.Builder buffer;
    private SegmentBuffer openBuffer;
    private Sink sink;
    private RetryPolicy retryPolicy;
    private DeadLetterStore deadLetters;
    private Duration drainTimeout;
    private Duration linger;
    private KinesisRecordEncoder.Builder encoding;
    private PartialMessageAssembler.Builder partials;
    private TagCodec tags;

    private Builder() {}

    /**
     * Sets the forward server's settings (listen addresses, limits, security, TLS); the pipeline
     * sets its handler, so none must be set.
     *
     * @param value the server's builder
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder server(ForwardServer.Builder value) {
      requireUnset("server", server);
      server = Objects.requireNonNull(value, "server");
      return this;
    }

    /**
     * Sets the buffer's settings; {@link Pipeline#start()} opens it.
     *
     * @param value the buffer's builder
     * @return this builder
     * @throws IllegalStateException if a buffer is already set
     */
    public Builder buffer(SegmentBuffer.Builder value) {
      requireUnset("buffer", buffer == null ? openBuffer : buffer);
      buffer = Objects.requireNonNull(value, "buffer");
      return this;
    }

    /**
     * Sets an open buffer; the pipeline closes it.
     *
     * @param value the buffer
     * @return this builder
     * @throws IllegalStateException if a buffer is already set
     */
    public Builder buffer(SegmentBuffer value) {
      requireUnset("buffer", buffer == null ? openBuffer : buffer);
      openBuffer = Objects.requireNonNull(value, "buffer");
      return this;
    }

    /**
     * Sets where records go; the pipeline closes it.
     *
     * @param value the sink, e.g. a {@code KinesisSink}
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder sink(Sink value) {
      requireUnset("sink", sink);
      sink = Objects.requireNonNull(value, "sink");
      return this;
    }

    /**
     * Sets the dispatcher's retry policy; default {@link RetryPolicy#defaults()}.
     *
     * @param value the policy
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder retryPolicy(RetryPolicy value) {
      requireUnset("retryPolicy", retryPolicy);
      retryPolicy = Objects.requireNonNull(value, "retryPolicy");
      return this;
    }

    /**
     * Sets where records the dispatcher gives up on go; default a {@link DirectoryDeadLetterStore}
     * in the buffer directory's {@code dead-letter/}. A store given here is not closed.
     *
     * @param value the store
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder deadLetterStore(DeadLetterStore value) {
      requireUnset("deadLetterStore", deadLetters);
      deadLetters = Objects.requireNonNull(value, "deadLetterStore");
      return this;
    }

    /**
     * Sets how long {@link Pipeline#close()} and {@link Pipeline#replaceSink} let the dispatcher
     * deliver what it read; default 10 seconds.
     *
     * @param value from zero to 1 hour
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder drainTimeout(Duration value) {
      requireUnset("drainTimeout", drainTimeout);
      Objects.requireNonNull(value, "drainTimeout");
      if (value.isNegative() || value.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("drainTimeout must be in 0s..1h, got " + value);
      }
      drainTimeout = value;
      return this;
    }

    /**
     * Sets how long delivery waits, once a record arrives after everything was sent, for more
     * records to go in the same batch; default 10 ms ({@link #DEFAULT_LINGER}). With Docker's
     * one-line-per-frame traffic this turns one sink call per line into one per batch, for at most
     * that much added latency. A backlog is sent without waiting. See {@link
     * Dispatcher.Builder#linger(Duration)}.
     *
     * @param value from zero to 1 second
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder linger(Duration value) {
      requireUnset("linger", linger);
      Objects.requireNonNull(value, "linger");
      if (value.isNegative() || value.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException("linger must be in 0s..1s, got " + value);
      }
      linger = value;
      return this;
    }

    /**
     * Sets how events become Kinesis records (time precision, key names); default {@link
     * KinesisRecordEncoder#create()}. Each event-loop thread builds its own encoder from it.
     *
     * @param value the encoder's builder
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder encoding(KinesisRecordEncoder.Builder value) {
      requireUnset("encoding", encoding);
      encoding = Objects.requireNonNull(value, "encoding");
      return this;
    }

    /**
     * Turns on partial-line reassembly (Docker splits lines over 16 KiB into pieces marked {@code
     * partial_*}); default off. Trade-off: pieces of an incomplete line are acknowledged when they
     * arrive and held in memory until the line is complete or its timeout flushes them, so a crash
     * loses what is held (see {@link IngestMetrics#heldEventsLost()} for the one other case).
     *
     * @param value the assembler's settings
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder partialMessages(PartialMessageAssembler.Builder value) {
      requireUnset("partialMessages", partials);
      partials = Objects.requireNonNull(value, "partialMessages");
      return this;
    }

    /**
     * Sets the codec tags are classified with (prefix {@code grid} by default); events with other
     * tags are stored too and counted in {@link IngestMetrics#foreignTagEvents()}.
     *
     * @param value the codec
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder tags(TagCodec value) {
      requireUnset("tags", tags);
      tags = Objects.requireNonNull(value, "tags");
      return this;
    }

    /**
     * Checks that the required parts are set and returns an unstarted pipeline.
     *
     * @return the pipeline; call {@link Pipeline#start()}
     * @throws IllegalStateException if the server, the buffer or the sink is missing
     */
    public Pipeline build() {
      if (server == null) {
        throw new IllegalStateException("server is required");
      }
      if (buffer == null && openBuffer == null) {
        throw new IllegalStateException("buffer is required");
      }
      if (sink == null) {
        throw new IllegalStateException("sink is required");
      }
      return new Pipeline(this);
    }

    private static void requireUnset(String option, Object current) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
    }
  }
}
