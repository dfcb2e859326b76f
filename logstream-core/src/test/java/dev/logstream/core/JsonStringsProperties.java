package dev.logstream.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The encoder's own string escaping must be Jackson's, byte for byte, after UTF-8 repair. */
class JsonStringsProperties {
  private static final JsonFactory JACKSON = new JsonFactory();

  @Property(tries = 5000)
  void escape_anyBytes_equalsJacksonEscapingOfTheRepairedText(@ForAll("strings") byte[] raw)
      throws Exception {
    byte[] target = new byte[raw.length * JsonStrings.MAX_EXPANSION];

    int length = JsonStrings.escape(raw, 0, raw.length, target);

    assertThat(new String(target, 0, length, UTF_8)).isEqualTo(jacksonEscaped(raw));
  }

  @Property(tries = 3000)
  void plainLength_isTheLongestPrefixThatEscapingLeavesAsItIs(@ForAll("strings") byte[] raw)
      throws Exception {
    int plain = JsonStrings.plainLength(raw, 0, raw.length);

    String escapedPrefix = jacksonEscaped(Arrays.copyOf(raw, plain));
    assertThat(escapedPrefix.getBytes(UTF_8)).isEqualTo(Arrays.copyOf(raw, plain));
    if (plain < raw.length) {
      byte next = raw[plain];
      assertThat(next < 0 || next < 0x20 || next == '"' || next == '\\').isTrue();
    }
  }

  @Property(tries = 2000)
  void escape_atATargetOffset_writesTheSameBytesThere(@ForAll("strings") byte[] raw) {
    byte[] fromZero = new byte[raw.length * JsonStrings.MAX_EXPANSION];
    byte[] atSeven = new byte[7 + raw.length * JsonStrings.MAX_EXPANSION];

    int length = JsonStrings.escape(raw, 0, raw.length, fromZero);
    int shifted = JsonStrings.escape(raw, 0, raw.length, atSeven, 7);

    assertThat(shifted).isEqualTo(length);
    assertThat(Arrays.copyOfRange(atSeven, 7, 7 + shifted))
        .isEqualTo(Arrays.copyOf(fromZero, length));
  }

  @Test
  void escape_everyAsciiByteInEveryPositionOfAWord_matchesJackson() throws Exception {
    byte[] raw = "abcdefghijklmnop".getBytes(UTF_8);
    for (int c = 0; c < 128; c++) {
      for (int position = 0; position < raw.length; position++) {
        byte[] probe = raw.clone();
        probe[position] = (byte) c;
        byte[] target = new byte[probe.length * JsonStrings.MAX_EXPANSION];
        int length = JsonStrings.escape(probe, 0, probe.length, target);
        assertThat(new String(target, 0, length, UTF_8))
            .as("byte 0x%02x at %d", c, position)
            .isEqualTo(jacksonEscaped(probe));
      }
    }
  }

  @Test
  void escape_offsetIntoALargerArray_readsOnlyTheRange() {
    byte[] raw = "\"xx plain text here\"".getBytes(UTF_8);
    byte[] target = new byte[raw.length * JsonStrings.MAX_EXPANSION];

    int length = JsonStrings.escape(raw, 1, raw.length - 2, target);

    assertThat(new String(target, 0, length, UTF_8)).isEqualTo("xx plain text here");
  }

  @Provide
  Arbitrary<byte[]> strings() {
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofMaxSize(80),
        Arbitraries.bytes().between((byte) 0, (byte) 0x7F).array(byte[].class).ofMaxSize(80),
        Arbitraries.strings().ofMaxLength(40).map(s -> s.getBytes(UTF_8)),
        Arbitraries.strings()
            .withChars("ab\"\\\n\u0001é€😀")
            .ofMaxLength(40)
            .map(s -> s.getBytes(UTF_8))
            .map(b -> b.length > 3 ? Arrays.copyOf(b, b.length - 1) : b));
  }

  private static String jacksonEscaped(byte[] raw) throws Exception {
    byte[] repaired = ReferenceUtf8.decode(raw).getBytes(UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator generator = JACKSON.createGenerator(out)) {
      generator.writeUTF8String(repaired, 0, repaired.length);
    }
    String quoted = out.toString(UTF_8);
    return quoted.substring(1, quoted.length() - 1);
  }
}
