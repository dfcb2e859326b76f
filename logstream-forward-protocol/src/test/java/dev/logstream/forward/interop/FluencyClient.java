package dev.logstream.forward.interop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.komamitsu.fluency.EventTime;
import org.komamitsu.fluency.Fluency;
import org.komamitsu.fluency.fluentd.FluencyBuilderForFluentd;

/**
 * fluency-fluentd 2.7.3, which buffers records per tag and flushes them as PackedForward frames
 * (entries as one msgpack {@code bin}, option {@code size}, plus {@code chunk} in ack mode).
 *
 * <p>fluency-fluentd 2.7.3 has no compression option (CompressedPackedForward) and no Unix socket
 * sender; only its S3 and Treasure Data ingesters compress.
 *
 * @param ack {@code setAckResponseMode(true)}: ask for and wait for an ack per flushed chunk
 * @param eventTime emit with {@link EventTime} instead of integer seconds
 */
public record FluencyClient(boolean ack, boolean eventTime) implements ForwardClient {

  @Override
  public String name() {
    return "fluency" + (ack ? "-ack" : "") + (eventTime ? "-eventtime" : "");
  }

  @Override
  public String library() {
    return "fluency-fluentd 2.7.3";
  }

  @Override
  public TimePrecision timePrecision() {
    return eventTime ? TimePrecision.EVENT_TIME : TimePrecision.SECONDS;
  }

  @Override
  public boolean supports(SocketAddress target) {
    return target instanceof InetSocketAddress;
  }

  @Override
  public int send(SocketAddress target, RecordBatch batch) throws IOException {
    InetSocketAddress inet = (InetSocketAddress) target;
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    FluencyBuilderForFluentd builder = new FluencyBuilderForFluentd();
    builder.setAckResponseMode(ack);
    builder.setSenderMaxRetryCount(3);
    builder.setConnectionTimeoutMilli(5_000);
    builder.setReadTimeoutMilli(5_000);
    builder.setErrorHandler(errors::add);
    Fluency fluency = builder.build(inet.getHostString(), inet.getPort());
    try {
      for (int i = 0; i < batch.count(); i++) {
        Instant time = batch.eventTime(i);
        if (eventTime) {
          fluency.emit(
              batch.tag(),
              EventTime.fromEpoch(time.getEpochSecond(), time.getNano()),
              DockerRecords.record(batch.prefix(), i));
        } else {
          fluency.emit(batch.tag(), time.getEpochSecond(), DockerRecords.record(batch.prefix(), i));
        }
      }
    } finally {
      fluency.close(); // flushes the buffer and waits for the flusher to finish
    }
    if (!errors.isEmpty()) {
      IOException failure = new IOException("fluency reported " + errors.size() + " error(s)");
      errors.forEach(failure::addSuppressed);
      throw failure;
    }
    if (fluency.getBufferedDataSize() != 0) {
      throw new IOException(
          "fluency closed with " + fluency.getBufferedDataSize() + " bytes still buffered");
    }
    return batch.count();
  }
}
