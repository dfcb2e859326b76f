package dev.logstream.agent.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logstream.kinesis.mock.KinesisMockExtension;
import dev.logstream.kinesis.mock.StreamReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** The {@code log} values read back from a stream, with how often each arrived. */
record StreamLogs(Map<String, Integer> counts, int records) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reads the whole stream, waiting until it holds at least {@code atLeast} records. */
  static StreamLogs read(KinesisMockExtension kinesis, String stream, int atLeast) {
    Map<String, Integer> counts = new HashMap<>();
    int records = 0;
    for (StreamReader.ReadRecord r :
        StreamReader.of(kinesis.newClient(), stream)
            .readAtLeast(atLeast, Duration.ofSeconds(120))) {
      try {
        counts.merge(
            JSON.readTree(new String(r.data(), UTF_8)).get("log").asText(), 1, Integer::sum);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      records++;
    }
    return new StreamLogs(counts, records);
  }

  /** Records beyond the first of each line. */
  long duplicates() {
    return records - counts.size();
  }

  /** How many of {@code lines} are not in the stream. */
  long missing(Collection<String> lines) {
    return lines.stream().filter(l -> !counts.containsKey(l)).count();
  }
}
