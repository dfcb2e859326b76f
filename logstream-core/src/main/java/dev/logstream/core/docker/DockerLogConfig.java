package dev.logstream.core.docker;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The log settings of one container, a log driver and its ordered options, in the three shapes the
 * places that start containers want them.
 *
 * <p>Made by {@link LogstreamSettings#logConfigFor}, which validates the options and appends the
 * computed {@code tag} last. The record itself only checks that nothing is null, so a hand-made
 * instance is exactly as valid as its options. For the seed example ({@code
 * fluentd-address=127.0.0.1:24224,fluentd-async=true}, manifest and app {@code
 * devel/www-data/redis-test}):
 *
 * <pre>
 * Mesos:      log-driver=fluentd
 *             log-opt=fluentd-address=127.0.0.1:24224
 *             log-opt=fluentd-async=true
 *             log-opt=tag=grid.devel/www-data/redis-test:devel/www-data/redis-test
 * docker run: --log-driver=fluentd --log-opt fluentd-address=127.0.0.1:24224 --log-opt ...
 * Engine API: {"Type":"fluentd","Config":{"fluentd-address":"127.0.0.1:24224",...}}
 * </pre>
 *
 * @param driver the Docker log driver, e.g. {@code fluentd}
 * @param options the log options in order; copied into an unmodifiable map that keeps the order
 */
public record DockerLogConfig(String driver, Map<String, String> options) {

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * Copies the options, keeping their order.
   *
   * @param driver the Docker log driver
   * @param options the log options in order; no null keys or values
   */
  public DockerLogConfig {
    Objects.requireNonNull(driver, "driver");
    Objects.requireNonNull(options, "options");
    Map<String, String> copy = new LinkedHashMap<>();
    options.forEach(
        (key, value) ->
            copy.put(
                Objects.requireNonNull(key, "option key"), Objects.requireNonNull(value, key)));
    options = Collections.unmodifiableMap(copy);
  }

  /**
   * Returns the parameters for Mesos' {@code DockerInfo}: {@code log-driver} first, then one {@code
   * log-opt} per option with value {@code key=value}.
   *
   * @return the parameters, in option order
   */
  public List<DockerParameter> toMesosParameters() {
    List<DockerParameter> parameters = new ArrayList<>(options.size() + 1);
    parameters.add(new DockerParameter("log-driver", driver));
    options.forEach(
        (key, value) -> parameters.add(new DockerParameter("log-opt", key + "=" + value)));
    return List.copyOf(parameters);
  }

  /**
   * Returns the arguments for {@code docker run} (or {@code docker create}), one list element per
   * argv entry: {@code --log-driver=<driver>}, then {@code --log-opt} and {@code key=value} as two
   * entries per option. Pass them to a process builder as they are; they are not shell-quoted.
   *
   * @return the arguments, in option order
   */
  public List<String> toDockerRunArgs() {
    List<String> args = new ArrayList<>(2 * options.size() + 1);
    args.add("--log-driver=" + driver);
    options.forEach(
        (key, value) -> {
          args.add("--log-opt");
          args.add(key + "=" + value);
        });
    return List.copyOf(args);
  }

  /**
   * Returns the Docker Engine API {@code HostConfig.LogConfig} object, {@code
   * {"Type":"<driver>","Config":{"<key>":"<value>",...}}}, compact, with options in order and
   * strings escaped by Jackson.
   *
   * @return the JSON text
   */
  public String toEngineApiJson() {
    StringWriter out = new StringWriter();
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("Type", driver);
      json.writeObjectFieldStart("Config");
      for (Map.Entry<String, String> option : options.entrySet()) {
        json.writeStringField(option.getKey(), option.getValue());
      }
      json.writeEndObject();
      json.writeEndObject();
    } catch (IOException e) {
      // a StringWriter does not fail
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
