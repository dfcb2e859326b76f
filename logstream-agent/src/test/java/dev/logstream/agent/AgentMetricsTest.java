package dev.logstream.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logstream.buffer.BufferMetrics;
import dev.logstream.buffer.DispatcherMetrics;
import dev.logstream.core.sink.FatalReason;
import dev.logstream.forward.ForwardServerStats;
import dev.logstream.kinesis.CapacitySnapshot;
import dev.logstream.kinesis.KinesisSinkMetrics;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every component of every metrics record is exported, by the family that claims it, with its own
 * value: a counter added to a module later fails here until it is mapped.
 */
class AgentMetricsTest {

  @Test
  void ingest_everyComponent_isExportedWithItsValue() throws Exception {
    assertEveryComponentExported(IngestMetrics.class, AgentMetrics.INGEST);
  }

  @Test
  void buffer_everyComponent_isExportedWithItsValue() throws Exception {
    assertEveryComponentExported(BufferMetrics.class, AgentMetrics.BUFFER);
  }

  @Test
  void dispatcher_everyComponent_isExportedWithItsValue() throws Exception {
    assertEveryComponentExported(DispatcherMetrics.class, AgentMetrics.DISPATCHER);
  }

  @Test
  void kinesis_everyComponent_isExportedWithItsValue() throws Exception {
    assertEveryComponentExported(KinesisSinkMetrics.class, AgentMetrics.KINESIS);
  }

  @Test
  void capacity_everyComponent_isExportedWithItsValue() throws Exception {
    assertEveryComponentExported(CapacitySnapshot.class, AgentMetrics.CAPACITY);
  }

  @Test
  void forward_everyPublicCounter_isMapped() {
    List<String> counters =
        Arrays.stream(ForwardServerStats.class.getDeclaredMethods())
            .filter(m -> Modifier.isPublic(m.getModifiers()) && m.getReturnType() == long.class)
            .map(Method::getName)
            .toList();
    assertThat(components(AgentMetrics.FORWARD)).containsExactlyInAnyOrderElementsOf(counters);
  }

  @Test
  void names_everyFamily_isUniqueAndUnderTheLogstreamPrefix() {
    List<String> names =
        Stream.of(
                AgentMetrics.INGEST,
                AgentMetrics.FORWARD,
                AgentMetrics.BUFFER,
                AgentMetrics.DISPATCHER,
                AgentMetrics.KINESIS,
                AgentMetrics.CAPACITY)
            .flatMap(List::stream)
            .map(MetricFamily::name)
            .toList();
    assertThat(names).doesNotHaveDuplicates().allMatch(n -> n.matches("logstream_[a-z_]+"));
  }

  @Test
  void kinesis_fatalReasonsNeverSeen_areExportedAsZero() {
    KinesisSinkMetrics m = (KinesisSinkMetrics) instanceOf(KinesisSinkMetrics.class);
    PrometheusText out = new PrometheusText();
    AgentMetrics.write(out, AgentMetrics.KINESIS, m);
    for (FatalReason reason : FatalReason.values()) {
      assertThat(out.text())
          .contains(
              "logstream_kinesis_fatal_records_total{reason=\""
                  + reason.name().toLowerCase(Locale.ROOT)
                  + "\"}");
    }
  }

  private static <R extends Record> void assertEveryComponentExported(
      Class<R> type, List<MetricFamily<R>> families) throws Exception {
    RecordComponent[] rc = type.getRecordComponents();
    assertThat(components(families))
        .as("components of %s claimed by a family", type.getSimpleName())
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(rc).map(RecordComponent::getName).distinct().toList().stream()
                .filter(n -> !isSharedLabel(type, n))
                .toList());
    R source = type.cast(instanceOf(type));
    for (MetricFamily<R> family : families) {
      PrometheusText out = new PrometheusText();
      family.write(out, source);
      String text = out.text();
      for (String component : family.components()) {
        int i = indexOf(rc, component);
        assertThat(text)
            .as("family %s shows component %s", family.name(), component)
            .contains(expectedFragment(rc[i], i));
      }
    }
  }

  // the stream is a label on every capacity family, not a family of its own
  private static boolean isSharedLabel(Class<?> type, String component) {
    return type == CapacitySnapshot.class && component.equals("stream");
  }

  private static List<String> components(List<? extends MetricFamily<?>> families) {
    List<String> all = new ArrayList<>();
    families.forEach(f -> all.addAll(f.components()));
    return all.stream().distinct().filter(c -> !c.equals("stream")).toList();
  }

  private static int indexOf(RecordComponent[] rc, String name) {
    for (int i = 0; i < rc.length; i++) {
      if (rc[i].getName().equals(name)) {
        return i;
      }
    }
    throw new AssertionError("no component " + name);
  }

  /** A value per component, distinct from all others: 101, 102, ... by position. */
  private static Object instanceOf(Class<?> type) {
    RecordComponent[] rc = type.getRecordComponents();
    Object[] args = new Object[rc.length];
    Class<?>[] types = new Class<?>[rc.length];
    for (int i = 0; i < rc.length; i++) {
      types[i] = rc[i].getType();
      args[i] = valueFor(rc[i], i);
    }
    try {
      return type.getDeclaredConstructor(types).newInstance(args);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  private static long distinct(int i) {
    return 101 + i;
  }

  private static Object valueFor(RecordComponent c, int i) {
    Class<?> t = c.getType();
    if (t == long.class) {
      return distinct(i);
    }
    if (t == int.class) {
      return (int) distinct(i);
    }
    if (t == double.class) {
      return distinct(i) / 1000.0;
    }
    if (t == boolean.class) {
      return true;
    }
    if (t == String.class) {
      return "s" + i;
    }
    if (t == Duration.class) {
      return Duration.ofSeconds(distinct(i));
    }
    if (t.isEnum()) {
      Object[] constants = t.getEnumConstants();
      return constants[constants.length - 1];
    }
    if (t == Map.class) {
      Class<?> key =
          (Class<?>) ((ParameterizedType) c.getGenericType()).getActualTypeArguments()[0];
      Object k = key.isEnum() ? key.getEnumConstants()[0] : "Code" + i;
      return Map.of(k, distinct(i));
    }
    throw new AssertionError("no test value for " + c);
  }

  private static String expectedFragment(RecordComponent c, int i) {
    Class<?> t = c.getType();
    if (t == String.class) {
      return "=\"s" + i + "\"";
    }
    if (t == boolean.class) {
      return " 1\n";
    }
    if (t.isEnum()) {
      Object[] constants = t.getEnumConstants();
      return "=\""
          + ((Enum<?>) constants[constants.length - 1]).name().toLowerCase(Locale.ROOT)
          + "\"} 1\n";
    }
    if (t == double.class) {
      return " " + PrometheusText.render(distinct(i) / 1000.0) + "\n";
    }
    if (c.getName().contains("Nanos")) {
      return " " + PrometheusText.render(distinct(i) / 1e9) + "\n";
    }
    return " " + distinct(i) + "\n";
  }
}
