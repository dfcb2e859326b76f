package dev.logstream.agent;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes the Prometheus text exposition format, version 0.0.4: per family a {@code # HELP} line, a
 * {@code # TYPE} line, then one sample line per label set. A family is written once, with all its
 * samples together, as the format requires.
 */
final class PrometheusText {

  /** The {@code Content-Type} of what this writes. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /** The metric types this writer uses. */
  enum Type {
    COUNTER,
    GAUGE,
    /** Only {@code _sum} and {@code _count} samples: no quantiles. */
    SUMMARY;

    String text() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One sample: a label set and a value already rendered as the format wants it.
   *
   * @param suffix appended to the family name, {@code _sum} or {@code _count} for a summary, else
   *     empty
   * @param labels label names to values, in output order
   * @param value the rendered value
   */
  record Sample(String suffix, Map<String, String> labels, String value) {
    Sample {
      Objects.requireNonNull(suffix, "suffix");
      labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
      for (String name : labels.keySet()) {
        if (!LABEL_NAME.matcher(name).matches() || name.startsWith("__")) {
          throw new IllegalArgumentException("label name is not valid: '" + name + "'");
        }
      }
      Objects.requireNonNull(value, "value");
    }

    static Sample of(long value) {
      return new Sample("", Map.of(), Long.toString(value));
    }

    static Sample of(double value) {
      return new Sample("", Map.of(), render(value));
    }

    static Sample of(Map<String, String> labels, long value) {
      return new Sample("", labels, Long.toString(value));
    }

    static Sample of(Map<String, String> labels, double value) {
      return new Sample("", labels, render(value));
    }
  }

  private final StringBuilder out = new StringBuilder(8 << 10);
  private final Set<String> written = new HashSet<>();

  /**
   * Writes one family.
   *
   * @throws IllegalArgumentException if the name is not a valid metric name, or a counter's name
   *     does not end in {@code _total}
   * @throws IllegalStateException if a family of that name was already written
   */
  PrometheusText family(String name, Type type, String help, List<Sample> samples) {
    if (!METRIC_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("metric name is not valid: '" + name + "'");
    }
    if (type == Type.COUNTER && !name.endsWith("_total")) {
      throw new IllegalArgumentException("counter name must end in _total: '" + name + "'");
    }
    for (Sample sample : samples) {
      boolean summaryPart = sample.suffix().equals("_sum") || sample.suffix().equals("_count");
      if (type == Type.SUMMARY ? !summaryPart : !sample.suffix().isEmpty()) {
        throw new IllegalArgumentException(
            "sample suffix '" + sample.suffix() + "' does not fit a " + type.text() + ": " + name);
      }
    }
    if (!written.add(name)) {
      throw new IllegalStateException("family already written: " + name);
    }
    out.append("# HELP ").append(name).append(' ');
    escapeHelp(help);
    out.append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type.text()).append('\n');
    for (Sample sample : samples) {
      out.append(name).append(sample.suffix());
      if (!sample.labels().isEmpty()) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, String> label : sample.labels().entrySet()) {
          if (!first) {
            out.append(',');
          }
          first = false;
          out.append(label.getKey()).append("=\"");
          escapeLabelValue(label.getValue());
          out.append('"');
        }
        out.append('}');
      }
      out.append(' ').append(sample.value()).append('\n');
    }
    return this;
  }

  /** Returns what was written so far. */
  String text() {
    return out.toString();
  }

  /** Renders a float value: {@code NaN}, {@code +Inf}, {@code -Inf}, or Java's shortest decimal. */
  static String render(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value); // 3 rather than 3.0: easier to read, same value
    }
    return Double.toString(value);
  }

  // HELP escapes only backslash and newline; a quote stays as it is
  private void escapeHelp(String help) {
    for (int i = 0; i < help.length(); i++) {
      char c = help.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> out.append(c);
      }
    }
  }

  private void escapeLabelValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        default -> out.append(c);
      }
    }
  }
}
