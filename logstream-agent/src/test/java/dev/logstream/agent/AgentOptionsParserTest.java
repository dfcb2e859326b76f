package dev.logstream.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.agent.AgentOptions.SinkKind;
import dev.logstream.buffer.Durability;
import dev.logstream.buffer.OverflowPolicy;
import dev.logstream.forward.ListenAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentOptionsParserTest {

  @TempDir Path dir;

  private AgentOptions parse(String... extra) {
    List<String> args = new ArrayList<>(List.of("--buffer-dir", dir.toString()));
    if (!List.of(extra).contains("--sink")) {
      args.add("--sink=discard");
    }
    args.addAll(List.of(extra));
    return AgentOptionsParser.parse(args.toArray(String[]::new));
  }

  @Test
  void parse_onlyRequired_givesTheDefaults() {
    AgentOptions o = AgentOptionsParser.parse("--buffer-dir", dir.toString(), "--stream", "logs");
    assertThat(o.listen()).containsExactly(ListenAddress.parse("tcp://127.0.0.1:24224"));
    assertThat(o.bufferDir()).isEqualTo(dir);
    assertThat(o.segmentSize()).isEqualTo(16 << 20);
    assertThat(o.maxSegments()).isEqualTo(128);
    assertThat(o.fsync()).isEqualTo(Durability.interval(Duration.ofSeconds(1)));
    assertThat(o.overflow()).isEqualTo(OverflowPolicy.block());
    assertThat(o.sink()).isEqualTo(SinkKind.KINESIS);
    assertThat(o.stream()).contains("logs");
    assertThat(o.region()).isEmpty();
    assertThat(o.endpoint()).isEmpty();
    assertThat(o.cbor()).isTrue();
    assertThat(o.aggregate()).isFalse();
    assertThat(o.partitionKey()).isEqualTo("random");
    assertThat(o.maxRetries()).isEqualTo(16);
    assertThat(o.retryPolicy().maxAttempts()).isEqualTo(17);
    assertThat(o.sharedKey()).isEmpty();
    assertThat(o.tlsCert()).isEmpty();
    assertThat(o.tagPrefix()).isEqualTo("grid");
    assertThat(o.reassemblePartials()).isFalse();
    assertThat(o.http()).isEmpty();
    assertThat(o.config()).isEmpty();
    assertThat(o.progressInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.help()).isFalse();
  }

  @Test
  void parse_everyFlag_inBothSpellings() throws IOException {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
    Path key = Files.writeString(dir.resolve("key.pem"), "x");
    AgentOptions o =
        AgentOptionsParser.parse(
            "--listen=tcp://0.0.0.0:24224",
            "--listen",
            "tls://0.0.0.0:24225",
            "--listen",
            "unix:///run/ls.sock",
            "--buffer-dir=" + dir,
            "--segment-size",
            "64KiB",
            "--max-segments=4",
            "--fsync",
            "500ms",
            "--overflow=drop-oldest",
            "--sink",
            "kinesis",
            "--stream=logs",
            "--region",
            "eu-west-1",
            "--endpoint=http://127.0.0.1:4567",
            "--no-cbor",
            "--aggregate",
            "--partition-key",
            "field:container_id",
            "--max-retries=0",
            "--shared-key",
            "s3cret",
            "--tls-cert",
            cert.toString(),
            "--tls-key=" + key,
            "--tag-prefix",
            "docker",
            "--reassemble-partials",
            "--http=[::1]:9090",
            "--progress-interval",
            "1m");
    assertThat(o.listen())
        .extracting(ListenAddress::toString)
        .containsExactly("tcp://0.0.0.0:24224", "tls://0.0.0.0:24225", "unix:///run/ls.sock");
    assertThat(o.segmentSize()).isEqualTo(64 << 10);
    assertThat(o.maxSegments()).isEqualTo(4);
    assertThat(o.fsync()).isEqualTo(Durability.interval(Duration.ofMillis(500)));
    assertThat(o.overflow()).isEqualTo(OverflowPolicy.dropOldest());
    assertThat(o.region()).contains("eu-west-1");
    assertThat(o.endpoint()).contains(URI.create("http://127.0.0.1:4567"));
    assertThat(o.cbor()).isFalse();
    assertThat(o.aggregate()).isTrue();
    assertThat(o.partitionKey()).isEqualTo("field:container_id");
    assertThat(o.retryPolicy().maxAttempts()).isEqualTo(1);
    assertThat(o.sharedKey()).contains("s3cret");
    assertThat(o.tlsCert()).contains(cert);
    assertThat(o.tlsKey()).contains(key);
    assertThat(o.tagPrefix()).isEqualTo("docker");
    assertThat(o.reassemblePartials()).isTrue();
    assertThat(o.http()).contains(InetSocketAddress.createUnresolved("::1", 9090));
    assertThat(o.progressInterval()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void parse_sizeSuffixes_areBinary() {
    assertThat(parse("--segment-size=1m").segmentSize()).isEqualTo(1 << 20);
    assertThat(parse("--segment-size=1GiB").segmentSize()).isEqualTo(1 << 30);
    assertThat(parse("--segment-size=65536").segmentSize()).isEqualTo(65536);
    assertThat(parse("--fsync=always").fsync()).isEqualTo(Durability.always());
    assertThat(parse("--fsync=never").fsync()).isEqualTo(Durability.never());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--listen|ftp://x:1|--listen: expected tcp://host:port, tls://host:port or unix:///path,"
            + " got 'ftp://x:1'",
        "--listen|tls://0.0.0.0:1|--listen: 'tls://0.0.0.0:1' needs --tls-cert and --tls-key",
        "--segment-size|100000|--segment-size: expected a multiple of 4096 from 64KiB to 1GiB,"
            + " like 16MiB, got '100000'",
        "--segment-size|2g|--segment-size: expected a multiple of 4096 from 64KiB to 1GiB,"
            + " like 16MiB, got '2g'",
        "--max-segments|1|--max-segments: expected a whole number from 2 to 1000000, got '1'",
        "--max-segments|many|--max-segments: expected a whole number from 2 to 1000000,"
            + " got 'many'",
        "--fsync|sometimes|--fsync: expected never, always or a duration like 500ms,"
            + " got 'sometimes'",
        "--overflow|spill|--overflow: expected block, reject or drop-oldest, got 'spill'",
        "--sink|kafka|--sink: expected kinesis, stdout or discard, got 'kafka'",
        "--stream|no spaces|--stream: expected a stream name or a stream ARN, got 'no spaces'",
        "--region|Europe|--region: expected a region like eu-west-1, got 'Europe'",
        "--endpoint|localhost:4567|--endpoint: expected an http or https URL like"
            + " http://127.0.0.1:4567, got 'localhost:4567'",
        "--partition-key|field:|--partition-key: expected random, tag or field:NAME,"
            + " got 'field:'",
        "--max-retries|-1|--max-retries: expected a whole number from 0 to 10000, got '-1'",
        "--shared-key|''|--shared-key: expected a non-empty key, got ''",
        "--tls-cert|/nonexistent.pem|--tls-cert: expected a readable file, got"
            + " '/nonexistent.pem'",
        "--tls-key|/nonexistent.pem|--tls-key: expected a readable file, got '/nonexistent.pem'",
        "--http|9090|--http: expected HOST:PORT like 127.0.0.1:9090 (port 0 to 65535),"
            + " got '9090'",
        "--http|localhost:70000|--http: expected HOST:PORT like 127.0.0.1:9090 (port 0 to"
            + " 65535), got 'localhost:70000'",
        "--progress-interval|0s|--progress-interval: expected a positive duration like 500ms,"
            + " 10s or 1m, got '0s'",
        "--config|/nonexistent.yaml|--config: no readable file, got '/nonexistent.yaml'",
        "--no-cbor=maybe||--no-cbor: expected true or false, got 'maybe'",
      })
  void parse_badValue_namesTheFlagAndTheValue(String flag, String value, String message) {
    String[] extra =
        flag.contains("=") ? new String[] {flag} : new String[] {flag, value == null ? "" : value};
    assertThatThrownBy(() -> parse(extra))
        .isInstanceOf(AgentOptionsException.class)
        .hasMessage(message);
  }

  @Test
  void parse_badTagPrefix_namesTheFlagAndTheValue() {
    assertThatThrownBy(() -> parse("--tag-prefix", "a b"))
        .isInstanceOf(AgentOptionsException.class)
        .hasMessageStartingWith("--tag-prefix: expected a tag prefix like grid (")
        .hasMessageEndingWith("), got 'a b'");
  }

  @Test
  void parse_structuralErrors_areNamed() throws IOException {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
    assertThatThrownBy(() -> AgentOptionsParser.parse("--sink", "discard"))
        .hasMessage("--buffer-dir is required");
    assertThatThrownBy(() -> AgentOptionsParser.parse("--buffer-dir", dir.toString()))
        .hasMessage("--stream is required with --sink kinesis (the default)");
    assertThatThrownBy(() -> parse("--verbose")).hasMessage("unknown flag '--verbose'");
    assertThatThrownBy(() -> parse("stray"))
        .hasMessage("unexpected argument 'stray': options start with --");
    assertThatThrownBy(() -> parse("--stream")).hasMessage("--stream: needs a value (NAME)");
    assertThatThrownBy(() -> parse("--stream=a", "--stream=b"))
        .hasMessage("--stream: given twice ('a' and 'b')");
    assertThatThrownBy(() -> parse("--tls-cert", cert.toString()))
        .hasMessage("--tls-cert: needs --tls-key as well");
    Path file = Files.writeString(dir.resolve("f"), "x");
    assertThatThrownBy(
            () -> AgentOptionsParser.parse("--buffer-dir", file.toString(), "--sink=stdout"))
        .hasMessage("--buffer-dir: expected a directory, got '" + file + "'");
  }

  @Test
  void parse_help_skipsValidation() {
    assertThat(AgentOptionsParser.parse("--help", "--fsync", "sometimes").help()).isTrue();
  }

  @Test
  void usage_listsEveryFlagWithItsDefault() {
    String usage = AgentOptionsParser.usage();
    for (String flag :
        List.of(
            "--listen URI",
            "--buffer-dir DIR",
            "--segment-size SIZE",
            "--max-segments N",
            "--fsync never|always|DURATION",
            "--overflow block|reject|drop-oldest",
            "--stream NAME",
            "--region REGION",
            "--endpoint URL",
            "--no-cbor",
            "--aggregate",
            "--partition-key random|tag|field:NAME",
            "--max-retries N",
            "--shared-key KEY",
            "--tls-cert FILE",
            "--tls-key FILE",
            "--tag-prefix PREFIX",
            "--reassemble-partials",
            "--sink kinesis|stdout|discard",
            "--http HOST:PORT",
            "--config FILE",
            "--help")) {
      assertThat(usage).contains("  " + flag + " ");
    }
    assertThat(usage)
        .contains("[tcp://127.0.0.1:24224]")
        .contains("[16MiB]")
        .contains("(attempts = N + 1), 0 to 10000 [16]");
  }

  @Test
  void config_yaml_readsEveryKindOfValue() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("agent.yaml"),
            "buffer-dir: "
                + dir
                + "\n"
                + "listen: [tcp://0.0.0.0:24224, unix:///run/ls.sock]\n"
                + "sink: stdout\n"
                + "no-cbor: true\n"
                + "max-segments: 8\n"
                + "fsync: always\n"
                + "tag-prefix: docker\n");
    AgentOptions o = AgentOptionsParser.parse("--config", config.toString());
    assertThat(o.bufferDir()).isEqualTo(dir);
    assertThat(o.listen())
        .extracting(ListenAddress::toString)
        .containsExactly("tcp://0.0.0.0:24224", "unix:///run/ls.sock");
    assertThat(o.sink()).isEqualTo(SinkKind.STDOUT);
    assertThat(o.cbor()).isFalse();
    assertThat(o.maxSegments()).isEqualTo(8);
    assertThat(o.fsync()).isEqualTo(Durability.always());
    assertThat(o.tagPrefix()).isEqualTo("docker");
    assertThat(o.config()).isEqualTo(Optional.of(config));
  }

  @Test
  void config_json_readsTheSameKeys() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("agent.json"),
            "{\"buffer-dir\": \""
                + dir
                + "\", \"listen\": [\"tcp://0.0.0.0:1\"], \"stream\": \"logs\","
                + " \"aggregate\": true, \"max-retries\": 3}");
    AgentOptions o = AgentOptionsParser.parse("--config=" + config);
    assertThat(o.listen()).extracting(ListenAddress::port).containsExactly(1);
    assertThat(o.stream()).contains("logs");
    assertThat(o.aggregate()).isTrue();
    assertThat(o.maxRetries()).isEqualTo(3);
  }

  @Test
  void config_flagsOverrideTheFile() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("agent.yaml"),
            "buffer-dir: /nonexistent/ignored\nsink: stdout\nlisten: [tcp://0.0.0.0:1]\n");
    AgentOptions o =
        AgentOptionsParser.parse(
            "--config",
            config.toString(),
            "--buffer-dir",
            dir.toString(),
            "--sink=discard",
            "--listen",
            "tcp://127.0.0.1:2");
    assertThat(o.bufferDir()).isEqualTo(dir);
    assertThat(o.sink()).isEqualTo(SinkKind.DISCARD);
    assertThat(o.listen()).extracting(ListenAddress::port).containsExactly(2);
  }

  @Test
  void config_unknownKey_isAnErrorNamingIt() throws IOException {
    Path yaml = Files.writeString(dir.resolve("a.yaml"), "buffer-dir: /x\nbufer-size: 1\n");
    assertThatThrownBy(() -> AgentOptionsParser.parse("--config", yaml.toString()))
        .isInstanceOf(AgentOptionsException.class)
        .hasMessage(yaml + ": unknown key 'bufer-size'");
    Path json = Files.writeString(dir.resolve("a.json"), "{\"config\": \"other.yaml\"}");
    assertThatThrownBy(() -> AgentOptionsParser.parse("--config", json.toString()))
        .hasMessage(json + ": unknown key 'config'");
  }

  @Test
  void config_badValue_namesTheFileTheKeyAndTheValue() throws IOException {
    Path yaml =
        Files.writeString(dir.resolve("a.yaml"), "buffer-dir: " + dir + "\nfsync: sometimes\n");
    assertThatThrownBy(() -> AgentOptionsParser.parse("--config", yaml.toString(), "--sink=stdout"))
        .hasMessage(
            yaml + ": fsync: expected never, always or a duration like 500ms, got 'sometimes'");
    Path yes = Files.writeString(dir.resolve("b.yaml"), "no-cbor: yes please\n");
    assertThatThrownBy(() -> AgentOptionsParser.parse("--config", yes.toString()))
        .hasMessage(yes + ": no-cbor: expected true or false, got 'yes please'");
    Path list = Files.writeString(dir.resolve("c.yaml"), "stream: [a, b]\n");
    assertThatThrownBy(() -> AgentOptionsParser.parse("--config", list.toString()))
        .hasMessage(list + ": stream: expected a single value, got [\"a\",\"b\"]");
    Path broken = Files.writeString(dir.resolve("d.json"), "{\"stream\": ");
    assertThatThrownBy(() -> AgentOptionsParser.parse("--config", broken.toString()))
        .hasMessageStartingWith(broken + ": not valid YAML or JSON: ");
  }
}
