/**
 * The demo behind {@code ./logstream demo}: one container walked through tag, Docker log
 * parameters, Kinesis record encoding and stream sizing.
 */
package dev.logstream.core.demo;
