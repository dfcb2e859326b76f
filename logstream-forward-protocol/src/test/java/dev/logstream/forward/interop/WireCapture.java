package dev.logstream.forward.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageInsufficientBufferException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ArrayValue;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/**
 * A test-only forward-protocol sink that records every byte it receives, per connection, and
 * answers ack requests so that real clients waiting for acks make progress.
 *
 * <p>It listens on a free loopback TCP port or on a Unix domain socket and serves each connection
 * on its own thread. It walks the incoming top-level msgpack values with msgpack-core; for every
 * array whose last element is a map with key {@code chunk} it writes back {@code {"ack": chunk}},
 * with the chunk's bytes echoed verbatim as a msgpack {@code str}. It does not check anything else:
 * the tests decode the recorded bytes themselves.
 */
public final class WireCapture implements AutoCloseable {

  private static final Value CHUNK = ValueFactory.newString("chunk");

  private final ServerSocketChannel server;
  private final SocketAddress address;
  private final Path socketFile;
  private final List<Connection> connections = new CopyOnWriteArrayList<>();
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();
  private final AtomicInteger acksSent = new AtomicInteger();
  private volatile boolean closed;

  private WireCapture(ServerSocketChannel server, Path socketFile) throws IOException {
    this.server = server;
    this.socketFile = socketFile;
    this.address = server.getLocalAddress();
    Thread acceptor = new Thread(this::acceptLoop, "wire-capture-accept " + address);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Listens on a free TCP port of the loopback address. */
  public static WireCapture tcp() throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return new WireCapture(server, null);
  }

  /** Listens on a Unix domain socket at {@code socketFile}, replacing a stale file. */
  public static WireCapture unix(Path socketFile) throws IOException {
    Files.deleteIfExists(socketFile);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socketFile));
    return new WireCapture(server, socketFile);
  }

  /** Where clients connect: an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}. */
  public SocketAddress address() {
    return address;
  }

  /** {@code "tcp"} or {@code "unix"}. */
  public String transport() {
    return socketFile == null ? "tcp" : "unix";
  }

  /** The bytes received so far on each accepted connection, in accept order. */
  public List<byte[]> connections() {
    return connections.stream().map(Connection::received).toList();
  }

  /** The bytes of all connections so far, concatenated in accept order. */
  public byte[] allBytes() {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    connections().forEach(all::writeBytes);
    return all.toByteArray();
  }

  /** How many {@code {"ack": ...}} responses were written. */
  public int acksSent() {
    return acksSent.get();
  }

  /** I/O and msgpack errors seen while serving; a healthy capture has none. */
  public List<Throwable> errors() {
    return List.copyOf(errors);
  }

  /**
   * Waits until at least one connection was accepted, every accepted connection was closed by its
   * client, and {@code complete} accepts the concatenated bytes; then returns those bytes.
   */
  public byte[] awaitClientsDone(Duration timeout, Predicate<byte[]> complete) {
    return Awaitility.await("clients of " + address + " done")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> {
              if (connections.isEmpty() || !connections.stream().allMatch(c -> c.finished)) {
                return null;
              }
              byte[] bytes = allBytes();
              return complete.test(bytes) ? bytes : null;
            },
            bytes -> bytes != null);
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    for (Connection connection : connections) {
      connection.channel.close();
    }
    if (socketFile != null) {
      Files.deleteIfExists(socketFile);
    }
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        SocketChannel channel = server.accept();
        Connection connection = new Connection(channel);
        connections.add(connection);
        Thread thread =
            new Thread(connection, "wire-capture-conn-" + connections.size() + " " + address);
        thread.setDaemon(true);
        thread.start();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (!closed) {
          errors.add(e);
        }
        return;
      }
    }
  }

  private final class Connection implements Runnable {
    final SocketChannel channel;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private byte[] pending = new byte[0];
    private boolean parseable = true;
    volatile boolean finished;

    Connection(SocketChannel channel) {
      this.channel = channel;
    }

    synchronized byte[] received() {
      return received.toByteArray();
    }

    @Override
    public void run() {
      ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
      try (channel) {
        while (true) {
          buffer.clear();
          int n = channel.read(buffer);
          if (n < 0) {
            break;
          }
          synchronized (this) {
            received.write(buffer.array(), 0, n);
          }
          if (parseable) {
            answerAcks(Arrays.copyOf(buffer.array(), n));
          }
        }
      } catch (ClosedChannelException e) {
        // closed by close()
      } catch (IOException | RuntimeException e) {
        if (!closed) {
          errors.add(e);
        }
      } finally {
        finished = true;
      }
    }

    /** Walks the complete top-level values received so far and acks those that ask for it. */
    private void answerAcks(byte[] bytes) throws IOException {
      byte[] joined = Arrays.copyOf(pending, pending.length + bytes.length);
      System.arraycopy(bytes, 0, joined, pending.length, bytes.length);
      int offset = 0;
      while (offset < joined.length) {
        MessageUnpacker unpacker =
            MessagePack.newDefaultUnpacker(joined, offset, joined.length - offset);
        Value value;
        try {
          value = unpacker.unpackValue();
        } catch (MessageInsufficientBufferException e) {
          break; // the rest of this value has not arrived yet
        } catch (MessagePackException e) {
          parseable = false; // keep recording, but stop answering
          errors.add(new IOException("not msgpack at connection byte offset", e));
          pending = new byte[0];
          return;
        }
        offset += (int) unpacker.getTotalReadBytes();
        ackIfRequested(value);
      }
      pending = Arrays.copyOfRange(joined, offset, joined.length);
    }

    private void ackIfRequested(Value value) throws IOException {
      if (!value.isArrayValue()) {
        return;
      }
      ArrayValue array = value.asArrayValue();
      if (array.size() == 0) {
        return;
      }
      Value last = array.get(array.size() - 1);
      if (!last.isMapValue()) {
        return;
      }
      Value chunk = last.asMapValue().map().get(CHUNK);
      if (chunk == null || !chunk.isRawValue()) {
        return;
      }
      byte[] raw = chunk.asRawValue().asByteArray();
      try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
        packer.packMapHeader(1);
        packer.packString("ack");
        packer.packRawStringHeader(raw.length);
        packer.writePayload(raw);
        ByteBuffer response = ByteBuffer.wrap(packer.toByteArray());
        while (response.hasRemaining()) {
          channel.write(response);
        }
      }
      acksSent.incrementAndGet();
    }
  }
}
