package dev.logstream.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.agent.PrometheusText.Sample;
import dev.logstream.agent.PrometheusText.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  @Test
  void family_counterWithLabelSets_writesHelpTypeOnceThenEverySample() {
    Map<String, String> first = new LinkedHashMap<>();
    first.put("reason", "peer_closed");
    first.put("transport", "tcp");
    String text =
        new PrometheusText()
            .family(
                "logstream_x_closed_total",
                Type.COUNTER,
                "Connections closed.",
                List.of(
                    Sample.of(first, 3),
                    Sample.of(Map.of("reason", "limit"), 9_007_199_254_740_993L)))
            .family("logstream_x_open", Type.GAUGE, "Open now.", List.of(Sample.of(2)))
            .text();
    assertThat(text)
        .isEqualTo(
            "# HELP logstream_x_closed_total Connections closed.\n"
                + "# TYPE logstream_x_closed_total counter\n"
                + "logstream_x_closed_total{reason=\"peer_closed\",transport=\"tcp\"} 3\n"
                + "logstream_x_closed_total{reason=\"limit\"} 9007199254740993\n"
                + "# HELP logstream_x_open Open now.\n"
                + "# TYPE logstream_x_open gauge\n"
                + "logstream_x_open 2\n");
  }

  @Test
  void family_labelValueWithBackslashQuoteNewline_isEscaped() {
    String text =
        new PrometheusText()
            .family("m", Type.GAUGE, "h", List.of(Sample.of(Map.of("code", "a\\b\"c\nd"), 1)))
            .text();
    assertThat(text).endsWith("m{code=\"a\\\\b\\\"c\\nd\"} 1\n");
  }

  @Test
  void family_helpWithBackslashAndNewline_isEscapedButQuotesStay() {
    String text = new PrometheusText().family("m", Type.GAUGE, "a \"b\" c\\d\ne", List.of()).text();
    assertThat(text).isEqualTo("# HELP m a \"b\" c\\\\d\\ne\n# TYPE m gauge\n");
  }

  @Test
  void render_specialAndFractionalValues_followTheFormat() {
    assertThat(PrometheusText.render(Double.NaN)).isEqualTo("NaN");
    assertThat(PrometheusText.render(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    assertThat(PrometheusText.render(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
    assertThat(PrometheusText.render(0.25)).isEqualTo("0.25");
    assertThat(PrometheusText.render(3.0)).isEqualTo("3");
    assertThat(PrometheusText.render(-0.0)).isEqualTo("0");
    assertThat(PrometheusText.render(1.5e-9)).isEqualTo("1.5E-9");
  }

  @Test
  void family_summary_writesSumAndCountSamples() {
    String text =
        new PrometheusText()
            .family(
                "lat_seconds",
                Type.SUMMARY,
                "Latency.",
                List.of(new Sample("_sum", Map.of(), "1.5"), new Sample("_count", Map.of(), "4")))
            .text();
    assertThat(text)
        .isEqualTo(
            "# HELP lat_seconds Latency.\n"
                + "# TYPE lat_seconds summary\n"
                + "lat_seconds_sum 1.5\n"
                + "lat_seconds_count 4\n");
  }

  @Test
  void family_writtenTwice_fails() {
    PrometheusText out = new PrometheusText().family("m", Type.GAUGE, "h", List.of());
    assertThatThrownBy(() -> out.family("m", Type.GAUGE, "h", List.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("family already written: m");
  }

  @Test
  void family_badNames_fail() {
    PrometheusText out = new PrometheusText();
    assertThatThrownBy(() -> out.family("1m", Type.GAUGE, "h", List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metric name is not valid: '1m'");
    assertThatThrownBy(() -> out.family("m", Type.COUNTER, "h", List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("counter name must end in _total: 'm'");
    assertThatThrownBy(() -> Sample.of(Map.of("a-b", "v"), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("label name is not valid: 'a-b'");
    assertThatThrownBy(
            () -> out.family("g", Type.GAUGE, "h", List.of(new Sample("_sum", Map.of(), "1"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sample suffix '_sum' does not fit a gauge: g");
  }
}
