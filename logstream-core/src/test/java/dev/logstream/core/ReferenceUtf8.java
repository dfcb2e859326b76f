package dev.logstream.core;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A deliberately naive, table-driven UTF-8 decoder that follows the Unicode Standard literally, as
 * a test oracle: Table 3-7 lists the well-formed byte sequences, and §3.9 says to replace each
 * "maximal subpart of an ill-formed subsequence" (the longest prefix of a well-formed sequence)
 * with one U+FFFD. The JDK's decoder is not used because it differs for {@code ED} followed by
 * {@code A0..BF}, for which it emits one U+FFFD where the standard asks for one per byte.
 */
final class ReferenceUtf8 {
  // Table 3-7: each row is {lead low, lead high, then low/high per following byte}.
  private static final int[][] WELL_FORMED = {
    {0x00, 0x7F},
    {0xC2, 0xDF, 0x80, 0xBF},
    {0xE0, 0xE0, 0xA0, 0xBF, 0x80, 0xBF},
    {0xE1, 0xEC, 0x80, 0xBF, 0x80, 0xBF},
    {0xED, 0xED, 0x80, 0x9F, 0x80, 0xBF},
    {0xEE, 0xEF, 0x80, 0xBF, 0x80, 0xBF},
    {0xF0, 0xF0, 0x90, 0xBF, 0x80, 0xBF, 0x80, 0xBF},
    {0xF1, 0xF3, 0x80, 0xBF, 0x80, 0xBF, 0x80, 0xBF},
    {0xF4, 0xF4, 0x80, 0x8F, 0x80, 0xBF, 0x80, 0xBF},
  };

  private ReferenceUtf8() {}

  static String decode(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < bytes.length) {
      int longestPrefix = 0;
      boolean complete = false;
      for (int[] row : WELL_FORMED) {
        int matched = 0;
        int length = row.length / 2;
        while (matched < length
            && i + matched < bytes.length
            && (bytes[i + matched] & 0xFF) >= row[2 * matched]
            && (bytes[i + matched] & 0xFF) <= row[2 * matched + 1]) {
          matched++;
        }
        if (matched == length) {
          complete = true;
          longestPrefix = length;
          break;
        }
        longestPrefix = Math.max(longestPrefix, matched);
      }
      if (complete) {
        out.write(bytes, i, longestPrefix);
        i += longestPrefix;
      } else {
        out.writeBytes("\uFFFD".getBytes(StandardCharsets.UTF_8));
        i += Math.max(1, longestPrefix);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
