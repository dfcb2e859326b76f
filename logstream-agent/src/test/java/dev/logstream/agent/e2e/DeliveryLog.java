package dev.logstream.agent.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.Sink;
import dev.logstream.core.sink.SinkLimits;
import dev.logstream.core.sink.SinkRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Passes batches to a real sink and notes the {@code log} of every record it answered delivered:
 * what the endpoint accepted, for accounting when the endpoint itself forgets data (kinesis-mock
 * restarted without persistence).
 */
final class DeliveryLog implements Sink {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Sink delegate;
  private final Set<String> delivered = new HashSet<>();

  DeliveryLog(Sink delegate) {
    this.delegate = delegate;
  }

  @Override
  public SinkLimits limits() {
    return delegate.limits();
  }

  @Override
  public CompletionStage<List<RecordOutcome>> send(List<SinkRecord> batch) {
    return delegate
        .send(batch)
        .thenApply(
            outcomes -> {
              synchronized (delivered) {
                for (int i = 0; i < outcomes.size(); i++) {
                  if (outcomes.get(i) instanceof RecordOutcome.Delivered) {
                    delivered.add(log(batch.get(i)));
                  }
                }
              }
              return outcomes;
            });
  }

  /** The lines the sink answered delivered so far. */
  Set<String> delivered() {
    synchronized (delivered) {
      return Set.copyOf(delivered);
    }
  }

  private static String log(SinkRecord record) {
    try {
      return JSON.readTree(new String(record.payload(), UTF_8)).get("log").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    delegate.close();
  }
}
