package dev.logstream.forward;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Fluentd forward-protocol server: accepts Docker's {@code fluentd} log driver, fluency, Fluent
 * Bit and fluentd's {@code out_forward}, decodes their frames, hands them to a {@link FrameHandler}
 * and acknowledges each frame once the handler reports it stored.
 *
 * <pre>{@code
 * ForwardServer server =
 *     ForwardServer.builder()
 *         .listen("tcp://127.0.0.1:24224")
 *         .listen("unix:///run/logstream/forward.sock")
 *         .handler((frame, connection) -> Admission.accepted(store(frame)))
 *         .build()
 *         .start();
 * }</pre>
 *
 * <h2>Threads and memory</h2>
 *
 * A fixed number of NIO event loops ({@link Builder#eventLoops}) serve every connection; nothing
 * blocks a loop, storage included (the handler returns a stage). Per connection the server holds
 * the bytes of at most one incomplete frame (bounded by {@link ForwardLimits#maxFrameBytes()}), the
 * acks waiting to be written, and at most {@link Builder#maxPendingFrames} frames waiting for
 * storage; a connection at that bound stops being read. {@link Builder#maxConnections} bounds the
 * number of connections.
 *
 * <h2>Acks and backpressure</h2>
 *
 * A frame asking for an ack ({@code chunk}) is acknowledged with {@code {"ack": chunk}} only when
 * {@link Admission.Accepted#stored()} completes normally; if it completes exceptionally the
 * connection is closed unacknowledged, so the client resends. When the handler answers {@link
 * Admission.Full}, the connection stops being read (TCP backpressure to the client) and the same
 * frame is offered again when the retry stage completes.
 *
 * <h2>Also</h2>
 *
 * {@code tls://} addresses speak TLS ({@link Builder#tls}); the TLS handshake comes first, then the
 * secure-forward handshake if one is configured. UDP heartbeats on the TCP port are answered with
 * {@code 0x00} (Fluentd's {@code heartbeat_type udp}); a top-level {@code nil} on TCP is a
 * heartbeat. With {@link Builder#security} every connection starts with the secure-forward
 * handshake. {@link #close()} stops accepting, lets frames in flight finish and be acknowledged (up
 * to {@link Builder#shutdownTimeout}), then closes. Counters: {@link #stats()}.
 */
public final class ForwardServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ForwardServer.class);

  private final Builder config;
  private final Context context;
  private final List<EventLoop> loops = new ArrayList<>();
  private final List<ServerSocketChannel> servers = new ArrayList<>();
  private final List<DatagramChannel> heartbeats = new ArrayList<>();
  private final List<ListenAddress> bound = new ArrayList<>();
  private final AtomicInteger nextLoop = new AtomicInteger();
  private final AtomicLong nextConnectionId = new AtomicLong(1);
  private volatile boolean started;
  private volatile boolean closed;

  private ForwardServer(Builder config) {
    this.config = config;
    this.context = new Context(config, new ForwardServerStats());
  }

  /**
   * Returns a builder; only the handler is required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds every listen address and starts serving.
   *
   * @return this server
   * @throws UncheckedIOException if an address cannot be bound, naming it; nothing stays bound
   * @throws IllegalStateException if already started, or a Unix socket path is taken by a file that
   *     is not a socket
   */
  public synchronized ForwardServer start() {
    if (started) {
      throw new IllegalStateException("server already started");
    }
    started = true;
    for (int i = 0; i < config.eventLoops; i++) {
      loops.add(new EventLoop("logstream-forward-" + i));
    }
    try {
      for (ListenAddress address : config.listen) {
        bind(address);
      }
    } catch (IOException | RuntimeException e) {
      closeChannels();
      throw e instanceof IOException io
          ? new UncheckedIOException("cannot listen: " + io.getMessage(), io)
          : (RuntimeException) e;
    }
    loops.forEach(EventLoop::start);
    log.info("forward server listening on {}", bound);
    return this;
  }

  private void bind(ListenAddress address) throws IOException {
    EventLoop acceptLoop = loops.get(0);
    ServerSocketChannel server;
    ListenAddress actual;
    if (address.transport() == ListenAddress.Transport.UNIX) {
      prepareSocketFile(address.path());
      server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      try {
        server.bind(UnixDomainSocketAddress.of(address.path()), config.backlog);
      } catch (IOException e) {
        server.close();
        throw new IOException(address + ": " + e.getMessage(), e);
      }
      if (config.unixSocketPermissions != null) {
        Files.setPosixFilePermissions(address.path(), config.unixSocketPermissions);
      }
      actual = address;
    } else {
      server = ServerSocketChannel.open();
      try {
        server.bind(address.socketAddress(), config.backlog);
      } catch (IOException e) {
        server.close();
        throw new IOException(address + ": " + e.getMessage(), e);
      }
      int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
      actual = new ListenAddress(address.transport(), address.host(), port, null);
      if (config.udpHeartbeat) {
        DatagramChannel udp = DatagramChannel.open();
        udp.bind(new InetSocketAddress(address.host(), port));
        udp.configureBlocking(false);
        udp.register(acceptLoop.selector(), SelectionKey.OP_READ, new UdpHeartbeat(udp));
        heartbeats.add(udp);
      }
    }
    server.configureBlocking(false);
    server.register(acceptLoop.selector(), SelectionKey.OP_ACCEPT, new Acceptor(server, actual));
    servers.add(server);
    bound.add(actual);
  }

  /** Removes a stale socket file; refuses to touch anything that is not a socket. */
  private static void prepareSocketFile(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    if ((mode & 0170000) != 0140000) {
      throw new IllegalStateException(
          "unix socket path " + path + " exists and is not a socket; refusing to replace it");
    }
    Files.delete(path);
  }

  /**
   * The addresses actually bound, with the ports picked for port 0.
   *
   * @return one per listen address, in order
   */
  public List<ListenAddress> addresses() {
    return List.copyOf(bound);
  }

  /**
   * The server's counters.
   *
   * @return live counters
   */
  public ForwardServerStats stats() {
    return context.stats();
  }

  /**
   * Stops accepting, waits up to the shutdown timeout for frames in flight to be stored and
   * acknowledged, closes every connection and stops the event loops.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed || !started) {
        closed = true;
        return;
      }
      closed = true;
    }
    // Each loop stops reading, lets its connections store and ack what is in flight, and counts
    // down once it has no connection left.
    CountDownLatch drained = new CountDownLatch(loops.size());
    loops.get(0).execute(this::closeChannels);
    for (EventLoop loop : loops) {
      loop.execute(
          () -> {
            for (Connection connection : new ArrayList<>(loop.connections())) {
              connection.drainThenClose(CloseReason.SHUTDOWN);
            }
            loop.whenEmpty(drained::countDown);
          });
    }
    try {
      if (!drained.await(config.shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "forward server shutdown: frames still in flight after {}; closing anyway",
            config.shutdownTimeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (EventLoop loop : loops) {
      loop.execute(
          () -> {
            for (Connection connection : new ArrayList<>(loop.connections())) {
              connection.close(
                  CloseReason.SHUTDOWN, "shutdown timeout passed with frames in flight");
            }
          });
      loop.stop();
    }
    for (EventLoop loop : loops) {
      try {
        loop.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    log.info("forward server stopped: {}", stats());
  }

  private void closeChannels() {
    for (ServerSocketChannel server : servers) {
      try {
        SocketAddress local = server.getLocalAddress();
        server.close();
        if (local instanceof UnixDomainSocketAddress unix) {
          Files.deleteIfExists(unix.getPath());
        }
      } catch (IOException e) {
        log.debug("closing listener", e);
      }
    }
    for (DatagramChannel udp : heartbeats) {
      try {
        udp.close();
      } catch (IOException e) {
        log.debug("closing UDP heartbeat", e);
      }
    }
  }

  private EventLoop nextLoop() {
    return loops.get(Math.floorMod(nextLoop.getAndIncrement(), loops.size()));
  }

  /** Accepts connections on one listener and deals them out to the loops. */
  private final class Acceptor implements EventLoop.Selectable {
    private final ServerSocketChannel server;
    private final ListenAddress address;

    Acceptor(ServerSocketChannel server, ListenAddress address) {
      this.server = server;
      this.address = address;
    }

    @Override
    public void onSelected(SelectionKey key) {
      for (int i = 0; i < 64; i++) {
        SocketChannel channel;
        try {
          channel = server.accept();
        } catch (IOException e) {
          log.warn("accept on {} failed: {}", address, e.toString());
          return;
        }
        if (channel == null) {
          return;
        }
        accept(channel);
      }
    }

    private void accept(SocketChannel channel) {
      String remote = remoteOf(channel);
      if (context.stats().connectionsOpen() >= config.maxConnections) {
        context.stats().refused();
        log.warn(
            "forward connection from {} refused: maxConnections {} reached",
            remote,
            config.maxConnections);
        closeQuietly(channel);
        return;
      }
      ConnectionInfo info =
          new ConnectionInfo(nextConnectionId.getAndIncrement(), address.transport(), remote);
      EventLoop loop = nextLoop();
      loop.run(
          () -> {
            try {
              channel.configureBlocking(false);
              if (address.transport() != ListenAddress.Transport.UNIX) {
                channel.socket().setTcpNoDelay(true);
              }
              Wire wire =
                  address.transport() == ListenAddress.Transport.TLS
                      ? new Wire.Tls(new TlsConnection(config.tls.newServerEngine()))
                      : new Wire.Plain();
              new Connection(context, loop, channel, info, wire).register();
            } catch (IOException e) {
              log.warn("forward connection {} could not be set up: {}", info, e.toString());
              closeQuietly(channel);
            }
          });
    }

    private String remoteOf(SocketChannel channel) {
      try {
        SocketAddress remote = channel.getRemoteAddress();
        if (remote instanceof InetSocketAddress inet) {
          return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return address.toString();
      } catch (IOException e) {
        return "unknown";
      }
    }
  }

  /** Answers every UDP datagram with one byte 0x00, as Fluentd does. */
  private final class UdpHeartbeat implements EventLoop.Selectable {
    private final DatagramChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(128);
    private final ByteBuffer reply = ByteBuffer.wrap(new byte[] {0});

    UdpHeartbeat(DatagramChannel channel) {
      this.channel = channel;
    }

    @Override
    public void onSelected(SelectionKey key) {
      try {
        SocketAddress source;
        while ((source = receive()) != null) {
          reply.rewind();
          channel.send(reply, source);
          context.stats().udpHeartbeat();
        }
      } catch (IOException e) {
        log.debug("UDP heartbeat", e);
      }
    }

    private SocketAddress receive() throws IOException {
      in.clear();
      return channel.receive(in);
    }
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("closing refused connection", e);
    }
  }

  /** What connections need from their server; immutable but for the counters. */
  static final class Context {
    private final Builder config;
    private final ForwardServerStats stats;

    Context(Builder config, ForwardServerStats stats) {
      this.config = config;
      this.stats = stats;
    }

    ForwardServerStats stats() {
      return stats;
    }

    ForwardLimits limits() {
      return config.limits;
    }

    ForwardSecurity security() {
      return config.security;
    }

    RandomGenerator random() {
      return config.random;
    }

    FrameHandler handler() {
      return config.handler;
    }

    long nanoTime() {
      return config.ticker.getAsLong();
    }

    long idleTimeoutNanos() {
      return config.idleTimeout.toNanos();
    }

    long handshakeTimeoutNanos() {
      return config.handshakeTimeout.toNanos();
    }

    int maxPendingFrames() {
      return config.maxPendingFrames;
    }
  }

  /**
   * Configures a {@link ForwardServer}. Each option may be set once (listen addresses may be added
   * repeatedly) and is checked when set; {@link #build()} checks combinations.
   */
  public static final class Builder {
    private final List<ListenAddress> listen = new ArrayList<>();
    private FrameHandler handler;
    private ForwardLimits limits;
    private ForwardSecurity security;
    private ForwardTls tls;
    private int eventLoops = -1;
    private int maxConnections = -1;
    private int maxPendingFrames = -1;
    private int backlog = -1;
    private Duration idleTimeout;
    private Duration handshakeTimeout;
    private Duration shutdownTimeout;
    private Boolean udpHeartbeat;
    private Set<PosixFilePermission> unixSocketPermissions;
    private boolean unixPermissionsSet;
    private LongSupplier ticker;
    private RandomGenerator random;

    private Builder() {}

    /**
     * Adds an address to listen on: {@code tcp://host:port}, {@code unix:///path}. Default, if none
     * is added: {@code tcp://127.0.0.1:24224}.
     *
     * @param address the address
     * @return this builder
     * @throws IllegalArgumentException if the address does not parse, naming it
     */
    public Builder listen(String address) {
      return listen(ListenAddress.parse(address));
    }

    /**
     * Adds an address to listen on.
     *
     * @param address the address
     * @return this builder
     */
    public Builder listen(ListenAddress address) {
      listen.add(Objects.requireNonNull(address, "address"));
      return this;
    }

    /**
     * Sets who takes the frames. Required.
     *
     * @param handler the handler
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder handler(FrameHandler handler) {
      requireUnset("handler", this.handler);
      this.handler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * Sets the decoder limits; default {@link ForwardLimits#defaults()}.
     *
     * @param limits the limits
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder limits(ForwardLimits limits) {
      requireUnset("limits", this.limits);
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * Requires the secure-forward handshake (shared key, optional users) on every connection;
     * default none.
     *
     * @param security the shared key, hostname and users
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder security(ForwardSecurity security) {
      requireUnset("security", this.security);
      this.security = Objects.requireNonNull(security, "security");
      return this;
    }

    /**
     * Sets the certificate and key for {@code tls://} listen addresses (and optional client
     * certificate authentication). Required if any address is {@code tls://}.
     *
     * @param tls the TLS configuration
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder tls(ForwardTls tls) {
      requireUnset("tls", this.tls);
      this.tls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    /**
     * Sets the number of event-loop threads; default the smaller of 2 and the processor count.
     *
     * @param threads 1 to 64
     * @return this builder
     */
    public Builder eventLoops(int threads) {
      eventLoops = setInt("eventLoops", eventLoops, threads, 1, 64);
      return this;
    }

    /**
     * Sets the most connections open at once; more are accepted and closed at once, counted as
     * {@link CloseReason#TOO_MANY_CONNECTIONS}. Default 10,000.
     *
     * @param connections 1 to 1,000,000
     * @return this builder
     */
    public Builder maxConnections(int connections) {
      maxConnections = setInt("maxConnections", maxConnections, connections, 1, 1_000_000);
      return this;
    }

    /**
     * Sets how many frames of one connection may wait for storage before the connection stops being
     * read; default 1,024.
     *
     * @param frames 1 to 1,000,000
     * @return this builder
     */
    public Builder maxPendingFrames(int frames) {
      maxPendingFrames = setInt("maxPendingFrames", maxPendingFrames, frames, 1, 1_000_000);
      return this;
    }

    /**
     * Sets the listen backlog; default 1,024.
     *
     * @param connections 1 to 65,535
     * @return this builder
     */
    public Builder backlog(int connections) {
      backlog = setInt("backlog", backlog, connections, 1, 65_535);
      return this;
    }

    /**
     * Closes connections that send nothing for this long (and have nothing in flight); default
     * {@link Duration#ZERO}, never: Docker keeps one connection per container open for its
     * lifetime, silent or not.
     *
     * @param timeout zero or positive
     * @return this builder
     */
    public Builder idleTimeout(Duration timeout) {
      requireUnset("idleTimeout", idleTimeout);
      idleTimeout = nonNegative("idleTimeout", timeout);
      return this;
    }

    /**
     * Closes connections that do not finish the handshake in time; default 10 seconds.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder handshakeTimeout(Duration timeout) {
      requireUnset("handshakeTimeout", handshakeTimeout);
      handshakeTimeout = positive("handshakeTimeout", timeout);
      return this;
    }

    /**
     * How long {@link ForwardServer#close()} waits for frames in flight; default 10 seconds.
     *
     * @param timeout zero or positive
     * @return this builder
     */
    public Builder shutdownTimeout(Duration timeout) {
      requireUnset("shutdownTimeout", shutdownTimeout);
      shutdownTimeout = nonNegative("shutdownTimeout", timeout);
      return this;
    }

    /**
     * Whether to answer UDP heartbeats on each TCP port; default true.
     *
     * @param enabled true to answer
     * @return this builder
     */
    public Builder udpHeartbeat(boolean enabled) {
      requireUnset("udpHeartbeat", udpHeartbeat);
      udpHeartbeat = enabled;
      return this;
    }

    /**
     * Sets the permissions of Unix socket files, e.g. {@code rw-rw----}; default: left as the
     * process umask makes them.
     *
     * @param permissions nine {@code rwx-} characters
     * @return this builder
     * @throws IllegalArgumentException if not in {@code ls -l} form, naming the value
     */
    public Builder unixSocketPermissions(String permissions) {
      if (unixPermissionsSet) {
        throw new IllegalStateException(
            "unixSocketPermissions was already set to "
                + PosixFilePermissions.toString(unixSocketPermissions));
      }
      try {
        unixSocketPermissions = PosixFilePermissions.fromString(permissions);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unixSocketPermissions must look like rw-rw----, got '" + permissions + "'");
      }
      unixPermissionsSet = true;
      return this;
    }

    /**
     * Sets the clock for timeouts, in nanoseconds like {@link System#nanoTime()}; for tests.
     *
     * @param nanoTime the ticker
     * @return this builder
     */
    public Builder ticker(LongSupplier nanoTime) {
      requireUnset("ticker", ticker);
      ticker = Objects.requireNonNull(nanoTime, "ticker");
      return this;
    }

    /**
     * Sets the randomness for handshake nonces; default a {@link SecureRandom}.
     *
     * @param random the source
     * @return this builder
     */
    public Builder random(RandomGenerator random) {
      requireUnset("random", this.random);
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Returns an unstarted server; call {@link ForwardServer#start()}.
     *
     * @return the server
     * @throws IllegalStateException if no handler was set, or an address is listed twice
     */
    public ForwardServer build() {
      if (handler == null) {
        throw new IllegalStateException("handler is required");
      }
      Builder resolved = new Builder();
      resolved.listen.addAll(
          listen.isEmpty()
              ? List.of(ListenAddress.parse("tcp://127.0.0.1:" + ListenAddress.DEFAULT_PORT))
              : listen);
      for (int i = 0; i < resolved.listen.size(); i++) {
        if (resolved.listen.subList(0, i).contains(resolved.listen.get(i))
            && resolved.listen.get(i).port() != 0) {
          throw new IllegalStateException(
              "listen address " + resolved.listen.get(i) + " is listed twice");
        }
      }
      for (ListenAddress address : resolved.listen) {
        if (address.transport() == ListenAddress.Transport.TLS && tls == null) {
          throw new IllegalStateException(
              "listen address " + address + " needs tls(ForwardTls): a certificate and key");
        }
      }
      resolved.tls = tls;
      resolved.handler = handler;
      resolved.limits = limits == null ? ForwardLimits.defaults() : limits;
      resolved.security = security;
      resolved.eventLoops =
          eventLoops > 0 ? eventLoops : Math.min(2, Runtime.getRuntime().availableProcessors());
      resolved.maxConnections = maxConnections > 0 ? maxConnections : 10_000;
      resolved.maxPendingFrames = maxPendingFrames > 0 ? maxPendingFrames : 1024;
      resolved.backlog = backlog > 0 ? backlog : 1024;
      resolved.idleTimeout = idleTimeout == null ? Duration.ZERO : idleTimeout;
      resolved.handshakeTimeout =
          handshakeTimeout == null ? Duration.ofSeconds(10) : handshakeTimeout;
      resolved.shutdownTimeout = shutdownTimeout == null ? Duration.ofSeconds(10) : shutdownTimeout;
      resolved.udpHeartbeat = udpHeartbeat == null || udpHeartbeat;
      resolved.unixSocketPermissions = unixSocketPermissions;
      resolved.ticker = ticker == null ? System::nanoTime : ticker;
      resolved.random = random == null ? new SecureRandom() : random;
      return new ForwardServer(resolved);
    }

    private static void requireUnset(String option, Object current) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
    }

    private static int setInt(String option, int current, int value, int min, int max) {
      if (current != -1) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            option + " must be in " + min + ".." + max + ", got " + value);
      }
      return value;
    }

    private static Duration nonNegative(String option, Duration value) {
      Objects.requireNonNull(value, option);
      if (value.isNegative()) {
        throw new IllegalArgumentException(option + " must not be negative, got " + value);
      }
      return value;
    }

    private static Duration positive(String option, Duration value) {
      Objects.requireNonNull(value, option);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(option + " must be positive, got " + value);
      }
      return value;
    }
  }
}
