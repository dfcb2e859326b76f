package dev.logstream.forward.interop;

/** How a client encodes event times on the wire. */
public enum TimePrecision {
  /** A msgpack integer of Unix seconds. */
  SECONDS,
  /** The forward protocol's EventTime, msgpack ext type 0 with seconds and nanoseconds. */
  EVENT_TIME
}
