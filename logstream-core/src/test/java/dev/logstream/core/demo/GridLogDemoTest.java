package dev.logstream.core.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logstream.core.LogstreamException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class GridLogDemoTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2015-12-04T13:39:27.5Z"), ZoneOffset.UTC);

  private String run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new GridLogDemo(new PrintStream(bytes, true, StandardCharsets.UTF_8), CLOCK)
        .run(DemoOptions.parse(args));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void run_seedExample_printsTagParametersAndAValidRecord() throws Exception {
    String output = run();

    assertThat(output)
        .contains("tag                   grid.devel/www-data/redis-test:devel/www-data/redis-test")
        .contains("log-driver = fluentd")
        .contains("log-opt    = tag=grid.devel/www-data/redis-test:devel/www-data/redis-test")
        .contains("docker run --log-driver=fluentd")
        .contains("{\"Type\":\"fluentd\",\"Config\":{")
        .contains("same tag and fields; time in whole seconds, the seed's format")
        .contains("shards                6 (bound by RECORDS)");
    String data =
        output.lines().filter(line -> line.startsWith("   data ")).findFirst().orElseThrow();
    JsonNode record = new ObjectMapper().readTree(data.substring(data.indexOf('{')));
    assertThat(record.get("time").asText()).isEqualTo("2015-12-04T13:39:27Z");
    assertThat(record.get("tag").asText())
        .isEqualTo("grid.devel/www-data/redis-test:devel/www-data/redis-test");
  }

  @Test
  void run_otherApp_usesItsIds() {
    assertThat(run("--manifest", "prod/api/web", "--app", "prod/api/worker"))
        .contains("grid.prod/api/web:prod/api/worker");
  }

  @Test
  void run_badAppId_failsWithTheTagRule() {
    assertThatThrownBy(() -> run("--app", "x"))
        .isInstanceOf(LogstreamException.class)
        .hasMessage("id 'x' must have 3 segments role/env/name");
  }

  @Test
  void parse_unknownFlag_namesItAndTheKnownOnes() {
    assertThatThrownBy(() -> DemoOptions.parse("--bogus", "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown option '--bogus' (known: --manifest, --app, --opts, --lines-per-second,"
                + " --bytes-per-line)");
  }

  @Test
  void parse_flagWithoutValue_isRejected() {
    assertThatThrownBy(() -> DemoOptions.parse("--app")).hasMessage("--app needs a value");
  }

  @Test
  void parse_notANumber_namesTheFlag() {
    assertThatThrownBy(() -> DemoOptions.parse("--lines-per-second", "many"))
        .hasMessage("--lines-per-second must be a whole number, got 'many'");
  }

  @Test
  void parse_negativeLoad_isRejected() {
    assertThatThrownBy(() -> DemoOptions.parse("--bytes-per-line", "-1"))
        .hasMessage("--bytes-per-line must be >= 0, got -1");
  }
}
