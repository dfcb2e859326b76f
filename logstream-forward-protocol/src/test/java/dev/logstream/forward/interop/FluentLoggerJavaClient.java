package dev.logstream.forward.interop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.fluentd.logger.FluentLogger;
import org.fluentd.logger.FluentLoggerFactory;

/**
 * fluent-logger-java ({@code org.fluentd:fluent-logger} 0.3.4): one Message-mode frame {@code [tag,
 * seconds, record]} per {@code log} call, without an option map and without acks.
 */
public record FluentLoggerJavaClient() implements ForwardClient {

  @Override
  public String name() {
    return "fluent-logger-java";
  }

  @Override
  public String library() {
    return "fluent-logger-java 0.3.4 (org.fluentd:fluent-logger)";
  }

  @Override
  public boolean ack() {
    return false;
  }

  @Override
  public TimePrecision timePrecision() {
    return TimePrecision.SECONDS;
  }

  @Override
  public boolean supports(SocketAddress target) {
    return target instanceof InetSocketAddress;
  }

  @Override
  public int send(SocketAddress target, RecordBatch batch) throws IOException {
    InetSocketAddress inet = (InetSocketAddress) target;
    // A factory of our own: FluentLogger.getLogger caches loggers in a JVM-wide registry.
    FluentLoggerFactory factory = new FluentLoggerFactory();
    // An empty tag prefix makes the tag passed to log() the whole tag.
    FluentLogger logger = factory.getLogger("", inet.getHostString(), inet.getPort());
    int posted = 0;
    try {
      for (int i = 0; i < batch.count(); i++) {
        long seconds = batch.eventTime(i).getEpochSecond();
        if (!logger.log(batch.tag(), DockerRecords.record(batch.prefix(), i), seconds)) {
          throw new IOException("fluent-logger-java did not send record " + i);
        }
        posted++;
      }
      logger.flush();
    } finally {
      factory.closeAll();
    }
    return posted;
  }
}
