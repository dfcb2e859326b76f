package dev.logstream.core.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.core.tag.GridId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LogstreamSettingsTest {

  private static final GridId SEED_ID = GridId.parse("devel/www-data/redis-test");
  private static final String SEED_OPTS = "fluentd-address=127.0.0.1:24224,fluentd-async=true";
  private static final String SEED_TAG = "grid.devel/www-data/redis-test:devel/www-data/redis-test";

  private static LogstreamSettings fluentd(String opts) {
    return LogstreamSettings.builder()
        .enabled(true)
        .opts(LogstreamSettings.parseOpts(opts))
        .build();
  }

  private static void assertRejected(String opts, String message) {
    assertThatThrownBy(() -> fluentd(opts))
        .isInstanceOf(InvalidLogOptionException.class)
        .hasMessage(message);
  }

  private static void assertAccepted(String opts) {
    assertThat(fluentd(opts).opts()).isEqualTo(LogstreamSettings.parseOpts(opts));
  }

  // --- the seed example in all three forms ---------------------------------------------------

  @Test
  void logConfigFor_seedExample_appendsTheTagLast() {
    DockerLogConfig config = fluentd(SEED_OPTS).logConfigFor(SEED_ID, SEED_ID).orElseThrow();

    assertThat(config.driver()).isEqualTo("fluentd");
    assertThat(config.options())
        .containsExactly(
            Map.entry("fluentd-address", "127.0.0.1:24224"),
            Map.entry("fluentd-async", "true"),
            Map.entry("tag", SEED_TAG));
  }

  @Test
  void toMesosParameters_seedExample_isDriverThenOneLogOptPerOption() {
    DockerLogConfig config = fluentd(SEED_OPTS).logConfigFor(SEED_ID, SEED_ID).orElseThrow();

    assertThat(config.toMesosParameters())
        .containsExactly(
            new DockerParameter("log-driver", "fluentd"),
            new DockerParameter("log-opt", "fluentd-address=127.0.0.1:24224"),
            new DockerParameter("log-opt", "fluentd-async=true"),
            new DockerParameter("log-opt", "tag=" + SEED_TAG));
  }

  @Test
  void toDockerRunArgs_seedExample_isOneArgvEntryPerElement() {
    DockerLogConfig config = fluentd(SEED_OPTS).logConfigFor(SEED_ID, SEED_ID).orElseThrow();

    assertThat(config.toDockerRunArgs())
        .containsExactly(
            "--log-driver=fluentd",
            "--log-opt",
            "fluentd-address=127.0.0.1:24224",
            "--log-opt",
            "fluentd-async=true",
            "--log-opt",
            "tag=" + SEED_TAG);
  }

  @Test
  void toEngineApiJson_seedExample_isTheHostConfigLogConfigObject() {
    DockerLogConfig config = fluentd(SEED_OPTS).logConfigFor(SEED_ID, SEED_ID).orElseThrow();

    assertThat(config.toEngineApiJson())
        .isEqualTo(
            "{\"Type\":\"fluentd\",\"Config\":{\"fluentd-address\":\"127.0.0.1:24224\","
                + "\"fluentd-async\":\"true\",\"tag\":\""
                + SEED_TAG
                + "\"}}");
  }

  @Test
  void toEngineApiJson_oddValues_areEscaped() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("env", "A\"B\\C\nD\tE\u0001F");
    options.put("labels", "caf\u00e9 \uD83D\uDE00 </script>");
    DockerLogConfig config = new DockerLogConfig("my\"driver", options);

    assertThat(config.toEngineApiJson())
        .isEqualTo(
            "{\"Type\":\"my\\\"driver\",\"Config\":{"
                + "\"env\":\"A\\\"B\\\\C\\nD\\tE\\u0001F\","
                + "\"labels\":\"caf\u00e9 \uD83D\uDE00 </script>\"}}");
  }

  @Test
  void toEngineApiJson_noOptions_hasAnEmptyConfig() {
    assertThat(new DockerLogConfig("json-file", Map.of()).toEngineApiJson())
        .isEqualTo("{\"Type\":\"json-file\",\"Config\":{}}");
  }

  @Test
  void dockerLogConfig_options_areACopyThatCannotChange() {
    Map<String, String> options = new LinkedHashMap<>(Map.of("env", "A"));
    DockerLogConfig config = new DockerLogConfig("fluentd", options);
    options.put("labels", "b");

    assertThat(config.options()).containsExactly(Map.entry("env", "A"));
    assertThatThrownBy(() -> config.options().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void dockerLogConfig_nullOptionValue_namesTheKey() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("env", null);

    assertThatThrownBy(() -> new DockerLogConfig("fluentd", options))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("env");
  }

  @Test
  void logConfigFor_configuredPrefix_isUsedInTheTag() {
    LogstreamSettings settings =
        LogstreamSettings.builder().enabled(true).tagPrefix("acme.grid").build();

    DockerLogConfig config =
        settings.logConfigFor(SEED_ID, GridId.parse("prod/api/web")).orElseThrow();

    assertThat(config.options())
        .containsExactly(Map.entry("tag", "acme.grid.devel/www-data/redis-test:prod/api/web"));
    assertThat(settings.tagPrefix()).isEqualTo("acme.grid");
  }

  // --- disabled -----------------------------------------------------------------------------

  @Test
  void logConfigFor_disabled_isEmpty() {
    LogstreamSettings settings =
        LogstreamSettings.builder()
            .enabled(false)
            .opts(LogstreamSettings.parseOpts(SEED_OPTS))
            .build();

    assertThat(settings.logConfigFor(SEED_ID, SEED_ID)).isEmpty();
  }

  @Test
  void builder_defaults_areDisabledFluentdGridAndNoOptions() {
    LogstreamSettings settings = LogstreamSettings.builder().build();

    assertThat(settings.enabled()).isFalse();
    assertThat(settings.driver()).isEqualTo("fluentd");
    assertThat(settings.tagPrefix()).isEqualTo("grid");
    assertThat(settings.opts()).isEmpty();
    assertThat(settings.logConfigFor(SEED_ID, SEED_ID)).isEmpty();
  }

  @Test
  void build_disabledWithBadOption_stillFails() {
    assertThatThrownBy(
            () ->
                LogstreamSettings.builder()
                    .opts(LogstreamSettings.parseOpts("fluentd-async=yes"))
                    .build())
        .isInstanceOf(InvalidLogOptionException.class)
        .hasMessage("log-opt fluentd-async 'yes' is not a boolean (use true or false)");
  }

  // --- parseOpts ----------------------------------------------------------------------------

  @Test
  void parseOpts_entries_keepTheirOrder() {
    assertThat(LogstreamSettings.parseOpts("b=1,a=2,c=3"))
        .containsExactly(Map.entry("b", "1"), Map.entry("a", "2"), Map.entry("c", "3"));
  }

  @Test
  void parseOpts_emptyString_isNoOptions() {
    assertThat(LogstreamSettings.parseOpts("")).isEmpty();
  }

  @Test
  void parseOpts_equalsInValue_splitsAtTheFirstEquals() {
    assertThat(LogstreamSettings.parseOpts("env-regex=^A=B$"))
        .containsExactly(Map.entry("env-regex", "^A=B$"));
  }

  @Test
  void parseOpts_emptyValue_isKept() {
    assertThat(LogstreamSettings.parseOpts("fluentd-async=")).containsEntry("fluentd-async", "");
  }

  @Test
  void parseOpts_emptyEntry_namesItsPosition() {
    assertThatThrownBy(() -> LogstreamSettings.parseOpts("a=1,,b=2"))
        .isInstanceOf(InvalidLogOptionException.class)
        .hasMessage("log-opts entry 2 of 'a=1,,b=2' is empty");
  }

  @Test
  void parseOpts_trailingComma_isAnEmptyEntry() {
    assertThatThrownBy(() -> LogstreamSettings.parseOpts("a=1,"))
        .hasMessage("log-opts entry 2 of 'a=1,' is empty");
  }

  @Test
  void parseOpts_entryWithoutEquals_isRejected() {
    assertThatThrownBy(() -> LogstreamSettings.parseOpts("a=1,labels"))
        .isInstanceOf(InvalidLogOptionException.class)
        .hasMessage("log-opts entry 'labels' of 'a=1,labels' has no '=' (use key=value)");
  }

  @Test
  void parseOpts_emptyKey_isRejected() {
    assertThatThrownBy(() -> LogstreamSettings.parseOpts("=v"))
        .hasMessage("log-opts entry '=v' of '=v' has an empty key");
  }

  @Test
  void parseOpts_duplicateKey_isRejected() {
    assertThatThrownBy(() -> LogstreamSettings.parseOpts("env=A,env=B"))
        .hasMessage("log-opts key 'env' of 'env=A,env=B' is given twice");
  }

  @Test
  void parseOpts_result_isUnmodifiable() {
    assertThatThrownBy(() -> LogstreamSettings.parseOpts("a=1").put("b", "2"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  // --- builder misuse -----------------------------------------------------------------------

  @Test
  void builder_enabledSetTwice_isRejected() {
    LogstreamSettings.Builder builder = LogstreamSettings.builder().enabled(true);

    assertThatThrownBy(() -> builder.enabled(false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("enabled was already set to true");
  }

  @Test
  void builder_driverSetTwice_isRejected() {
    LogstreamSettings.Builder builder = LogstreamSettings.builder().driver("fluentd");

    assertThatThrownBy(() -> builder.driver("syslog"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("driver was already set to fluentd");
  }

  @Test
  void builder_optsSetTwice_isRejected() {
    LogstreamSettings.Builder builder = LogstreamSettings.builder().opts(Map.of("env", "A"));

    assertThatThrownBy(() -> builder.opts(Map.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("opts was already set to {env=A}");
  }

  @Test
  void builder_tagPrefixSetTwice_isRejected() {
    LogstreamSettings.Builder builder = LogstreamSettings.builder().tagPrefix("grid");

    assertThatThrownBy(() -> builder.tagPrefix("acme"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("tagPrefix was already set to grid");
  }

  @Test
  void builder_invalidTagPrefix_namesTheOptionAndValue() {
    assertThatThrownBy(() -> LogstreamSettings.builder().tagPrefix("grid/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "tagPrefix is invalid: prefix 'grid/x' contains '/'"
                + " (allowed: letters, digits, '-', '_', and '.' between words)");
  }

  @Test
  void builder_emptyDriver_isRejected() {
    assertThatThrownBy(() -> LogstreamSettings.builder().driver(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driver '' is empty");
  }

  @Test
  void builder_driverWithSpace_isRejected() {
    assertThatThrownBy(() -> LogstreamSettings.builder().driver("flu entd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "driver 'flu entd' contains ' ' (allowed: letters, digits, '-', '_', '.', '/', ':', '@')");
  }

  @Test
  void builder_pluginDriverName_isAccepted() {
    assertThat(
            LogstreamSettings.builder()
                .driver("grafana/loki-docker-driver:latest")
                .build()
                .driver())
        .isEqualTo("grafana/loki-docker-driver:latest");
  }

  @Test
  void builder_keyWithSpace_isRejectedWhenSet() {
    assertThatThrownBy(() -> LogstreamSettings.builder().opts(Map.of(" env", "A")))
        .isInstanceOf(InvalidLogOptionException.class)
        .hasMessage("log-opt key ' env' contains ' ' (allowed: letters, digits, '-', '_', '.')");
  }

  @Test
  void builder_emptyKey_isRejectedWhenSet() {
    assertThatThrownBy(() -> LogstreamSettings.builder().opts(Map.of("", "A")))
        .isInstanceOf(InvalidLogOptionException.class)
        .hasMessage("log-opt key '' is empty");
  }

  @Test
  void builder_optsMapWithCommaInValue_isAccepted() {
    LogstreamSettings settings =
        LogstreamSettings.builder().opts(Map.of("labels", "team,service")).build();

    assertThat(settings.opts()).containsExactly(Map.entry("labels", "team,service"));
  }

  // --- tag conflict and dockerd's options for every driver -----------------------------------

  @Test
  void build_tagOption_conflictsWithTheComputedTag() {
    assertRejected(
        "tag={{.Name}}",
        "log-opt tag '{{.Name}}' conflicts with the tag logstream computes,"
            + " 'grid.<manifest-id>:<app-id>'; remove it from the options");
  }

  @Test
  void build_tagOptionWithOtherDriver_conflictsToo() {
    assertThatThrownBy(
            () ->
                LogstreamSettings.builder()
                    .driver("syslog")
                    .tagPrefix("acme")
                    .opts(Map.of("tag", "x"))
                    .build())
        .isInstanceOf(InvalidLogOptionException.class)
        .hasMessage(
            "log-opt tag 'x' conflicts with the tag logstream computes,"
                + " 'acme.<manifest-id>:<app-id>'; remove it from the options");
  }

  @Test
  void build_unknownMode_isRejected() {
    assertRejected("mode=fast", "log-opt mode 'fast' must be blocking or non-blocking");
  }

  @Test
  void build_modes_areAccepted() {
    assertAccepted("mode=blocking");
    assertAccepted("mode=non-blocking,max-buffer-size=4m");
  }

  @Test
  void build_maxBufferSizeWithoutNonBlocking_isRejected() {
    assertRejected("max-buffer-size=4m", "log-opt max-buffer-size '4m' requires mode=non-blocking");
  }

  @Test
  void build_badMaxBufferSize_isRejected() {
    assertRejected(
        "mode=non-blocking,max-buffer-size=4x",
        "log-opt max-buffer-size '4x' is not a size"
            + " (invalid suffix 'x'; use e.g. 1048576, 64k, 8m, 1.5MB)");
  }

  @Test
  void build_otherDriver_passesUnknownKeysAndValuesThrough() {
    LogstreamSettings settings =
        LogstreamSettings.builder()
            .enabled(true)
            .driver("syslog")
            .opts(LogstreamSettings.parseOpts("syslog-address=udp://1.2.3.4:514,whatever=x y"))
            .build();

    assertThat(settings.logConfigFor(SEED_ID, SEED_ID).orElseThrow().toMesosParameters())
        .containsExactly(
            new DockerParameter("log-driver", "syslog"),
            new DockerParameter("log-opt", "syslog-address=udp://1.2.3.4:514"),
            new DockerParameter("log-opt", "whatever=x y"),
            new DockerParameter("log-opt", "tag=" + SEED_TAG));
  }

  // --- fluentd keys -------------------------------------------------------------------------

  @Test
  void build_unknownFluentdKey_usesDockerdsWords() {
    assertRejected(
        "fluentd-async-connect=true",
        "unknown log opt 'fluentd-async-connect' for fluentd log driver");
  }

  @Test
  void build_everyFluentdKey_isAccepted() {
    assertAccepted(
        "env=A,env-regex=^A,labels=l,labels-regex=^l,fluentd-address=tcp://fluentd:24224,"
            + "fluentd-async=true,fluentd-async-reconnect-interval=1s,fluentd-buffer-limit=8m,"
            + "fluentd-max-retries=30,fluentd-request-ack=true,fluentd-retry-wait=1s,"
            + "fluentd-sub-second-precision=true,fluentd-write-timeout=5s,"
            + "fluentd-read-timeout=5s");
  }

  @Test
  void build_emptyFluentdValues_meanDefaultAsInDockerd() {
    assertAccepted("fluentd-address=,fluentd-async=,fluentd-buffer-limit=,fluentd-max-retries=");
  }

  // --- booleans -----------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"fluentd-async", "fluentd-request-ack", "fluentd-sub-second-precision"})
  void build_booleanOptionWithYes_isNotABoolean(String key) {
    assertRejected(key + "=yes", "log-opt " + key + " 'yes' is not a boolean (use true or false)");
  }

  @Test
  void build_goBooleanSpellings_areAccepted() {
    assertAccepted("fluentd-async=T,fluentd-request-ack=0,fluentd-sub-second-precision=FALSE");
  }

  // --- durations ----------------------------------------------------------------------------

  @Test
  void build_durationWithoutUnit_isRejected() {
    assertRejected(
        "fluentd-retry-wait=5",
        "log-opt fluentd-retry-wait '5' is not a duration"
            + " (missing unit; use e.g. 500ms, 1s, 1m30s)");
  }

  @Test
  void build_durationWithUnknownUnit_isRejected() {
    assertRejected(
        "fluentd-write-timeout=5sec",
        "log-opt fluentd-write-timeout '5sec' is not a duration"
            + " (unknown unit 'sec'; use e.g. 500ms, 1s, 1m30s)");
  }

  @Test
  void build_negativeReadTimeout_isRejected() {
    assertRejected(
        "fluentd-read-timeout=-1s", "log-opt fluentd-read-timeout '-1s' must not be negative");
  }

  @Test
  void build_negativeRetryWait_isRejected() {
    assertRejected(
        "fluentd-retry-wait=-1s", "log-opt fluentd-retry-wait '-1s' must not be negative");
  }

  @ParameterizedTest
  @ValueSource(strings = {"99ms", "11s", "-1s", "10.001s"})
  void build_reconnectIntervalOutOfRange_isRejected(String interval) {
    assertRejected(
        "fluentd-async-reconnect-interval=" + interval,
        "log-opt fluentd-async-reconnect-interval '"
            + interval
            + "' must be 0 or between 100ms and 10s");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "0s", "100ms", "10s", "1.5s", "0m1s"})
  void build_reconnectIntervalInRange_isAccepted(String interval) {
    assertAccepted("fluentd-async-reconnect-interval=" + interval);
  }

  @Test
  void build_reconnectIntervalWithoutUnit_isNotADuration() {
    assertRejected(
        "fluentd-async-reconnect-interval=1",
        "log-opt fluentd-async-reconnect-interval '1' is not a duration"
            + " (missing unit; use e.g. 500ms, 1s, 1m30s)");
  }

  // --- sizes and counts ---------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"1048576", "8m", "1.5MB", "64k", "64KiB", "1 kb"})
  void build_bufferLimitSizes_areAccepted(String size) {
    assertAccepted("fluentd-buffer-limit=" + size);
  }

  @Test
  void build_bufferLimitWithBadSuffix_isRejected() {
    assertRejected(
        "fluentd-buffer-limit=8x",
        "log-opt fluentd-buffer-limit '8x' is not a size"
            + " (invalid suffix 'x'; use e.g. 1048576, 64k, 8m, 1.5MB)");
  }

  @Test
  void build_negativeBufferLimit_isRejected() {
    assertRejected(
        "fluentd-buffer-limit=-1",
        "log-opt fluentd-buffer-limit '-1' is not a size"
            + " (negative; use e.g. 1048576, 64k, 8m, 1.5MB)");
  }

  @Test
  void build_bufferLimitAboveIntRange_isRejected() {
    assertRejected(
        "fluentd-buffer-limit=2g",
        "log-opt fluentd-buffer-limit '2g' is 2147483648, larger than 2147483647");
  }

  @Test
  void build_maxRetriesAtTheCap_isAccepted() {
    assertAccepted("fluentd-max-retries=2147483647");
    assertAccepted("fluentd-max-retries=0");
  }

  @Test
  void build_maxRetriesAboveTheCap_isRejected() {
    assertRejected(
        "fluentd-max-retries=2147483648",
        "log-opt fluentd-max-retries '2147483648' is larger than 2147483647");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "+3", "3.0", "three"})
  void build_maxRetriesNotANumber_isRejected(String retries) {
    assertRejected(
        "fluentd-max-retries=" + retries,
        "log-opt fluentd-max-retries '" + retries + "' is not a non-negative integer");
  }

  // --- regexes ------------------------------------------------------------------------------

  @Test
  void build_envRegexThatDoesNotCompile_isRejected() {
    assertRejected(
        "env-regex=(", "log-opt env-regex '(' is not a valid regular expression: Unclosed group");
  }

  @Test
  void build_labelsRegexThatDoesNotCompile_isRejected() {
    assertRejected(
        "labels-regex=*x",
        "log-opt labels-regex '*x' is not a valid regular expression: Dangling meta character '*'");
  }

  // --- fluentd-address ----------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1:24224",
        "fluentd",
        ":24224",
        "fluentd.internal:1",
        "tcp://fluentd:65535",
        "tcp://",
        "tcp://:",
        "TCP://fluentd:24224",
        "tls://fluentd.example.com:24224",
        "[::1]:24224",
        "tcp://[fe80::1]",
        "unix:///var/run/fluentd.sock",
        "unix:///some/socket.sock:80"
      })
  void build_validAddresses_areAccepted(String address) {
    assertAccepted("fluentd-address=" + address);
  }

  @Test
  void build_addressWithUnsupportedScheme_isRejected() {
    assertRejected(
        "fluentd-address=udp://fluentd:24224",
        "log-opt fluentd-address 'udp://fluentd:24224' has unsupported scheme 'udp'"
            + " (use tcp://, tls:// or unix://)");
  }

  @Test
  void build_addressWithoutScheme_isRejected() {
    assertRejected(
        "fluentd-address=://fluentd",
        "log-opt fluentd-address '://fluentd' has no scheme before '://'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp://fluentd:24224/", "tls://fluentd:24224/x", "fluentd:24224/x"})
  void build_tcpAddressWithPath_isRejected(String address) {
    assertRejected(
        "fluentd-address=" + address,
        "log-opt fluentd-address '" + address + "' must not contain a path");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "65536", "port", "-1", "99999999999"})
  void build_addressWithBadPort_isRejected(String port) {
    assertRejected(
        "fluentd-address=tcp://fluentd:" + port,
        "log-opt fluentd-address 'tcp://fluentd:"
            + port
            + "' has invalid port '"
            + port
            + "' (use 1..65535)");
  }

  @Test
  void build_addressWithSpaceInHost_isRejected() {
    assertRejected(
        "fluentd-address=flu entd:24224",
        "log-opt fluentd-address 'flu entd:24224' has invalid host 'flu entd'");
  }

  @Test
  void build_unbracketedIpv6_isRejected() {
    assertRejected(
        "fluentd-address=::1:24224", "log-opt fluentd-address '::1:24224' has invalid host '::1'");
  }

  @Test
  void build_badBracketedHost_isRejected() {
    assertRejected(
        "fluentd-address=[fluentd]:24224",
        "log-opt fluentd-address '[fluentd]:24224' has invalid host '[fluentd]'");
  }

  @Test
  void build_unterminatedBracket_isRejected() {
    assertRejected(
        "fluentd-address=[::1:24224",
        "log-opt fluentd-address '[::1:24224' has invalid host '[::1:24224'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"unix://", "unix:///", "unix:////"})
  void build_unixAddressWithoutPath_isRejected(String address) {
    assertRejected(
        "fluentd-address=" + address,
        "log-opt fluentd-address '" + address + "' has an empty socket path");
  }

  @Test
  void build_relativeUnixPath_isRejected() {
    assertRejected(
        "fluentd-address=unix://run/fluentd.sock",
        "log-opt fluentd-address 'unix://run/fluentd.sock' must be unix:///absolute/path");
  }

  @Test
  void build_firstBadOption_inOptionOrder_isReported() {
    assertRejected(
        "fluentd-async=maybe,fluentd-retry-wait=5",
        "log-opt fluentd-async 'maybe' is not a boolean (use true or false)");
  }

  @Test
  void toMesosParameters_result_isUnmodifiable() {
    List<DockerParameter> parameters = new DockerLogConfig("fluentd", Map.of()).toMesosParameters();

    assertThatThrownBy(() -> parameters.add(new DockerParameter("a", "b")))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
