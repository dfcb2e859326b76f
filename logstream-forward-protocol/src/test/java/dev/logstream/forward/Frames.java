package dev.logstream.forward;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/** Builds forward-protocol frames with msgpack-java's packer: an encoder independent of ours. */
final class Frames {
  static final String TAG = "grid.devel/www-data/redis-test:devel/www-data/redis-test";
  static final long SECONDS = 1449236367L;

  private Frames() {}

  /** Docker's record for line {@code i}. */
  static Map<String, String> dockerRecord(int i) {
    Map<String, String> record = new LinkedHashMap<>();
    record.put("container_id", "1d26ace2fa27c63bc77c6de4bdf611046a7b350a7b7c2e33eafac6b3cda5fe76");
    record.put("container_name", "/redis-test");
    record.put("source", "stdout");
    record.put("log", "line " + i + " žluťoučký");
    return record;
  }

  /** A packer with helpers; {@link #bytes()} returns what was packed. */
  static Packer packer() {
    return new Packer();
  }

  static final class Packer {
    final MessageBufferPacker packer = MessagePack.newDefaultBufferPacker();

    Packer array(int n) {
      return io(() -> packer.packArrayHeader(n));
    }

    Packer map(int n) {
      return io(() -> packer.packMapHeader(n));
    }

    Packer str(String s) {
      return io(() -> packer.packString(s));
    }

    Packer bin(byte[] b) {
      return io(
          () -> {
            packer.packBinaryHeader(b.length);
            packer.writePayload(b);
          });
    }

    Packer strBytes(byte[] b) {
      return io(
          () -> {
            packer.packRawStringHeader(b.length);
            packer.writePayload(b);
          });
    }

    Packer integer(long v) {
      return io(() -> packer.packLong(v));
    }

    Packer nil() {
      return io(packer::packNil);
    }

    Packer eventTime(long seconds, long nanos) {
      return io(
          () -> {
            packer.packExtensionTypeHeader((byte) 0, 8);
            packer.writePayload(
                new byte[] {
                  (byte) (seconds >>> 24),
                  (byte) (seconds >>> 16),
                  (byte) (seconds >>> 8),
                  (byte) seconds,
                  (byte) (nanos >>> 24),
                  (byte) (nanos >>> 16),
                  (byte) (nanos >>> 8),
                  (byte) nanos
                });
          });
    }

    Packer record(Map<String, String> record) {
      map(record.size());
      record.forEach((k, v) -> str(k).str(v));
      return this;
    }

    Packer raw(int... values) {
      byte[] bytes = new byte[values.length];
      for (int i = 0; i < values.length; i++) {
        bytes[i] = (byte) values[i];
      }
      return io(() -> packer.writePayload(bytes));
    }

    Packer raw(byte[] bytes) {
      return io(() -> packer.writePayload(bytes));
    }

    byte[] bytes() {
      try {
        packer.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return packer.toByteArray();
    }

    private Packer io(IoAction action) {
      try {
        action.run();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }
  }

  @FunctionalInterface
  interface IoAction {
    void run() throws IOException;
  }

  /** A Message frame as Docker's driver writes it: int32 time, empty option map or a chunk. */
  static byte[] dockerMessage(int i, String chunk) {
    Packer p = packer().array(4).str(TAG).raw(0xD2, 0x56, 0x61, 0x97, 0x8F);
    p.record(dockerRecord(i));
    if (chunk == null) {
      p.map(0);
    } else {
      p.map(1).str("chunk").str(chunk);
    }
    return p.bytes();
  }

  static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] all = new byte[length];
    int p = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, p, part.length);
      p += part.length;
    }
    return all;
  }

  static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }
}
