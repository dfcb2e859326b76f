package dev.logstream.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.logstream.kinesis.CapacityMonitor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP endpoint for operators and orchestrators.
 *
 * <ul>
 *   <li>{@code GET /metrics}: every counter and gauge of the pipeline's modules in the Prometheus
 *       text format 0.0.4 (names {@code logstream_<area>_<name>}; see the README's "Agent metrics
 *       and health"). The sink's metrics appear while the pipeline's sink is a {@code KinesisSink},
 *       the capacity metrics when a {@link CapacityMonitor} is given.
 *   <li>{@code GET /health}: {@code 200} with {@code {"status":"ok",...}} while the pipeline runs,
 *       listens, its buffer has not failed and its sink is reachable; otherwise {@code 503} with
 *       {@code {"status":"unhealthy","reasons":[...]}}. The sink counts as unreachable when records
 *       waited in the buffer, none was delivered and delivery attempts failed for longer than
 *       {@link Builder#sinkUnreachableAfter(Duration)}.
 *   <li>Any other path: {@code 404}; any other method: {@code 405}.
 * </ul>
 *
 * <pre>{@code
 * try (AgentHttpServer http =
 *     AgentHttpServer.builder(pipeline).address(new InetSocketAddress("0.0.0.0", 9090)).start()) {
 *   ...
 * }
 * }</pre>
 */
public final class AgentHttpServer implements AutoCloseable {

  /** How long records may wait undelivered, with attempts failing, before the sink is reported. */
  public static final Duration DEFAULT_SINK_UNREACHABLE_AFTER = Duration.ofSeconds(60);

  private static final Logger LOG = LoggerFactory.getLogger(AgentHttpServer.class);
  private static final int THREADS = 2;

  private final HttpServer server;
  private final ExecutorService executor;
  private final AgentMetrics metrics;
  private final HealthCheck health;

  private AgentHttpServer(Builder b, HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
    this.metrics = new AgentMetrics(b.pipeline, b.capacityMonitor);
    this.health =
        new HealthCheck(
            b.pipeline,
            b.sinkUnreachableAfter == null
                ? DEFAULT_SINK_UNREACHABLE_AFTER
                : b.sinkUnreachableAfter,
            b.clock == null ? InstantSource.system() : b.clock);
  }

  /**
   * Starts a builder for the endpoint of {@code pipeline}.
   *
   * @param pipeline the pipeline to report on; it may be started after the endpoint
   * @return the builder
   */
  public static Builder builder(Pipeline pipeline) {
    return new Builder(Objects.requireNonNull(pipeline, "pipeline"));
  }

  /**
   * The address the endpoint is bound to, with the port actually bound.
   *
   * @return the address
   */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** Stops answering and releases the port and the threads. Idempotent. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!path.equals("/metrics") && !path.equals("/health")) {
        respond(exchange, 404, "text/plain; charset=utf-8", "not found: " + path + "\n");
        return;
      }
      if (!exchange.getRequestMethod().equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET");
        respond(
            exchange,
            405,
            "text/plain; charset=utf-8",
            "method not allowed: " + exchange.getRequestMethod() + "\n");
        return;
      }
      String body;
      try {
        if (path.equals("/metrics")) {
          body = metrics.scrape();
        } else {
          HealthCheck.Result result = health.check();
          respond(exchange, result.healthy() ? 200 : 503, "application/json", result.json());
          return;
        }
      } catch (RuntimeException e) {
        // a failing source must not leave the scraper with a reset connection and no reason
        LOG.error("answering {} failed", path, e);
        respond(exchange, 500, "text/plain; charset=utf-8", "internal error: " + e + "\n");
        return;
      }
      respond(exchange, 200, PrometheusText.CONTENT_TYPE, body);
    }
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Builds an {@link AgentHttpServer}: every option set at most once, checked when set. */
  public static final class Builder {
    private final Pipeline pipeline;
    private InetSocketAddress address;
    private CapacityMonitor capacityMonitor;
    private Duration sinkUnreachableAfter;
    private InstantSource clock;

    private Builder(Pipeline pipeline) {
      this.pipeline = pipeline;
    }

    /**
     * Sets the address to bind (the agent's {@code --http HOST:PORT}); port 0 picks a free port.
     * Required.
     *
     * @param value the address
     * @return this builder
     * @throws IllegalArgumentException if the host name did not resolve
     * @throws IllegalStateException if already set
     */
    public Builder address(InetSocketAddress value) {
      requireUnset("address", address);
      Objects.requireNonNull(value, "address");
      if (value.isUnresolved()) {
        throw new IllegalArgumentException("address must be resolved, got " + value);
      }
      address = value;
      return this;
    }

    /**
     * Exports the capacity monitor's utilization snapshot under {@code logstream_capacity_*}.
     *
     * @param value the monitor of the sink's stream
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder capacityMonitor(CapacityMonitor value) {
      requireUnset("capacityMonitor", capacityMonitor);
      capacityMonitor = Objects.requireNonNull(value, "capacityMonitor");
      return this;
    }

    /**
     * Sets how long records may wait with no delivery while attempts fail before {@code /health}
     * reports the sink unreachable; default {@link #DEFAULT_SINK_UNREACHABLE_AFTER}.
     *
     * @param value from 1 second to 1 day
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder sinkUnreachableAfter(Duration value) {
      requireUnset("sinkUnreachableAfter", sinkUnreachableAfter);
      Objects.requireNonNull(value, "sinkUnreachableAfter");
      if (value.compareTo(Duration.ofSeconds(1)) < 0 || value.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("sinkUnreachableAfter must be in 1s..1d, got " + value);
      }
      sinkUnreachableAfter = value;
      return this;
    }

    /**
     * Sets the clock the health rules measure time with; default the system clock (tests inject a
     * fake one).
     *
     * @param value the clock
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder clock(InstantSource value) {
      requireUnset("clock", clock);
      clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * Binds the address and starts answering.
     *
     * @return the running endpoint
     * @throws IllegalStateException if no address is set
     * @throws PipelineException if the address cannot be bound
     */
    public AgentHttpServer start() {
      if (address == null) {
        throw new IllegalStateException("address is required");
      }
      HttpServer server;
      try {
        server = HttpServer.create(address, 16);
      } catch (IOException e) {
        throw new PipelineException(
            "http endpoint cannot bind " + address + ": " + e.getMessage(), e);
      }
      AtomicInteger n = new AtomicInteger();
      ExecutorService executor =
          Executors.newFixedThreadPool(
              THREADS,
              r -> {
                Thread t = new Thread(r, "logstream-http-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      AgentHttpServer http = new AgentHttpServer(this, server, executor);
      server.createContext("/", http::handle);
      server.setExecutor(executor);
      server.start();
      LOG.info("http endpoint on {}: /metrics, /health", http.address());
      return http;
    }

    private static void requireUnset(String option, Object current) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
    }
  }
}
