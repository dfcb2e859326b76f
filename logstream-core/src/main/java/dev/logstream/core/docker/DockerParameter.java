package dev.logstream.core.docker;

import java.util.Objects;

/**
 * One Docker parameter as Mesos' {@code DockerInfo.parameters} carries it: Mesos turns each into
 * {@code --<key>=<value>} on the {@code docker run} command line, so {@code ("log-opt",
 * "fluentd-async=true")} becomes {@code --log-opt=fluentd-async=true}.
 *
 * @param key the {@code docker run} flag without dashes, e.g. {@code log-driver} or {@code log-opt}
 * @param value the flag's value, e.g. {@code fluentd} or {@code fluentd-async=true}
 */
public record DockerParameter(String key, String value) {

  /**
   * Checks that both parts are present.
   *
   * @param key the flag without dashes
   * @param value the flag's value
   */
  public DockerParameter {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }
}
