package dev.logstream.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.logstream.core.EventTime;
import dev.logstream.core.RecordView;
import dev.logstream.core.ValueVisitor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The event every benchmark uses: one line of container output as Docker's {@code fluentd} log
 * driver sends it (four string fields, a 64-hex container id, a Mesos-style container name).
 */
public final class DockerEvents {
  /** The seed's tag for the example app. */
  public static final String TAG = "grid.devel/www-data/redis-test:devel/www-data/redis-test";

  /** The seed's example time, 2015-12-04T13:39:27Z. */
  public static final EventTime TIME = EventTime.ofEpochSecond(1449236367L);

  /** The record's keys, in the order Docker's map happened to have them. */
  static final String[] KEYS = {"container_id", "container_name", "source", "log"};

  private DockerEvents() {}

  /**
   * Returns the record's values for a log line of about {@code logLength} bytes.
   *
   * @param logLength the length of the {@code log} value
   * @return values matching {@link #KEYS}
   */
  static String[] values(int logLength) {
    StringBuilder line = new StringBuilder("10.0.0.1 - - [04/Dec/2015:13:39:27 +0000] \"GET /");
    while (line.length() < logLength) {
      line.append("index.html?q=").append(line.length()).append('&');
    }
    line.setLength(logLength);
    return new String[] {
      "1d26ace2fa27c63bc77c6de4bdf611046a7b350a7b7c2e33eafac6b3cda5fe76",
      "/mesos-20151118-102904-3271688202-5050-7886-S0.651d6d6d-1ebd-438e-b70e-f9955b98f6fb",
      "stdout",
      line.toString()
    };
  }

  /**
   * Returns the record as the obvious implementation holds it: a {@code Map} of strings.
   *
   * @param values the values from {@link #values(int)}
   * @return a new ordered map
   */
  static Map<String, Object> asMap(String[] values) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < KEYS.length; i++) {
      map.put(KEYS[i], values[i]);
    }
    return map;
  }

  /**
   * Returns the record as the forward decoder hands it over: a view replaying UTF-8 byte ranges of
   * a buffer, with no per-record objects.
   *
   * @param values the values from {@link #values(int)}
   * @return the view
   */
  static RecordView asView(String[] values) {
    byte[][] keys = new byte[KEYS.length][];
    byte[][] bytes = new byte[KEYS.length][];
    for (int i = 0; i < KEYS.length; i++) {
      keys[i] = KEYS[i].getBytes(UTF_8);
      bytes[i] = values[i].getBytes(UTF_8);
    }
    return (ValueVisitor visitor) -> {
      visitor.startMap(keys.length);
      for (int i = 0; i < keys.length; i++) {
        visitor.stringValue(keys[i], 0, keys[i].length);
        visitor.stringValue(bytes[i], 0, bytes[i].length);
      }
      visitor.endMap();
    };
  }
}
