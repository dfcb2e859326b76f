package dev.logstream.forward;

import dev.logstream.core.GrowableBytes;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * A server {@link TlsConnection} and an {@link InMemoryTlsClient} joined in memory. Each {@link
 * #round()} moves the client's bytes to the server and the server's to the client, cut into pieces
 * by a {@link Fragmentation}; the server's {@link TlsConnection#writeTo} goes to a channel that
 * takes a random part of each write, or nothing, as a full socket would.
 */
final class TlsPipe {

  /** How the network cuts the byte streams. */
  enum Fragmentation {
    /** Everything that is there, at once. */
    WHOLE,
    /** One byte per read. */
    ONE_BYTE,
    /** Random pieces of 1 to {@code maxChunk} (default 3,000) bytes, seeded. */
    RANDOM;

    int next(SplittableRandom random, int maxChunk) {
      switch (this) {
        case WHOLE:
          return Integer.MAX_VALUE;
        case ONE_BYTE:
          return 1;
        default:
          return 1 + random.nextInt(maxChunk);
      }
    }
  }

  final TlsConnection server;
  final InMemoryTlsClient client;
  final GrowableBytes serverReceived = new GrowableBytes();

  private final TlsConnection.PlaintextSink sink = TlsConnection.PlaintextSink.into(serverReceived);
  private final Fragmentation fragmentation;
  private final SplittableRandom random;
  private final int maxChunk;
  private final GrowableBytes serverWrote = new GrowableBytes();
  private final WritableByteChannel socket = new PartialChannel();
  private int serverWroteDelivered;

  TlsPipe(TlsConnection server, InMemoryTlsClient client, Fragmentation fragmentation, long seed) {
    this(server, client, fragmentation, seed, 3_000);
  }

  TlsPipe(
      TlsConnection server,
      InMemoryTlsClient client,
      Fragmentation fragmentation,
      long seed,
      int maxChunk) {
    this.server = server;
    this.client = client;
    this.fragmentation = fragmentation;
    this.random = new SplittableRandom(seed);
    this.maxChunk = maxChunk;
  }

  /** Moves bytes both ways once; returns whether any moved or wait to move. */
  boolean round() throws Exception {
    boolean moved = false;
    ByteBuffer piece;
    while ((piece = client.nextForServer(fragmentation.next(random, maxChunk))) != null) {
      moved = true;
      server.unwrap(piece, sink);
      if (piece.hasRemaining()) {
        throw new AssertionError("unwrap left " + piece.remaining() + " bytes");
      }
    }
    while (server.hasOutbound()) {
      moved = true;
      if (server.writeTo(socket) == 0) {
        break; // the "socket" is full: a real loop would wait for OP_WRITE
      }
    }
    while (serverWroteDelivered < serverWrote.length()) {
      moved = true;
      int count =
          Math.min(
              fragmentation.next(random, maxChunk), serverWrote.length() - serverWroteDelivered);
      client.receive(serverWrote.array(), serverWroteDelivered, count);
      serverWroteDelivered += count;
    }
    serverWrote.clear();
    serverWroteDelivered = 0;
    return moved;
  }

  /** Runs rounds until {@code done}; fails if nothing moves any more before that. */
  void pumpUntil(BooleanSupplier done) throws Exception {
    for (int rounds = 0; rounds < 1_000_000; rounds++) {
      if (done.getAsBoolean()) {
        return;
      }
      if (!round() && !done.getAsBoolean()) {
        throw new AssertionError("stalled after " + rounds + " rounds");
      }
    }
    throw new AssertionError("no end after 1,000,000 rounds");
  }

  void handshake() throws Exception {
    pumpUntil(() -> server.isHandshakeComplete() && client.handshakeFinished());
    // TLS 1.3: let the session ticket and anything else in flight settle
    pumpUntil(() -> !server.hasOutbound() && client.toServer.length() == 0);
  }

  /** Takes a random part of each write, and now and then nothing at all. */
  private final class PartialChannel implements WritableByteChannel {
    @Override
    public int write(ByteBuffer source) {
      int count =
          random.nextInt(4) == 0
              ? 0
              : Math.min(
                  source.remaining(),
                  fragmentation == Fragmentation.WHOLE
                      ? Integer.MAX_VALUE
                      : 1 + random.nextInt(20_000));
      int limit = source.limit();
      source.limit(source.position() + count);
      serverWrote.write(source.array(), source.arrayOffset() + source.position(), count);
      source.position(source.limit());
      source.limit(limit);
      return count;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
