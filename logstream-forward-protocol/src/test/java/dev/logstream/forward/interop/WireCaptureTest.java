package dev.logstream.forward.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

class WireCaptureTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path socketDirectory;

  private static byte[] message(String chunk) throws Exception {
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      packer.packArrayHeader(4).packString("app").packLong(1_700_000_000L);
      packer.packMapHeader(1).packString("log").packString("hello");
      if (chunk == null) {
        packer.packMapHeader(0);
      } else {
        packer.packMapHeader(1).packString("chunk").packString(chunk);
      }
      return packer.toByteArray();
    }
  }

  @Test
  void wireCapture_chunkedMessageFedByteByByte_repliesAckEchoingTheChunkBytes() throws Exception {
    String chunk = "VESFkVa4eEpn+/hwFcOpLw==\n";
    byte[] frame = message(chunk);
    try (WireCapture capture = WireCapture.tcp();
        Socket socket = new Socket()) {
      socket.connect(capture.address(), (int) TIMEOUT.toMillis());
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      OutputStream out = socket.getOutputStream();
      for (byte b : frame) {
        out.write(b);
        out.flush();
      }

      byte[] ack = new byte[5 + 1 + chunk.length()];
      new DataInputStream(socket.getInputStream()).readFully(ack);

      ByteBuffer expected = ByteBuffer.allocate(ack.length);
      expected.put(new byte[] {(byte) 0x81, (byte) 0xa3, 'a', 'c', 'k'});
      expected.put((byte) (0xa0 | chunk.length())).put(chunk.getBytes(StandardCharsets.US_ASCII));
      assertThat(ack).isEqualTo(expected.array());
      socket.shutdownOutput();
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
      assertThat(capture.awaitClientsDone(TIMEOUT, b -> true)).isEqualTo(frame);
      assertThat(capture.acksSent()).isEqualTo(1);
    }
  }

  @Test
  void wireCapture_frameWithoutChunk_recordsBytesAndSendsNothing() throws Exception {
    byte[] frame = message(null);
    try (WireCapture capture = WireCapture.tcp();
        Socket socket = new Socket()) {
      socket.connect(capture.address(), (int) TIMEOUT.toMillis());
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      socket.getOutputStream().write(frame);
      socket.shutdownOutput();

      InputStream in = socket.getInputStream();
      assertThat(in.read()).isEqualTo(-1);
      assertThat(capture.awaitClientsDone(TIMEOUT, b -> true)).isEqualTo(frame);
      assertThat(capture.acksSent()).isZero();
      assertThat(capture.errors()).isEmpty();
    }
  }

  @Test
  void wireCapture_twoConnectionsOverUnixSocket_recordsEachSeparately() throws Exception {
    byte[] first = message(null);
    byte[] second = message("c2");
    try (WireCapture capture = WireCapture.unix(socketDirectory.resolve("capture.sock"))) {
      assertThat(capture.transport()).isEqualTo("unix");
      try (SocketChannel channel = SocketChannel.open(capture.address())) {
        channel.write(ByteBuffer.wrap(first));
      }
      try (SocketChannel channel = SocketChannel.open(capture.address())) {
        channel.write(ByteBuffer.wrap(second));
        byte[] ack = new byte[8];
        new DataInputStream(Channels.newInputStream(channel)).readFully(ack);
        assertThat(ack).endsWith((byte) 0xa2, (byte) 'c', (byte) '2');
      }

      capture.awaitClientsDone(TIMEOUT, b -> b.length == first.length + second.length);

      assertThat(capture.connections()).containsExactly(first, second);
    }
  }

  @Test
  void wireCapture_tcp_listensOnLoopback() throws Exception {
    try (WireCapture capture = WireCapture.tcp()) {
      InetSocketAddress address = (InetSocketAddress) capture.address();
      assertThat(address.getAddress().isLoopbackAddress()).isTrue();
      assertThat(address.getPort()).isPositive();
      assertThat(capture.transport()).isEqualTo("tcp");
    }
  }
}
