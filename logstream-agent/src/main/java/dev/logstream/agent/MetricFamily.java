package dev.logstream.agent;

import dev.logstream.agent.PrometheusText.Sample;
import dev.logstream.agent.PrometheusText.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * One Prometheus family read from one kind of metrics source, with the source's components it
 * covers (record components or accessor names), so a test can check that every component is
 * exported.
 *
 * @param components the source's components this family exports
 * @param name the family's name
 * @param type counter, gauge or summary
 * @param help the {@code # HELP} text
 * @param samples reads the samples from a source
 * @param <S> the source type
 */
record MetricFamily<S>(
    List<String> components,
    String name,
    Type type,
    String help,
    Function<S, List<Sample>> samples) {

  MetricFamily {
    components = List.copyOf(components);
  }

  void write(PrometheusText out, S source) {
    out.family(name, type, help, samples.apply(source));
  }

  static <S> MetricFamily<S> counter(
      String component, String name, String help, ToLongFunction<S> value) {
    return new MetricFamily<>(
        List.of(component),
        name,
        Type.COUNTER,
        help,
        s -> List.of(Sample.of(value.applyAsLong(s))));
  }

  static <S> MetricFamily<S> gauge(
      String component, String name, String help, ToLongFunction<S> value) {
    return new MetricFamily<>(
        List.of(component), name, Type.GAUGE, help, s -> List.of(Sample.of(value.applyAsLong(s))));
  }

  static <S> MetricFamily<S> gaugeDouble(
      String component, String name, String help, ToDoubleFunction<S> value) {
    return new MetricFamily<>(
        List.of(component),
        name,
        Type.GAUGE,
        help,
        s -> List.of(Sample.of(value.applyAsDouble(s))));
  }

  /**
   * A counter with one label, one sample per entry of the map the source gives, sorted by label
   * value so that scrapes are stable.
   */
  static <S> MetricFamily<S> counterByLabel(
      String component,
      String name,
      String help,
      String label,
      Function<S, Map<String, Long>> values) {
    return new MetricFamily<>(
        List.of(component),
        name,
        Type.COUNTER,
        help,
        s -> {
          List<Sample> samples = new ArrayList<>();
          new TreeMap<>(values.apply(s))
              .forEach((k, v) -> samples.add(Sample.of(Map.of(label, k), v)));
          return samples;
        });
  }

  static double seconds(Duration d) {
    return d.getSeconds() + d.getNano() / 1e9;
  }

  static double nanosToSeconds(long nanos) {
    return nanos / 1e9;
  }
}
