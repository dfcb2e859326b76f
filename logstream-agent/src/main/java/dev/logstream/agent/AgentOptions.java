package dev.logstream.agent;

import dev.logstream.buffer.Durability;
import dev.logstream.buffer.OverflowPolicy;
import dev.logstream.buffer.RetryPolicy;
import dev.logstream.forward.ListenAddress;
import dev.logstream.kinesis.PartitionKeyStrategy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The agent's settings, validated: what {@link AgentOptionsParser} makes of the command line and
 * the {@code --config} file. Each component is one flag; see {@link AgentOptionsParser#usage()}.
 *
 * @param listen where the forward server listens ({@code --listen}), at least one
 * @param bufferDir the segment buffer's directory ({@code --buffer-dir}); null only with {@code
 *     help}
 * @param segmentSize bytes per segment file ({@code --segment-size})
 * @param maxSegments segments that may hold undelivered records ({@code --max-segments})
 * @param fsync the buffer's durability ({@code --fsync})
 * @param overflow what a full buffer does ({@code --overflow})
 * @param sink where records go ({@code --sink})
 * @param stream the Kinesis stream ({@code --stream}); present when {@code sink} is kinesis
 * @param region the AWS region ({@code --region}); empty for the SDK's region chain
 * @param endpoint a Kinesis endpoint override ({@code --endpoint})
 * @param cbor whether the Kinesis client speaks CBOR (off with {@code --no-cbor})
 * @param aggregate whether records are KPL-aggregated ({@code --aggregate})
 * @param partitionKey {@code random}, {@code tag} or {@code field:NAME} ({@code --partition-key})
 * @param maxRetries retries after the first attempt before a record is dead-lettered ({@code
 *     --max-retries}); the retry policy's max attempts is this plus one
 * @param sharedKey the forward protocol's shared key ({@code --shared-key})
 * @param tlsCert the TLS certificate chain, PEM ({@code --tls-cert}); present with {@code tlsKey}
 * @param tlsKey the TLS private key, PEM ({@code --tls-key}); present with {@code tlsCert}
 * @param tagPrefix the grid tag prefix ({@code --tag-prefix})
 * @param reassemblePartials whether Docker's partial lines are reassembled ({@code
 *     --reassemble-partials})
 * @param http where the metrics and health endpoint listens ({@code --http}), unresolved
 * @param config the config file these options were read from ({@code --config})
 * @param progressInterval how often the progress line is printed ({@code --progress-interval})
 * @param help whether {@code --help} was given (then nothing else is validated)
 */
public record AgentOptions(
    List<ListenAddress> listen,
    Path bufferDir,
    long segmentSize,
    int maxSegments,
    Durability fsync,
    OverflowPolicy overflow,
    SinkKind sink,
    Optional<String> stream,
    Optional<String> region,
    Optional<URI> endpoint,
    boolean cbor,
    boolean aggregate,
    String partitionKey,
    int maxRetries,
    Optional<String> sharedKey,
    Optional<Path> tlsCert,
    Optional<Path> tlsKey,
    String tagPrefix,
    boolean reassemblePartials,
    Optional<InetSocketAddress> http,
    Optional<Path> config,
    Duration progressInterval,
    boolean help) {

  /** Where the agent delivers records. */
  public enum SinkKind {
    /** Amazon Kinesis Data Streams (or an endpoint speaking its API). */
    KINESIS,
    /** One JSON line per record on standard output. */
    STDOUT,
    /** Nowhere: records are counted and answered delivered (load tests). */
    DISCARD;

    /**
     * The flag's spelling.
     *
     * @return {@code kinesis}, {@code stdout} or {@code discard}
     */
    public String flagValue() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * Copies the lists and checks the references.
   *
   * @param listen listen addresses
   * @param bufferDir buffer directory
   * @param segmentSize segment size
   * @param maxSegments max segments
   * @param fsync durability
   * @param overflow overflow policy
   * @param sink sink kind
   * @param stream stream
   * @param region region
   * @param endpoint endpoint
   * @param cbor CBOR on
   * @param aggregate aggregation on
   * @param partitionKey partition key spec
   * @param maxRetries max retries
   * @param sharedKey shared key
   * @param tlsCert TLS certificate
   * @param tlsKey TLS key
   * @param tagPrefix tag prefix
   * @param reassemblePartials reassembly on
   * @param http metrics address
   * @param config config file
   * @param progressInterval progress interval
   * @param help help requested
   * @throws NullPointerException if a reference is null
   */
  public AgentOptions {
    listen = List.copyOf(listen);
    Objects.requireNonNull(fsync, "fsync");
    Objects.requireNonNull(overflow, "overflow");
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(partitionKey, "partitionKey");
    Objects.requireNonNull(sharedKey, "sharedKey");
    Objects.requireNonNull(tlsCert, "tlsCert");
    Objects.requireNonNull(tlsKey, "tlsKey");
    Objects.requireNonNull(tagPrefix, "tagPrefix");
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(progressInterval, "progressInterval");
  }

  /**
   * The retry policy of {@code --max-retries}: the defaults with max attempts {@code maxRetries +
   * 1}.
   *
   * @return the policy
   */
  public RetryPolicy retryPolicy() {
    return RetryPolicy.builder().maxAttempts(maxRetries + 1).build();
  }

  /**
   * The partition-key strategy of {@code --partition-key}.
   *
   * @return random UUIDs, the tag, or a field's value
   */
  public PartitionKeyStrategy partitionKeyStrategy() {
    if (partitionKey.equals("tag")) {
      return PartitionKeyStrategy.tag();
    }
    if (partitionKey.startsWith("field:")) {
      return PartitionKeyStrategy.field(partitionKey.substring("field:".length()));
    }
    return PartitionKeyStrategy.randomUuid();
  }
}
