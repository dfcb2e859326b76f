/**
 * Docker log-driver settings for grid-api: {@link dev.logstream.core.docker.LogstreamSettings}
 * turns the {@code --logstream*} flags plus a container's manifest and app ids into a {@link
 * dev.logstream.core.docker.DockerLogConfig}, rendered as Mesos {@code DockerInfo} parameters,
 * {@code docker run} arguments or the Engine API's {@code HostConfig.LogConfig}.
 */
package dev.logstream.core.docker;
