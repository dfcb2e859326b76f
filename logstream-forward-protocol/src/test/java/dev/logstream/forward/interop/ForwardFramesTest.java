package dev.logstream.forward.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.forward.interop.ForwardFrames.Decoded;
import dev.logstream.forward.interop.ForwardFrames.Mode;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/** The test-side reader handles the modes no client installed here produces. */
class ForwardFramesTest {

  private static byte[] entries(int from, int to) throws Exception {
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      for (int i = from; i < to; i++) {
        packer.packArrayHeader(2).packLong(1_700_000_000L + i);
        packer.packMapHeader(1).packString("log").packString(DockerRecords.log("p", i));
      }
      return packer.toByteArray();
    }
  }

  private static byte[] gzip(byte[] data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(data);
    }
    return out.toByteArray();
  }

  @Test
  void decode_forwardAndMultiMemberGzipPackedForward_yieldsEveryEvent() throws Exception {
    byte[] compressed = concat(gzip(entries(2, 4)), gzip(entries(4, 5)));
    byte[] stream;
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      packer.packArrayHeader(2).packString("t").packArrayHeader(2);
      for (int i = 0; i < 2; i++) {
        packer.packArrayHeader(2).packLong(1_700_000_000L + i);
        packer.packMapHeader(1).packString("log").packString(DockerRecords.log("p", i));
      }
      packer.packNil();
      packer.packArrayHeader(3).packString("t");
      packer.packBinaryHeader(compressed.length).writePayload(compressed);
      packer.packMapHeader(1).packString("compressed").packString("gzip");
      stream = packer.toByteArray();
    }

    Decoded decoded = ForwardFrames.decode(stream);

    assertThat(decoded.logs()).containsExactlyElementsOf(DockerRecords.logs("p", 5));
    assertThat(decoded.frames())
        .extracting(ForwardFrames.Frame::mode)
        .containsExactly(Mode.FORWARD, Mode.COMPRESSED_PACKED_FORWARD);
    assertThat(decoded.heartbeats()).isEqualTo(1);
    assertThat(decoded.frames().get(1).packedPayloadType()).isEqualTo("bin");
  }

  @Test
  void decode_truncatedStream_failsButDecodeArrivedReturnsCompleteFrames() throws Exception {
    byte[] stream;
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      for (int i = 0; i < 2; i++) {
        packer.packArrayHeader(3).packString("t").packLong(1_700_000_000L);
        packer.packMapHeader(1).packString("log").packString(DockerRecords.log("p", i));
      }
      stream = packer.toByteArray();
    }
    byte[] truncated = Arrays.copyOf(stream, stream.length - 1);

    assertThatThrownBy(() -> ForwardFrames.decode(truncated))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("stream ends inside the value");
    assertThat(ForwardFrames.decodeArrived(truncated).events()).hasSize(1);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] joined = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, joined, a.length, b.length);
    return joined;
  }
}
