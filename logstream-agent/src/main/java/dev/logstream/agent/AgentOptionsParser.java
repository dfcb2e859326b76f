package dev.logstream.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.logstream.agent.AgentOptions.SinkKind;
import dev.logstream.buffer.Durability;
import dev.logstream.buffer.OverflowPolicy;
import dev.logstream.buffer.SegmentBuffer;
import dev.logstream.core.tag.TagCodec;
import dev.logstream.forward.ListenAddress;
import dev.logstream.kinesis.KinesisSink;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the agent's command line, and the {@code --config} file it names, into {@link
 * AgentOptions}, validating every value with a message that names the flag and the value.
 *
 * <p>Flags take their value as {@code --flag value} or {@code --flag=value}; switches ({@code
 * --no-cbor}, {@code --aggregate}, {@code --reassemble-partials}, {@code --help}) take none. The
 * config file is YAML or JSON (JSON is read as JSON when the file starts with <code>{</code>) with
 * the flags' names without the dashes as keys, a list for {@code listen}, booleans for switches. A
 * flag given on the command line replaces the file's value (for {@code listen}, the whole list). In
 * messages, a file's value is named as {@code FILE: key}.
 */
public final class AgentOptionsParser {

  /** The default listen address. */
  public static final String DEFAULT_LISTEN = "tcp://127.0.0.1:24224";

  /** The default progress interval. */
  public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(10);

  /** The default {@code --max-retries}: the retry policy's default attempts minus the first. */
  public static final int DEFAULT_MAX_RETRIES = 16;

  private static final int MAX_RETRIES_LIMIT = 10_000;

  private record Flag(String name, String arg, String defaultValue, String help) {
    boolean isSwitch() {
      return arg == null;
    }
  }

  private static final List<Flag> FLAGS =
      List.of(
          new Flag(
              "listen",
              "URI",
              DEFAULT_LISTEN,
              "tcp://host:port, tls://host:port or" + " unix:///path; repeatable"),
          new Flag("buffer-dir", "DIR", "(required)", "the segment buffer's directory"),
          new Flag(
              "segment-size",
              "SIZE",
              "16MiB",
              "bytes per segment, suffix k/KiB, m/MiB,"
                  + " g/GiB; a multiple of 4096 from 64KiB to 1GiB"),
          new Flag(
              "max-segments",
              "N",
              "128",
              "segments that may hold undelivered records," + " 2 to 1000000"),
          new Flag(
              "fsync",
              "never|always|DURATION",
              "1s",
              "when appends are forced to disk"
                  + " before the ack (a DURATION like 500ms fsyncs at that interval)"),
          new Flag("overflow", "block|reject|drop-oldest", "block", "what a full buffer does"),
          new Flag("sink", "kinesis|stdout|discard", "kinesis", "where records go"),
          new Flag("stream", "NAME", "(required with --sink kinesis)", "the Kinesis stream"),
          new Flag("region", "REGION", "the SDK's region chain", "the AWS region"),
          new Flag("endpoint", "URL", "the region's endpoint", "a Kinesis endpoint override"),
          new Flag("no-cbor", null, "CBOR on", "JSON instead of CBOR (emulators without CBOR)"),
          new Flag("aggregate", null, "off", "KPL-aggregate records"),
          new Flag("partition-key", "random|tag|field:NAME", "random", "the partition key"),
          new Flag(
              "max-retries",
              "N",
              Integer.toString(DEFAULT_MAX_RETRIES),
              "retries before a"
                  + " record is dead-lettered (attempts = N + 1), 0 to "
                  + MAX_RETRIES_LIMIT),
          new Flag("shared-key", "KEY", "none", "the forward protocol's shared key"),
          new Flag(
              "tls-cert",
              "FILE",
              "none",
              "TLS certificate chain, PEM (with --tls-key;" + " needed by tls://)"),
          new Flag("tls-key", "FILE", "none", "TLS private key, PEM (with --tls-cert)"),
          new Flag("tag-prefix", "PREFIX", TagCodec.DEFAULT_PREFIX, "the grid tag prefix"),
          new Flag("reassemble-partials", null, "off", "reassemble Docker's partial lines"),
          new Flag("http", "HOST:PORT", "none", "the /metrics and /health endpoint"),
          new Flag(
              "progress-interval",
              "DURATION",
              "10s",
              "how often the progress line is" + " printed"),
          new Flag(
              "config",
              "FILE",
              "none",
              "YAML or JSON file with these keys; flags override" + " it"),
          new Flag("help", null, "", "print this help and exit"));

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
  private static final Pattern SIZE =
      Pattern.compile("(\\d{1,12})\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)", Pattern.CASE_INSENSITIVE);
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z0-9]+)+-\\d+");
  private static final Pattern HOST_PORT = Pattern.compile("(\\[[^\\]]+\\]|[^:\\[\\]]+):(\\d+)");

  private AgentOptionsParser() {}

  /** A value and how to name it in a message: {@code --flag} or {@code FILE: key}. */
  private record Raw(String label, List<String> values) {
    String single() {
      return values.get(values.size() - 1);
    }
  }

  /**
   * Parses the command line, reading the {@code --config} file if one is named.
   *
   * @param args the arguments
   * @return the options; with {@code --help}, only {@link AgentOptions#help()} is meaningful
   * @throws AgentOptionsException naming the flag or key and the bad value
   */
  public static AgentOptions parse(String... args) {
    Map<String, Raw> flags = readArgs(args);
    if (flags.containsKey("help")) {
      return defaultsForHelp();
    }
    Map<String, Raw> merged = new LinkedHashMap<>();
    Optional<Path> config = Optional.empty();
    if (flags.containsKey("config")) {
      Raw raw = flags.get("config");
      Path file = path(raw);
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        throw fail(raw, "no readable file", raw.single());
      }
      merged.putAll(readConfig(file));
      config = Optional.of(file);
    }
    merged.putAll(flags);
    return validate(merged, config);
  }

  /**
   * The help text: every flag with its argument, default and meaning.
   *
   * @return the text, ending with a line break
   */
  public static String usage() {
    StringBuilder s =
        new StringBuilder(
            "Usage: logstream-agent --buffer-dir DIR [--stream NAME | --sink stdout|discard]"
                + " [options]\n\n"
                + "Receives Fluentd forward traffic, stores it in a crash-safe buffer and"
                + " delivers it to Kinesis.\n\nOptions (default in brackets):\n");
    for (Flag f : FLAGS) {
      String left = "  --" + f.name() + (f.isSwitch() ? "" : " " + f.arg());
      s.append(left);
      s.append(" ".repeat(Math.max(1, 42 - left.length())));
      s.append(f.help());
      if (f.defaultValue().startsWith("(")) {
        s.append(' ').append(f.defaultValue());
      } else if (!f.defaultValue().isEmpty()) {
        s.append(" [").append(f.defaultValue()).append(']');
      }
      s.append('\n');
    }
    s.append(
        "\nExit codes: 0 after a clean shutdown (SIGTERM, SIGINT) or --help; 1 if the agent"
            + " fails to start or run; 2 for an invalid option.\n"
            + "SIGHUP or a change of the --config file reloads the sink and tag settings.\n");
    return s.toString();
  }

  private static Map<String, Raw> readArgs(String[] args) {
    Map<String, Raw> out = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new AgentOptionsException("unexpected argument '" + arg + "': options start with --");
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
      Flag flag = flag(name);
      if (flag == null || flag.name().equals("help") && eq >= 0) {
        throw new AgentOptionsException("unknown flag '" + arg + "'");
      }
      String label = "--" + name;
      String value;
      if (flag.isSwitch()) {
        value = eq < 0 ? "true" : arg.substring(eq + 1);
      } else if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new AgentOptionsException(label + ": needs a value (" + flag.arg() + ")");
      }
      Raw previous = out.get(name);
      if (previous != null && !name.equals("listen")) {
        throw new AgentOptionsException(
            label + ": given twice ('" + previous.single() + "' and '" + value + "')");
      }
      List<String> values = previous == null ? new ArrayList<>() : previous.values();
      values.add(value);
      out.put(name, new Raw(label, values));
    }
    return out;
  }

  private static Flag flag(String name) {
    for (Flag f : FLAGS) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    return null;
  }

  private static Map<String, Raw> readConfig(Path file) {
    JsonNode root;
    try {
      String text = Files.readString(file);
      ObjectMapper mapper =
          text.stripLeading().startsWith("{")
              ? new ObjectMapper()
              : new ObjectMapper(new YAMLFactory());
      root = mapper.readTree(text);
    } catch (IOException e) {
      throw new AgentOptionsException(
          file + ": not valid YAML or JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    Map<String, Raw> out = new LinkedHashMap<>();
    if (root == null || root.isMissingNode() || root.isNull()) {
      return out;
    }
    if (!root.isObject()) {
      throw new AgentOptionsException(file + ": expected a map of option names to values");
    }
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      String key = e.getKey();
      Flag flag = flag(key);
      if (flag == null || key.equals("config") || key.equals("help")) {
        throw new AgentOptionsException(file + ": unknown key '" + key + "'");
      }
      String label = file + ": " + key;
      JsonNode node = e.getValue();
      List<String> values = new ArrayList<>();
      if (node.isArray() && key.equals("listen")) {
        node.forEach(v -> values.add(scalar(label, v)));
      } else {
        values.add(scalar(label, node));
      }
      if (flag.isSwitch() && !node.isBoolean()) {
        throw new AgentOptionsException(
            label + ": expected true or false, got '" + values.get(0) + "'");
      }
      out.put(key, new Raw(label, values));
    }
    return out;
  }

  private static String scalar(String label, JsonNode node) {
    if (!node.isValueNode() || node.isNull()) {
      throw new AgentOptionsException(label + ": expected a single value, got " + node);
    }
    return node.asText();
  }

  private static AgentOptions defaultsForHelp() {
    return new AgentOptions(
        List.of(ListenAddress.parse(DEFAULT_LISTEN)),
        null,
        SegmentBuffer.DEFAULT_SEGMENT_SIZE,
        SegmentBuffer.DEFAULT_MAX_SEGMENTS,
        Durability.interval(),
        OverflowPolicy.block(),
        SinkKind.KINESIS,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        true,
        false,
        "random",
        DEFAULT_MAX_RETRIES,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        TagCodec.DEFAULT_PREFIX,
        false,
        Optional.empty(),
        Optional.empty(),
        DEFAULT_PROGRESS_INTERVAL,
        true);
  }

  private static AgentOptions validate(Map<String, Raw> in, Optional<Path> config) {
    Optional<Path> tlsCert = optional(in, "tls-cert").map(AgentOptionsParser::readableFile);
    Optional<Path> tlsKey = optional(in, "tls-key").map(AgentOptionsParser::readableFile);
    if (tlsCert.isPresent() != tlsKey.isPresent()) {
      Raw given = in.getOrDefault("tls-cert", in.get("tls-key"));
      throw new AgentOptionsException(
          given.label()
              + ": needs "
              + (tlsCert.isPresent() ? "--tls-key" : "--tls-cert")
              + " as well");
    }
    List<ListenAddress> listen = new ArrayList<>();
    Raw listenRaw = in.getOrDefault("listen", new Raw("--listen", List.of(DEFAULT_LISTEN)));
    for (String value : listenRaw.values()) {
      ListenAddress address = listenAddress(listenRaw, value);
      if (address.transport() == ListenAddress.Transport.TLS && tlsCert.isEmpty()) {
        throw new AgentOptionsException(
            listenRaw.label() + ": '" + value + "' needs --tls-cert and --tls-key");
      }
      listen.add(address);
    }
    Raw bufferRaw = in.get("buffer-dir");
    Path bufferDir = bufferRaw == null ? null : path(bufferRaw);
    if (bufferDir != null && Files.exists(bufferDir) && !Files.isDirectory(bufferDir)) {
      throw fail(bufferRaw, "expected a directory", bufferRaw.single());
    }
    SinkKind sink =
        optional(in, "sink")
            .map(
                raw ->
                    switch (raw.single()) {
                      case "kinesis" -> SinkKind.KINESIS;
                      case "stdout" -> SinkKind.STDOUT;
                      case "discard" -> SinkKind.DISCARD;
                      default ->
                          throw fail(raw, "expected kinesis, stdout or discard", raw.single());
                    })
            .orElse(SinkKind.KINESIS);
    Optional<String> stream = optional(in, "stream").map(AgentOptionsParser::stream);
    AgentOptions options =
        new AgentOptions(
            listen,
            bufferDir,
            optional(in, "segment-size")
                .map(AgentOptionsParser::segmentSize)
                .orElse((long) SegmentBuffer.DEFAULT_SEGMENT_SIZE),
            optional(in, "max-segments")
                .map(raw -> integer(raw, 2, 1_000_000))
                .orElse(SegmentBuffer.DEFAULT_MAX_SEGMENTS),
            optional(in, "fsync").map(AgentOptionsParser::fsync).orElse(Durability.interval()),
            optional(in, "overflow")
                .map(AgentOptionsParser::overflow)
                .orElse(OverflowPolicy.block()),
            sink,
            stream,
            optional(in, "region").map(AgentOptionsParser::region),
            optional(in, "endpoint").map(AgentOptionsParser::endpoint),
            !optional(in, "no-cbor").map(AgentOptionsParser::bool).orElse(false),
            optional(in, "aggregate").map(AgentOptionsParser::bool).orElse(false),
            optional(in, "partition-key").map(AgentOptionsParser::partitionKey).orElse("random"),
            optional(in, "max-retries")
                .map(raw -> integer(raw, 0, MAX_RETRIES_LIMIT))
                .orElse(DEFAULT_MAX_RETRIES),
            optional(in, "shared-key").map(AgentOptionsParser::sharedKey),
            tlsCert,
            tlsKey,
            optional(in, "tag-prefix")
                .map(AgentOptionsParser::tagPrefix)
                .orElse(TagCodec.DEFAULT_PREFIX),
            optional(in, "reassemble-partials").map(AgentOptionsParser::bool).orElse(false),
            optional(in, "http").map(AgentOptionsParser::http),
            config,
            optional(in, "progress-interval")
                .map(AgentOptionsParser::progressInterval)
                .orElse(DEFAULT_PROGRESS_INTERVAL),
            false);
    // required flags are checked after every value, so a bad value is reported as such rather
    // than as a missing flag
    if (bufferDir == null) {
      throw new AgentOptionsException("--buffer-dir is required");
    }
    if (sink == SinkKind.KINESIS && stream.isEmpty()) {
      throw new AgentOptionsException("--stream is required with --sink kinesis (the default)");
    }
    return options;
  }

  private static Optional<Raw> optional(Map<String, Raw> in, String name) {
    return Optional.ofNullable(in.get(name));
  }

  private static AgentOptionsException fail(Raw raw, String expected, String value) {
    return new AgentOptionsException(raw.label() + ": " + expected + ", got '" + value + "'");
  }

  private static ListenAddress listenAddress(Raw raw, String value) {
    try {
      return ListenAddress.parse(value);
    } catch (IllegalArgumentException e) {
      throw fail(raw, "expected tcp://host:port, tls://host:port or unix:///path", value);
    }
  }

  private static Path path(Raw raw) {
    String value = raw.single();
    if (value.isBlank()) {
      throw fail(raw, "expected a path", value);
    }
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw fail(raw, "expected a path", value);
    }
  }

  private static Path readableFile(Raw raw) {
    Path file = path(raw);
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw fail(raw, "expected a readable file", raw.single());
    }
    return file;
  }

  private static long segmentSize(Raw raw) {
    String value = raw.single();
    String expected = "expected a multiple of 4096 from 64KiB to 1GiB, like 16MiB";
    Matcher m = SIZE.matcher(value.trim());
    if (!m.matches()) {
      throw fail(raw, expected, value);
    }
    long unit =
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "k", "kb", "kib" -> 1L << 10;
          case "m", "mb", "mib" -> 1L << 20;
          case "g", "gb", "gib" -> 1L << 30;
          default -> 1L;
        };
    long bytes = Long.parseLong(m.group(1)) * unit;
    if (bytes < 64 << 10 || bytes > 1 << 30 || bytes % 4096 != 0) {
      throw fail(raw, expected, value);
    }
    return bytes;
  }

  private static int integer(Raw raw, int min, int max) {
    String value = raw.single();
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below, like a number out of range
    }
    throw fail(raw, "expected a whole number from " + min + " to " + max, value);
  }

  private static Durability fsync(Raw raw) {
    try {
      return Durability.parse(raw.single());
    } catch (IllegalArgumentException e) {
      throw fail(raw, "expected never, always or a duration like 500ms", raw.single());
    }
  }

  private static OverflowPolicy overflow(Raw raw) {
    try {
      return OverflowPolicy.parse(raw.single());
    } catch (IllegalArgumentException e) {
      throw fail(raw, "expected block, reject or drop-oldest", raw.single());
    }
  }

  private static String stream(Raw raw) {
    try {
      KinesisSink.builder(raw.single());
      return raw.single();
    } catch (IllegalArgumentException e) {
      throw fail(raw, "expected a stream name or a stream ARN", raw.single());
    }
  }

  private static String region(Raw raw) {
    if (!REGION.matcher(raw.single()).matches()) {
      throw fail(raw, "expected a region like eu-west-1", raw.single());
    }
    return raw.single();
  }

  private static URI endpoint(Raw raw) {
    String expected = "expected an http or https URL like http://127.0.0.1:4567";
    try {
      URI uri = new URI(raw.single());
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw fail(raw, expected, raw.single());
  }

  private static boolean bool(Raw raw) {
    return switch (raw.single()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw fail(raw, "expected true or false", raw.single());
    };
  }

  private static String partitionKey(Raw raw) {
    String value = raw.single();
    if (value.equals("random")
        || value.equals("tag")
        || value.startsWith("field:") && value.length() > "field:".length()) {
      return value;
    }
    throw fail(raw, "expected random, tag or field:NAME", value);
  }

  private static String sharedKey(Raw raw) {
    if (raw.single().isEmpty()) {
      throw fail(raw, "expected a non-empty key", raw.single());
    }
    return raw.single();
  }

  private static String tagPrefix(Raw raw) {
    try {
      TagCodec.builder().prefix(raw.single());
      return raw.single();
    } catch (IllegalArgumentException e) {
      throw fail(raw, "expected a tag prefix like grid (" + e.getMessage() + ")", raw.single());
    }
  }

  private static InetSocketAddress http(Raw raw) {
    String value = raw.single();
    Matcher m = HOST_PORT.matcher(value);
    if (m.matches()) {
      String host = m.group(1);
      if (host.startsWith("[")) {
        host = host.substring(1, host.length() - 1);
      }
      long port = Long.parseLong(m.group(2));
      if (port <= 65_535) {
        return InetSocketAddress.createUnresolved(host, (int) port);
      }
    }
    throw fail(raw, "expected HOST:PORT like 127.0.0.1:9090 (port 0 to 65535)", value);
  }

  private static Duration progressInterval(Raw raw) {
    Matcher m = DURATION.matcher(raw.single());
    if (m.matches() && Long.parseLong(m.group(1)) > 0) {
      long amount = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofHours(amount);
      };
    }
    throw fail(raw, "expected a positive duration like 500ms, 10s or 1m", raw.single());
  }
}
