package dev.logstream.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msgpack.value.Value;

class ForwardServerTest {
  @TempDir Path directory;

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final ConcurrentLinkedQueue<String> tags = new ConcurrentLinkedQueue<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable resource : resources) {
      resource.close();
    }
  }

  private ForwardServer start(ForwardServer.Builder builder) {
    ForwardServer server = builder.build().start();
    resources.add(0, server);
    return server;
  }

  private RawClient connect(ForwardServer server) throws IOException {
    RawClient client = RawClient.tcp(server.addresses().get(0).port());
    resources.add(0, client);
    return client;
  }

  private static ForwardServer.Builder tcp(FrameHandler handler) {
    return ForwardServer.builder().listen("tcp://127.0.0.1:0").handler(handler);
  }

  private FrameHandler storedNow() {
    return (frame, connection) -> {
      tags.add(frame.tag());
      return Admission.accepted(CompletableFuture.completedFuture(null));
    };
  }

  private static String ackOf(Value value) {
    return value.asMapValue().map().values().iterator().next().asStringValue().asString();
  }

  /* --------------- acks follow storage --------------- */

  @Test
  void ack_isSentOnlyWhenStorageCompletes() throws Exception {
    CompletableFuture<Void> stored = new CompletableFuture<>();
    ForwardServer server = start(tcp((frame, connection) -> Admission.accepted(stored)));
    RawClient client = connect(server);

    client.send(Frames.dockerMessage(0, "chunk-1"));

    assertThat(client.silentFor(Duration.ofMillis(300))).isTrue();
    stored.complete(null);
    assertThat(ackOf(client.read())).isEqualTo("chunk-1");
    assertThat(server.stats().acks()).isEqualTo(1);
  }

  @Test
  void ack_manyFramesOnOneConnection_eachAckedWithItsOwnChunk() throws Exception {
    ForwardServer server = start(tcp(storedNow()));
    RawClient client = connect(server);
    byte[][] frames = new byte[50][];
    for (int i = 0; i < frames.length; i++) {
      frames[i] = Frames.dockerMessage(i, "c" + i);
    }

    client.send(Frames.concat(frames));

    for (int i = 0; i < frames.length; i++) {
      assertThat(ackOf(client.read())).isEqualTo("c" + i);
    }
    assertThat(server.stats().events()).isEqualTo(50);
  }

  @Test
  void storageFailure_closesTheConnectionWithoutAnAck() throws Exception {
    ForwardServer server =
        start(
            tcp(
                (frame, connection) ->
                    Admission.accepted(CompletableFuture.failedFuture(new IOException("disk")))));
    RawClient client = connect(server);

    client.send(Frames.dockerMessage(0, "chunk-1"));

    assertThat(client.closedByServer()).isTrue();
    await().until(() -> server.stats().closes(CloseReason.STORE_FAILED) == 1);
    assertThat(server.stats().acks()).isZero();
    assertThat(server.stats().storeFailures()).isEqualTo(1);
  }

  @Test
  void handlerThrowing_closesTheConnection() throws Exception {
    ForwardServer server =
        start(
            tcp(
                (frame, connection) -> {
                  throw new IllegalStateException("bug");
                }));
    RawClient client = connect(server);

    client.send(Frames.dockerMessage(0, "c"));

    assertThat(client.closedByServer()).isTrue();
    await().until(() -> server.stats().closes(CloseReason.STORE_FAILED) == 1);
  }

  /* --------------- backpressure --------------- */

  @Test
  void full_pausesTheConnectionAndOffersTheSameFrameAgainOnRetry() throws Exception {
    CompletableFuture<Void> space = new CompletableFuture<>();
    AtomicInteger calls = new AtomicInteger();
    List<String> chunksSeen = new ArrayList<>();
    FrameHandler handler =
        (frame, connection) -> {
          chunksSeen.add(HexFormat.of().formatHex(frame.ackBytes()));
          return calls.getAndIncrement() == 0
              ? Admission.full(space)
              : Admission.accepted(CompletableFuture.completedFuture(null));
        };
    ForwardServer server = start(tcp(handler));
    RawClient client = connect(server);

    client.send(Frames.concat(Frames.dockerMessage(0, "a"), Frames.dockerMessage(1, "b")));

    await().until(() -> server.stats().backpressurePauses() == 1);
    assertThat(client.silentFor(Duration.ofMillis(200))).isTrue();
    space.complete(null);
    assertThat(ackOf(client.read())).isEqualTo("a");
    assertThat(ackOf(client.read())).isEqualTo("b");
    assertThat(chunksSeen).hasSize(3);
    assertThat(chunksSeen.get(0)).isEqualTo(chunksSeen.get(1));
    assertThat(server.stats().frames()).isEqualTo(2);
  }

  @Test
  void pendingFrameBound_stopsReadingUntilStorageCatchesUp() throws Exception {
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    ForwardServer server =
        start(
            tcp((frame, connection) -> {
                  CompletableFuture<Void> stored = new CompletableFuture<>();
                  synchronized (pending) {
                    pending.add(stored);
                  }
                  return Admission.accepted(stored);
                })
                .maxPendingFrames(2));
    RawClient client = connect(server);

    client.send(Frames.dockerMessage(0, "x"));
    client.send(Frames.dockerMessage(1, "y"));
    await().until(() -> server.stats().frames() == 2);
    client.send(Frames.dockerMessage(2, "z"));
    assertThat(client.silentFor(Duration.ofMillis(200))).isTrue();
    assertThat(server.stats().frames()).isEqualTo(2);

    synchronized (pending) {
      pending.forEach(stored -> stored.complete(null));
    }
    assertThat(ackOf(client.read())).isEqualTo("x");
    assertThat(ackOf(client.read())).isEqualTo("y");
    await().until(() -> server.stats().frames() == 3);
  }

  /* --------------- bad input closes, and is counted --------------- */

  @Test
  void malformedBytes_closeTheConnectionWithTheReasonCounted() throws Exception {
    ForwardServer server = start(tcp(storedNow()));
    RawClient client = connect(server);

    client.send(new byte[] {(byte) 0x93, (byte) 0xC1});

    assertThat(client.closedByServer()).isTrue();
    await().until(() -> server.stats().closes(CloseReason.MALFORMED) == 1);
    assertThat(server.stats().connectionsOpen()).isZero();
  }

  @Test
  void hugeDeclaredLength_closesAsLimitBeforeTheBytesArrive() throws Exception {
    ForwardServer server = start(tcp(storedNow()));
    RawClient client = connect(server);

    client.send(new byte[] {(byte) 0x93, (byte) 0xA1, 't', (byte) 0xDB, -1, -1, -1, -1});

    assertThat(client.closedByServer()).isTrue();
    await().until(() -> server.stats().closes(CloseReason.LIMIT) == 1);
  }

  @Test
  void invalidEvents_areDroppedCountedAndTheFrameStillAcked() throws Exception {
    ForwardServer server = start(tcp(storedNow()));
    RawClient client = connect(server);
    byte[] frame =
        Frames.packer()
            .array(4)
            .str("t")
            .integer(-5)
            .record(Map.of("log", "x"))
            .map(1)
            .str("chunk")
            .str("k")
            .bytes();

    client.send(frame);

    assertThat(ackOf(client.read())).isEqualTo("k");
    assertThat(server.stats().dropped(DropReason.INVALID_TIME)).isEqualTo(1);
    assertThat(server.stats().events()).isZero();
  }

  /* --------------- heartbeats --------------- */

  @Test
  void udpHeartbeat_isAnsweredWithOneZeroByte() throws Exception {
    ForwardServer server = start(tcp(storedNow()));
    try (DatagramSocket udp = new DatagramSocket()) {
      udp.setSoTimeout(10_000);
      byte[] ping = {0};
      udp.send(
          new DatagramPacket(
              ping, 1, InetAddress.getLoopbackAddress(), server.addresses().get(0).port()));
      DatagramPacket reply = new DatagramPacket(new byte[16], 16);
      udp.receive(reply);

      assertThat(reply.getLength()).isEqualTo(1);
      assertThat(reply.getData()[0]).isZero();
    }
    assertThat(server.stats().udpHeartbeats()).isEqualTo(1);
  }

  @Test
  void tcpNilHeartbeat_isCountedAndTheConnectionStays() throws Exception {
    ForwardServer server = start(tcp(storedNow()));
    RawClient client = connect(server);

    client.send(new byte[] {(byte) 0xC0});
    client.send(Frames.dockerMessage(0, "after"));

    assertThat(ackOf(client.read())).isEqualTo("after");
    assertThat(server.stats().heartbeats()).isEqualTo(1);
  }

  /* --------------- connection limits and timeouts --------------- */

  @Test
  void maxConnections_refusesTheOneTooMany() throws Exception {
    ForwardServer server = start(tcp(storedNow()).maxConnections(2));
    connect(server);
    connect(server);
    await().until(() -> server.stats().connectionsOpen() == 2);

    RawClient third = connect(server);

    assertThat(third.closedByServer()).isTrue();
    assertThat(server.stats().closes(CloseReason.TOO_MANY_CONNECTIONS)).isEqualTo(1);
    assertThat(server.stats().connectionsOpen()).isEqualTo(2);
  }

  @Test
  void idleTimeout_closesASilentConnectionOnTheTicker() throws Exception {
    AtomicLong now = new AtomicLong();
    ForwardServer server =
        start(tcp(storedNow()).idleTimeout(Duration.ofSeconds(30)).ticker(now::get));
    RawClient client = connect(server);
    client.send(Frames.dockerMessage(0, "c"));
    client.read();

    now.addAndGet(Duration.ofSeconds(31).toNanos());

    assertThat(client.closedByServer()).isTrue();
    assertThat(server.stats().closes(CloseReason.IDLE_TIMEOUT)).isEqualTo(1);
  }

  @Test
  void thousandConcurrentConnections_areAllServedAndAckedInBoundedMemory() throws Exception {
    ForwardServer server = start(tcp(storedNow()).eventLoops(2));
    long heapBefore = usedHeapAfterGc();
    List<RawClient> clients = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      RawClient client = connect(server);
      clients.add(client);
      byte[] frame = Frames.dockerMessage(i, "c" + i);
      // Half a frame first: every connection holds an incomplete frame at the same time.
      client.send(java.util.Arrays.copyOf(frame, frame.length / 2));
    }
    await().until(() -> server.stats().bytesIn() >= 1000L * 100);
    long heapHeld = usedHeapAfterGc() - heapBefore;

    for (int i = 0; i < clients.size(); i++) {
      byte[] frame = Frames.dockerMessage(i, "c" + i);
      clients.get(i).send(java.util.Arrays.copyOfRange(frame, frame.length / 2, frame.length));
    }
    for (int i = 0; i < clients.size(); i++) {
      assertThat(ackOf(clients.get(i).read())).isEqualTo("c" + i);
    }
    assertThat(server.stats().connectionsOpen()).isEqualTo(1000);
    assertThat(server.stats().events()).isEqualTo(1000);
    // Server and clients share this JVM: about 4 KiB of decoder buffer and a few objects per
    // server connection, a socket and an 8 KiB unpacker buffer per client. 48 MiB is the bound
    // the design promises with a wide margin, and far below 1,000 x a 64 KiB read buffer.
    assertThat(heapHeld).isLessThan(48L << 20);
  }

  private static long usedHeapAfterGc() {
    java.lang.management.MemoryMXBean memory =
        java.lang.management.ManagementFactory.getMemoryMXBean();
    memory.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  /* --------------- secure forward handshake --------------- */

  private static final ForwardSecurity SECURITY =
      ForwardSecurity.builder().sharedKey("s3cret").selfHostname("logstream-test").build();

  @Test
  void handshake_rightSharedKey_thenFramesAreAcked() throws Exception {
    ForwardServer server = start(tcp(storedNow()).security(SECURITY));
    RawClient client = connect(server);
    SecureForwardClient spec = new SecureForwardClient("docker-host", "s3cret", new Random(1));

    SecureForwardClient.Helo helo = SecureForwardClient.readHelo(bytesOf(client.read()));
    client.send(spec.ping(helo));
    assertThat(spec.checkPong(helo, bytesOf(client.read()))).isEmpty();
    client.send(Frames.dockerMessage(0, "secure"));

    assertThat(ackOf(client.read())).isEqualTo("secure");
  }

  @Test
  void handshake_wrongSharedKey_getsPongFalseAndIsClosed() throws Exception {
    ForwardServer server = start(tcp(storedNow()).security(SECURITY));
    RawClient client = connect(server);
    SecureForwardClient spec = new SecureForwardClient("docker-host", "wrong", new Random(1));

    SecureForwardClient.Helo helo = SecureForwardClient.readHelo(bytesOf(client.read()));
    client.send(spec.ping(helo));

    assertThat(spec.checkPong(helo, bytesOf(client.read())))
        .contains("authentication failed: shared_key mismatch");
    assertThat(client.closedByServer()).isTrue();
    await().until(() -> server.stats().closes(CloseReason.HANDSHAKE_FAILED) == 1);
    assertThat(server.stats().handshakeFailures()).isEqualTo(1);
  }

  @Test
  void handshake_frameInsteadOfPing_failsTheHandshake() throws Exception {
    ForwardServer server = start(tcp(storedNow()).security(SECURITY));
    RawClient client = connect(server);
    client.read();

    client.send(Frames.dockerMessage(0, "sneaky"));

    Value pong = client.read();
    assertThat(pong.asArrayValue().get(1).asBooleanValue().getBoolean()).isFalse();
    assertThat(client.closedByServer()).isTrue();
    assertThat(tags).isEmpty();
  }

  @Test
  void handshake_notAnswered_timesOut() throws Exception {
    AtomicLong now = new AtomicLong();
    ForwardServer server = start(tcp(storedNow()).security(SECURITY).ticker(now::get));
    RawClient client = connect(server);
    client.read();

    now.addAndGet(Duration.ofSeconds(11).toNanos());

    assertThat(client.closedByServer()).isTrue();
    assertThat(server.stats().closes(CloseReason.HANDSHAKE_TIMEOUT)).isEqualTo(1);
  }

  /* --------------- Unix sockets --------------- */

  @Test
  void unixSocket_staleFileIsReplacedAndPermissionsApplied() throws Exception {
    Path socket = directory.resolve("forward.sock");
    ForwardServer first =
        ForwardServer.builder().listen("unix://" + socket).handler(storedNow()).build().start();
    first.close();
    java.nio.channels.ServerSocketChannel stale =
        java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
    stale.bind(java.net.UnixDomainSocketAddress.of(socket));
    stale.close(); // leaves the socket file behind, as a crashed process would

    ForwardServer server =
        start(
            ForwardServer.builder()
                .listen("unix://" + socket)
                .unixSocketPermissions("rw-rw----")
                .handler(storedNow()));
    RawClient client = RawClient.unix(socket);
    resources.add(0, client);
    client.send(Frames.dockerMessage(0, "unix"));

    assertThat(ackOf(client.read())).isEqualTo("unix");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
        .isEqualTo("rw-rw----");
    assertThat(server.addresses().get(0).path()).isEqualTo(socket);
  }

  @Test
  void unixSocket_pathTakenByARegularFile_isRefused() throws Exception {
    Path file = Files.writeString(directory.resolve("not-a-socket"), "data");
    ForwardServer server =
        ForwardServer.builder().listen("unix://" + file).handler(storedNow()).build();

    assertThatThrownBy(server::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "unix socket path " + file + " exists and is not a socket; refusing to replace it");
    assertThat(Files.readString(file)).isEqualTo("data");
  }

  /* --------------- shutdown --------------- */

  @Test
  void close_waitsForFramesInFlightAndAcksThem() throws Exception {
    CompletableFuture<Void> stored = new CompletableFuture<>();
    ForwardServer server = tcp((frame, connection) -> Admission.accepted(stored)).build().start();
    RawClient client = connect(server);
    client.send(Frames.dockerMessage(0, "last"));
    await().until(() -> server.stats().frames() == 1);

    Thread closer = new Thread(server::close);
    closer.start();
    await().until(() -> closer.getState() == Thread.State.TIMED_WAITING);
    stored.complete(null);

    assertThat(ackOf(client.read())).isEqualTo("last");
    closer.join(10_000);
    assertThat(closer.isAlive()).isFalse();
    assertThat(server.stats().closes(CloseReason.SHUTDOWN)).isEqualTo(1);
  }

  /* --------------- builder and addresses --------------- */

  @Test
  void builder_withoutHandler_isRejected() {
    assertThatThrownBy(() -> ForwardServer.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("handler is required");
  }

  @Test
  void builder_eventLoopsOutOfRange_isRejectedWithTheValue() {
    assertThatThrownBy(() -> ForwardServer.builder().eventLoops(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("eventLoops must be in 1..64, got 0");
  }

  @Test
  void builder_negativeIdleTimeout_isRejected() {
    assertThatThrownBy(() -> ForwardServer.builder().idleTimeout(Duration.ofSeconds(-1)))
        .hasMessage("idleTimeout must not be negative, got PT-1S");
  }

  @Test
  void builder_badUnixPermissions_areRejected() {
    assertThatThrownBy(() -> ForwardServer.builder().unixSocketPermissions("0660"))
        .hasMessage("unixSocketPermissions must look like rw-rw----, got '0660'");
  }

  @Test
  void listenAddress_parsesEveryForm() {
    assertThat(ListenAddress.parse("tcp://0.0.0.0:24224").port()).isEqualTo(24224);
    assertThat(ListenAddress.parse("tls://[::1]:24225").host()).isEqualTo("::1");
    assertThat(ListenAddress.parse("unix:///run/fwd.sock").path())
        .isEqualTo(Path.of("/run/fwd.sock"));
    assertThat(ListenAddress.parse("tcp://[::1]:1")).hasToString("tcp://[::1]:1");
  }

  @Test
  void listenAddress_badForms_explainWhatIsWrong() {
    assertThatThrownBy(() -> ListenAddress.parse("localhost:24224"))
        .hasMessage(
            "listen address 'localhost:24224' has unknown scheme 'localhost' (known: tcp, tls, unix)");
    assertThatThrownBy(() -> ListenAddress.parse("tcp://localhost"))
        .hasMessage("listen address 'tcp://localhost' must be tcp://host:port");
    assertThatThrownBy(() -> ListenAddress.parse("tcp://localhost:1/x"))
        .hasMessage("listen address 'tcp://localhost:1/x' must not have a path after host:port");
    assertThatThrownBy(() -> ListenAddress.parse("unix://relative/path"))
        .hasMessage("listen address 'unix://relative/path' must be unix:///absolute/path");
    assertThatThrownBy(() -> ListenAddress.parse("http://x:1"))
        .hasMessage(
            "listen address 'http://x:1' has unknown scheme 'http' (known: tcp, tls, unix)");
  }

  private static byte[] bytesOf(Value value) throws IOException {
    org.msgpack.core.MessageBufferPacker packer =
        org.msgpack.core.MessagePack.newDefaultBufferPacker();
    packer.packValue(value);
    return packer.toByteArray();
  }
}
