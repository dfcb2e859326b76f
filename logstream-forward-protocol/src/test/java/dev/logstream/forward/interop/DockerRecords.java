package dev.logstream.forward.interop;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The record shape every interop client sends: what dockerd's fluentd log driver posts for one line
 * of container output, numbered so a receiver can check it got exactly these records.
 *
 * <p>Record {@code i} of a batch has {@code log = "line-<i>-<prefix>"} followed by one of three
 * suffixes: a 12,006-byte long line when {@code i % 10 == 7} (below Docker's 16 KiB split size),
 * non-ASCII text including a 4-byte UTF-8 character when {@code i % 3 == 1}, plain ASCII otherwise.
 * The Go driver ({@code src/test/go/dockerlike/main.go}) and the Python script ({@code
 * src/test/python/send.py}) build the same strings; the interop tests compare bytes, so any drift
 * between the three fails a test.
 */
public final class DockerRecords {

  /** The 64-hex container ID every client sends in {@code container_id}. */
  public static final String CONTAINER_ID =
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  /** The container name, with the leading slash dockerd sends. */
  public static final String CONTAINER_NAME = "/logstream-interop";

  /** The stream the line came from. */
  public static final String SOURCE = "stdout";

  /** The non-ASCII suffix: Latin-1, an em dash, CJK, a BMP symbol and a 4-byte emoji. */
  static final String NON_ASCII =
      " gr\u00fc\u00dfe Zo\u00eb \u2014 \u65e5\u672c\u8a9e \u2603 \uD83D\uDE80";

  private DockerRecords() {}

  /** The {@code log} value of record {@code i} of a batch with the given prefix. */
  public static String log(String prefix, int i) {
    if (i % 10 == 7) {
      return "line-" + i + "-" + prefix + " long " + "0123456789abcdef".repeat(750);
    }
    if (i % 3 == 1) {
      return "line-" + i + "-" + prefix + NON_ASCII;
    }
    return "line-" + i + "-" + prefix + " plain ascii";
  }

  /** The {@code log} values of records {@code 0..count-1}. */
  public static List<String> logs(String prefix, int count) {
    List<String> logs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      logs.add(log(prefix, i));
    }
    return logs;
  }

  /** The whole record {@code i}, in the key order the Java clients send it. */
  public static Map<String, Object> record(String prefix, int i) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("container_id", CONTAINER_ID);
    record.put("container_name", CONTAINER_NAME);
    record.put("source", SOURCE);
    record.put("log", log(prefix, i));
    return record;
  }

  /** The UTF-8 bytes of {@link #log(String, int)}. */
  public static byte[] logBytes(String prefix, int i) {
    return log(prefix, i).getBytes(StandardCharsets.UTF_8);
  }
}
